"""The GOV.UK form widgets' HTML, rendered once for each distinct set of parameters.

govuk-frontend-wtf renders every field through Flask's ``render_template``: the context
processors run and the GOV.UK macro module is built again for every field of every form,
and a case page holds a hundred fields in its closed step and correction forms (issue 22:
the widgets were most of the page's server time). A widget's HTML is a pure function of
its template and its parameters (the macros are imported without the page's context and
read nothing else), so each application keeps the HTML of the last ``WIDGETS_KEPT``
parameter sets and renders a new one straight from the Jinja environment.

The key is the whole of the parameters, each value with its type (``"1"``, ``1``, ``True``
and ``Markup("1")`` render differently), and the HTML is rendered from the key itself, so
an entry can only ever be served for exactly the parameters it was made from: what one
person typed, or a token, is part of its own key and never in another request's answer.
Parameters holding anything but plain data (str, numbers, dates, None, lists and dicts of
them) are rendered every time, uncached. With ``TEMPLATES_AUTO_RELOAD`` (debug) nothing
is kept, so an edited template shows at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from flask import Flask, current_app
from flask_babel.speaklater import LazyString
from govuk_frontend_wtf.gov_form_base import GovFormBase
from markupsafe import Markup

#: How many distinct widgets each application keeps (a case page has about a hundred, most
#: of them the same on every case; a few kilobytes each).
WIDGETS_KEPT = 4096
#: Where the application keeps its renderer.
EXTENSION = "casereview.widgets"

#: Values that are kept as they are; a lazy translation is kept as the text it has now.
_PLAIN = frozenset({str, Markup, int, float, bool, type(None), date, datetime})

Frozen = tuple[Any, ...]


class Uncacheable(TypeError):
    """Parameters hold something that is not plain data: render them every time."""


def frozen(value: Any) -> Any:
    """``value`` as a hashable key that keeps every type and every order (a dict's too:
    attributes are written in the order given)."""
    kind = type(value)
    if kind is dict:
        return (dict, tuple((frozen(key), frozen(item)) for key, item in value.items()))
    if kind is list or kind is tuple:
        return (kind, tuple(frozen(item) for item in value))
    if kind in _PLAIN:
        return (kind, value)
    if kind is LazyString:  # translated now, in the request's language
        return (LazyString, str(value))
    raise Uncacheable(kind.__name__)


def thawed(key: Any) -> Any:
    """The parameters a key was made from (a lazy translation comes back as its text)."""
    kind, value = key
    if kind is dict:
        return {thawed(name): thawed(item) for name, item in value}
    if kind is list or kind is tuple:
        return kind(thawed(item) for item in value)
    if kind is LazyString:  # renders unescaped (its __html__), so it comes back lazy too
        return LazyString(str, value)
    return value


def init_app(app: Flask) -> None:
    """Give ``app`` its own bounded cache of widget HTML (a test's app never shares one)."""

    @lru_cache(maxsize=WIDGETS_KEPT)
    def render(template: str, key: Frozen) -> Markup:
        return Markup(app.jinja_env.get_template(template).render(params=thawed(key)))

    app.extensions[EXTENSION] = render


def _rendered(widget: GovFormBase, params: dict[str, Any]) -> Markup:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    render: Callable[[str, Frozen], Markup] | None = app.extensions.get(EXTENSION)
    if render is None or app.jinja_env.auto_reload:
        return _uncached(widget, params)
    try:
        key = frozen(params)
    except Uncacheable:
        return _uncached(widget, params)
    return render(widget.template, key)  # type: ignore[attr-defined]


_uncached = GovFormBase.render
# Every GOV.UK widget renders through this one method (govuk-frontend-wtf 3.2).
GovFormBase.render = _rendered  # type: ignore[method-assign]
