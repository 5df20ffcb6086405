"""The GOV.UK components' HTML, made once for each distinct set of parameters (issue 22).

A page is mostly GOV.UK components: the header, tags, buttons, and the form widgets, of
which a case page holds a hundred in its closed step and correction forms. Each one ran the
component's Jinja macro again, and govuk-frontend-wtf rendered each widget through Flask's
``render_template`` (every context processor, and the macro module built again): most of a
page's server time. A component's HTML is a pure function of its macro and its parameters
(the macros are imported without the page's context and read nothing else), so each
application keeps the HTML of the last ``KEPT`` calls of each kind and makes a new one
straight from the Jinja environment.

The key is the whole of the parameters, each value with its type (``"1"``, ``1``, ``True``
and ``Markup("1")`` render differently), and the HTML is made from the key itself, so an
entry can only ever be served for exactly the parameters it was made from: what one person
typed, or a token, is part of its own key and never in another request's answer. And
nothing of a person is kept at all: a widget showing its field's value (what was typed or
recorded, a choice made) and the components that show records are made on every call, and
whatever is made inside ``made_afresh`` (a form posted back) keeps nothing.
Parameters holding anything but plain data (str, numbers, dates, None, lists and dicts of
them), such as a ``{% call %}`` block's caller, are rendered every time, uncached. With
``TEMPLATES_AUTO_RELOAD`` (debug) nothing is kept, so an edited template shows at once.

Also here, for the same pages: Jinja checks on every ``{% from ... import %}`` whether the
importing template has globals the imported one lacks (a set built from two chained
mappings, a fifth of a public page's time); the answer is kept per template for the set of
names asked about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import jinja2
from flask import Flask, current_app
from flask_babel.speaklater import LazyString
from govuk_frontend_wtf.gov_form_base import GovFormBase
from jinja2.environment import TemplateModule
from jinja2.runtime import Context, Macro
from markupsafe import Markup
from wtforms import SelectChoice

from web.language import StaffLazyString

#: How many distinct calls each application keeps of each kind (widgets, macros): a case
#: page makes about a hundred, most of them the same on every case; a few kB each.
KEPT = 4096
#: The longest text a kept call may hold. The components' own words (labels, hints, the
#: options of a question) are short and the same on every page; a longer text is what a
#: person typed (an answer shown again with its error), unique to one request: kept, it
#: would only fill memory (anyone can send the public form 500 kB a field) and hold their
#: words in the server after their request. Such a call is rendered afresh and not kept.
LONGEST_KEPT_TEXT = 256
#: The templates whose macros are kept: GOV.UK Frontend's components.
COMPONENTS = "govuk_frontend_jinja/components/"
#: The components whose calls are kept: the page's furniture, called with the service's own
#: words. The others are made on every call: they show records (a summary list of answers, a
#: table of the cases found for a person, a banner, an error quoting what was typed, links
#: carrying a page's filters) or a field's value. A form's widgets are kept whole by
#: ``_rendered`` instead, when they show no value.
KEPT_COMPONENTS = frozenset(
    {
        "back-link",
        "button",
        "fieldset",
        "generic-header",
        "hint",
        "inset-text",
        "label",
        "service-navigation",
        "skip-link",
        "tag",
        "warning-text",
    }
)
#: The widgets whose ``value`` is the form's own (a button's), not a value of the field.
_OWN_VALUE = frozenset({"govuk_frontend_wtf/button.html"})

#: Set while something that shows a case's words or what a person typed is made: nothing
#: made inside is kept (``made_afresh``).
_afresh: ContextVar[bool] = ContextVar("casereview_made_afresh", default=False)

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
    if kind is list or kind is tuple or kind is SelectChoice:  # a choice: value, label...
        return (kind, tuple(frozen(item) for item in value))
    if kind in _PLAIN:
        if (kind is str or kind is Markup) and len(value) > LONGEST_KEPT_TEXT:
            raise Uncacheable("a long text")
        return (kind, value)
    if kind is LazyString or kind is StaffLazyString:  # translated now, in the page's language
        return (kind, str(value))
    if isinstance(value, jinja2.Undefined):
        # A parameter the template left out (a component's macro passing ``params.html`` on
        # to another). Every undefined of a kind renders, tests and compares the same; only
        # the message of an error it raises names what was missing, and the key keeps none.
        return (kind, None)
    raise Uncacheable(kind.__name__)


def thawed(key: Any) -> Any:
    """The parameters a key was made from."""
    kind, value = key
    if kind is dict:
        return {thawed(name): thawed(item) for name, item in value}
    if kind is list or kind is tuple:
        return kind(thawed(item) for item in value)
    if kind is SelectChoice:
        return SelectChoice(*(thawed(item) for item in value))
    if kind is LazyString or kind is StaffLazyString:  # its own escaping: lazy again
        return kind(str, value)
    if isinstance(kind, type) and issubclass(kind, jinja2.Undefined):
        return kind()
    return value


class Caches:
    """One application's kept HTML: the widgets' by template, the macros' by macro."""

    def __init__(self, environment: jinja2.Environment) -> None:
        @lru_cache(maxsize=KEPT)
        def widget(template: str, params: Frozen) -> Markup:
            return Markup(environment.get_template(template).render(params=thawed(params)))

        @lru_cache(maxsize=KEPT)
        def macro(call: Macro, args: Frozen, kwargs: Frozen) -> Any:
            return call(*thawed(args), **thawed(kwargs))

        self.environment = environment
        self.widget = widget
        self.macro = macro

    @property
    def on(self) -> bool:
        """Whether kept HTML may be served (not while templates reload, nor once taken off
        the environment: the tests compare with HTML made afresh; nor ``made_afresh``)."""
        environment = self.environment
        return (
            not environment.auto_reload
            and getattr(environment, "casereview_caches", None) is self
            and not _afresh.get()
        )


@contextmanager
def made_afresh() -> Iterator[None]:
    """Nothing made inside is kept or served kept: for HTML that shows a case's words or what
    a person typed (a form posted back, a field with a value), so that none of it stays in
    the server's memory after the request (a data protection officer's condition)."""
    token = _afresh.set(True)
    try:
        yield
    finally:
        _afresh.reset(token)


def shows_a_value(template: str, params: dict[str, Any]) -> bool:
    """Whether a widget's parameters carry a value of its field (what was typed or recorded,
    a choice made, a date's parts), rather than only the form's own words."""
    if template in _OWN_VALUE:
        return False
    if params.get("value") not in (None, "", False):
        return True
    items = params.get("items")
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and (
                item.get("checked")
                or item.get("selected")
                or ("date" in template and item.get("value"))
            ):
                return True
    return False


class KeptMacro:
    """A GOV.UK macro whose HTML is kept by its arguments."""

    __slots__ = ("caches", "macro")

    def __init__(self, macro: Macro, caches: Caches) -> None:
        self.macro = macro
        self.caches = caches

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.caches.on:
            try:
                key = frozen(args), frozen(kwargs)
            except Uncacheable:
                pass
            else:
                return self.caches.macro(self.macro, *key)
        return self.macro(*args, **kwargs)


class KeptModule:
    """A GOV.UK component's template module, handing out its macros kept."""

    def __init__(self, module: TemplateModule, caches: Caches) -> None:
        self._module = module
        self._kept: dict[str, Any] = {}
        self._caches = caches

    def __getattr__(self, name: str) -> Any:
        found = self._kept.get(name)
        if found is None:
            found = getattr(self._module, name)
            if isinstance(found, Macro):
                found = KeptMacro(found, self._caches)
            self._kept[name] = found
        return found


class Template(jinja2.Template):
    """Jinja's template, with its import check remembered and GOV.UK components' macros
    kept (``Environment.template_class``)."""

    def _get_default_module(self, ctx: Context | None = None) -> Any:
        if ctx is not None:
            # Whether the importer has globals this template lacks (Jinja then builds a
            # module for them). Names are only added to the environment's globals while
            # the application is set up; the count stands for a change all the same.
            asked = (frozenset(ctx.globals_keys), len(self.environment.globals))
            answers = self.__dict__.setdefault("_casereview_new_globals", {})
            new = answers.get(asked)
            if new is None:
                new = answers[asked] = bool(ctx.globals_keys - self.globals.keys())
            if new:
                return super()._get_default_module(ctx)
        module = super()._get_default_module(None)
        caches = getattr(self.environment, "casereview_caches", None)
        if caches is None or _component(self.name) not in KEPT_COMPONENTS:
            return module
        kept = self.__dict__.get("_casereview_kept")
        if kept is None or kept._module is not module:
            kept = self.__dict__["_casereview_kept"] = KeptModule(module, caches)
        return kept


def _component(name: str | None) -> str | None:
    """``tag`` for ``govuk_frontend_jinja/components/tag/macro.html``, else None."""
    if not name or not name.startswith(COMPONENTS):
        return None
    return name[len(COMPONENTS) :].split("/", 1)[0]


def init_app(app: Flask) -> None:
    """Give ``app`` its own kept HTML (a test's app never shares another's)."""
    environment = app.jinja_env
    environment.template_class = Template
    environment.cache.clear()  # templates already loaded were made with the plain class
    environment.casereview_caches = Caches(environment)  # type: ignore[attr-defined]


def _rendered(widget: GovFormBase, params: dict[str, Any]) -> Markup:
    """A widget's HTML (govuk-frontend-wtf's ``GovFormBase.render``), kept."""
    environment = current_app.jinja_env
    caches: Caches | None = getattr(environment, "casereview_caches", None)
    if caches is None or not caches.on:
        return _uncached(widget, params)
    name: str = widget.template  # type: ignore[attr-defined]
    try:
        if shows_a_value(name, params):
            raise Uncacheable("a value of the field")
        key = frozen(params)
    except Uncacheable:
        # Made as a kept one is, straight from the environment: not through Flask's
        # ``render_template``, whose context processors (every label translated again)
        # cost more than the widget itself on a page of correction forms.
        with made_afresh():
            return Markup(environment.get_template(name).render(params=params))
    return caches.widget(name, key)


_uncached: Callable[[GovFormBase, dict[str, Any]], Markup] = GovFormBase.render
# Every GOV.UK widget renders through this one method (govuk-frontend-wtf 3.2).
GovFormBase.render = _rendered  # type: ignore[method-assign]
