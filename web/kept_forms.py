"""The case page's unbound forms' fields, made once for each distinct form (issue 22).

An open case's page shows every step it allows, the action plan's forms and the chronology
form, each closed in a ``<details>``: about fifty GOV.UK widgets, made again on every view
although they are the same on every case in the same state (a third of the page's server
time). A form that was not posted (built with ``formdata=None``) and carries no error is a
pure function of its class, its prefix, and each field's label, hint, value and choices, so
its fields' HTML is kept by exactly those, per application, the way ``web.govuk_cache``
keeps a widget's.

What differs from one request or case to the next stays out of the kept part and is made
every time by the template: the CSRF token, the case's version, and the words around the
form that come from the case. A form that was posted (what a person typed, shown again with
its errors) is never kept. A value longer than ``govuk_cache.LONGEST_KEPT_TEXT`` is made
afresh too, as in ``web.govuk_cache``. Kept only while the GOV.UK widgets are
(``Caches.on``): not while templates reload, and tests compare pages made both ways.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app
from markupsafe import Markup
from wtforms import Field, FieldList, FormField
from wtforms.csrf.core import CSRFTokenField

from web.govuk_cache import Uncacheable, frozen
from web.language import current_language

#: Distinct forms kept per application: a few per state and role, each a few kB.
KEPT = 512


class KeptForms:
    """One application's kept form HTML, least recently used dropped first."""

    def __init__(self) -> None:
        self._kept: OrderedDict[Any, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Markup | None:
        with self._lock:
            html = self._kept.get(key)
            if html is not None:
                self._kept.move_to_end(key)
            return html

    def put(self, key: Any, html: Markup) -> None:
        with self._lock:
            self._kept[key] = html
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)


def kept_fields(
    form: Any, site: str, *, caller: Callable[[], str], skip: tuple[str, ...] = ()
) -> Markup:
    """The HTML ``caller`` (a ``{% call %}`` block rendering ``form``'s fields) makes, kept
    for an unbound, error-free ``form``. ``site`` names the block (two blocks may render the
    same form differently); ``skip`` names fields the block does not render (the case's
    version), left out of the key."""
    environment = current_app.jinja_env
    caches = getattr(environment, "casereview_caches", None)
    if caches is None or not caches.on:
        return Markup(caller())
    kept: KeptForms = current_app.extensions.setdefault("casereview_kept_forms", KeptForms())
    try:
        key = (site, current_language(), type(form), form_key(form, skip))
    except Uncacheable:
        return Markup(caller())
    html = kept.get(key)
    if html is None:
        html = Markup(caller())
        kept.put(key, html)
    return html


def form_key(form: Any, skip: tuple[str, ...] = ()) -> tuple[Any, ...]:
    """Everything of ``form``'s fields their widgets read, as a hashable key; raises
    ``Uncacheable`` for a posted field, an error or a long text."""
    if form.errors:
        raise Uncacheable("errors")
    parts: list[Any] = []
    for field in form:
        if isinstance(field, CSRFTokenField) or field.short_name in skip:
            continue
        parts.append(_field_key(field))
    return tuple(parts)


def _field_key(field: Field) -> tuple[Any, ...]:
    if isinstance(field, FieldList):
        return (FieldList, field.name, tuple(_field_key(entry) for entry in field.entries))
    if isinstance(field, FormField):
        return (FormField, field.name, tuple(_field_key(sub) for sub in field.form))
    if field.raw_data is not None:
        raise Uncacheable("posted")
    choices = getattr(field, "choices", None)
    return (
        type(field),
        type(field.widget),
        field.name,
        field.id,
        frozen(field.label.text),
        frozen(field.description),
        frozen(field.data),
        frozen(choices),
        frozen(field.render_kw),
    )
