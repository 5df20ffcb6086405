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

A form that shows the case's own words (the correction form's recorded values, the
incidents offered by the complaint form) is kept *with holes* (``holes=True``): its fields'
HTML is made once with a placeholder where each word of the case goes, and each request
fills the holes with its own case's words, escaped as Jinja escapes them. What is kept is
the form's shape (its labels, which values are empty, which choice is ticked), never a name,
an address or a date of the case: nothing of one case stays in memory after its request.
Each placeholder holds a letter, an ``&`` and padding spaces (a line break too, for a value
that has one), so a template that left a value unescaped, trimmed, indented or otherwise
changed it would not find its placeholder again; such a form is made afresh instead.

Most of the page's forms need not even be built to be found: a ``FormToMake`` names a form
by what it is made from (its recipe) and is built only when its fields are not kept yet.
Building the forms only to compute their keys was a quarter of the page's instructions.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import DateField, Field, FieldList, FormField, SelectChoice, StringField
from wtforms.csrf.core import CSRFTokenField

from web.govuk_cache import Uncacheable, frozen, made_afresh
from web.html_params import html_params
from web.language import current_language

#: Distinct forms kept per application: a few per state and role, each a few kB.
KEPT = 512


class KeptForms:
    """One application's kept form HTML, least recently used dropped first."""

    def __init__(self) -> None:
        self._kept: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            html = self._kept.get(key)
            if html is not None:
                self._kept.move_to_end(key)
            return html

    def put(self, key: Any, html: Any) -> None:
        with self._lock:
            self._kept[key] = html
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)


def kept_fields(
    form: Any,
    site: str,
    *,
    caller: Callable[[], str],
    skip: tuple[str, ...] = (),
    holes: bool = False,
) -> Markup:
    """The HTML ``caller`` (a ``{% call %}`` block rendering ``form``'s fields) makes, kept
    for an unbound, error-free ``form``. ``site`` names the block (two blocks may render the
    same form differently); ``skip`` names fields the block does not render (the case's
    version), left out of the key; ``holes`` keeps the fields' values and the choices' words
    out of what is kept (a form that shows the case's own words)."""
    if not _caches_on():
        return Markup(caller())
    kept: KeptForms = current_app.extensions.setdefault("casereview_kept_forms", KeptForms())
    try:
        if isinstance(form, FormToMake):
            holes = form.words is not None
            if holes:
                words = _Holes(list(form.words), [_broken(w) for w in form.words], [])
            broken = tuple(words.broken) if holes else ()
            key: Any = (site, current_language(), FormToMake, form.recipe, broken)
        elif holes:
            shape, words = form_shape(form, skip)
            key = (site, current_language(), type(form), shape)
        else:
            key = (site, current_language(), type(form), form_key(form, skip))
    except Uncacheable:  # posted, with errors, or a long text: shown, never kept
        return _afresh(caller)
    html = kept.get(key)
    if html is None:
        if isinstance(form, FormToMake) and holes:
            # Made to be kept: its words are taken out where the form shows them, and they
            # must be the recipe's own, in its order, or the form is shown and not kept.
            try:
                made = form_shape(form.form, skip)[1]
            except Uncacheable:
                return _afresh(caller)
            if made.words != words.words:
                return _afresh(caller)
            words = made
        html = _with_holes(words, caller) if holes else Markup(caller())
        if html is None:  # a template changed a placeholder: this form is made afresh
            return _afresh(caller)
        kept.put(key, html)
    return _filled(html, words) if holes else html


def _caches_on() -> bool:
    caches = getattr(current_app.jinja_env, "casereview_caches", None)
    return caches is not None and caches.on


class FormToMake:
    """A form a page may show without making it: its fields' HTML is kept by what it is made
    from (``recipe``: its step, the process's version, the partnership's agencies), so a page
    that finds them kept never builds the WTForms form at all. Made, by ``make``, the first
    time the template reads anything of it but its hidden inputs (``hidden_inputs``): when
    its fields are not kept yet, or to show an error.

    Only for a form that is a pure function of its recipe and, for a form that shows words
    of the case, of ``words``: never posted. ``words`` are the case's words the form shows,
    in the order ``form_shape`` takes them out (its holes); the recipe must then name all
    the rest (which choice is ticked, which value is empty), as the shape would. Kept with
    holes, as a real form's: nothing of the case stays kept."""

    def __init__(
        self,
        recipe: Hashable,
        make: Callable[[], Any],
        prefix: str,
        words: Sequence[str] | None = None,
    ) -> None:
        self.recipe = recipe
        self.prefix = prefix
        self.words = words
        self._make = make
        self._form: Any = None

    @classmethod
    def unposted(
        cls,
        form_class: Any,
        prefix: str = "",
        *,
        recipe: tuple[Hashable, ...] = (),
        data: dict[str, Any] | None = None,
        choices: dict[str, list[SelectChoice]] | None = None,
        words: Sequence[str] | None = None,
    ) -> FormToMake:
        """``form_class`` unposted, with ``data`` and its fields' ``choices`` (by field name),
        made only when not kept; kept by its class, its prefix and ``recipe``: what else it
        is made from that its HTML shows (the agencies offered, the values ticked)."""

        def make() -> Any:
            form = form_class(prefix=prefix, formdata=None, data=data)
            for name, offered in (choices or {}).items():
                form[name].choices = offered
            return form

        return cls((form_class, prefix, *recipe), make, prefix, words)

    @property
    def form(self) -> Any:
        if self._form is None:
            self._form = self._make()
        return self._form

    @property
    def is_made(self) -> bool:
        return self._form is not None

    @property
    def errors(self) -> Any:
        """Empty before it is made: it is never posted, so nothing was checked."""
        return self._form.errors if self._form is not None else {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.form, name)

    def __iter__(self) -> Iterator[Field]:
        return iter(self.form)


def hidden_inputs(form: Any, version: int | None = None) -> Markup:
    """A form's CSRF token and, given ``version``, the case's version: what WTForms writes for
    ``form.csrf_token`` and ``form.version``. A ``FormToMake`` not yet made has them written
    here, the same to the character (``tests/web/test_kept_forms.py``), so that it need not
    be made; a form made (or pages made with nothing kept) has WTForms write them."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")  # FlaskForm's Meta
    if isinstance(form, FormToMake) and not form.is_made and _caches_on():
        inputs = []
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            inputs.append(_hidden(_prefixed(form.prefix, name), generate_csrf(token_key=name)))
        if version is not None:
            inputs.append(_hidden(_prefixed(form.prefix, "version"), str(version)))
        return Markup("").join(inputs)
    # A form without CSRF (switched off) has no token field, as Jinja shows none for it.
    token = getattr(form, name)() if hasattr(form, name) else ""
    return Markup(token) + (Markup(form.version()) if version is not None else Markup(""))


def _prefixed(prefix: str, name: str) -> str:
    """A field's name as WTForms prefixes it (``wtforms.form.BaseForm``: a dash is added
    unless the prefix ends in one of its separators)."""
    if prefix and prefix[-1] not in "-_;:/.":
        prefix += "-"
    return f"{prefix}{name}"


def _hidden(name: str, value: str) -> Markup:
    return Markup(f"<input {html_params(id=name, name=name, type='hidden', value=value)}>")


def _afresh(caller: Callable[[], str]) -> Markup:
    """The form made with nothing kept, its widgets included: it shows what a person typed
    or the case's own words."""
    with made_afresh():
        return Markup(caller())


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


#: What marks a hole in kept HTML: characters no form of ours writes (Unicode's private use).
_OPEN, _CLOSE = "\ue000", "\ue001"


def _placeholder(number: int, broken: bool) -> str:
    """The word standing for hole ``number`` while a form is made: a letter, an ``&`` (which
    Jinja escapes) and spaces around it (which a trim takes off); a line break when the
    value has one (which an indent would change)."""
    return f" {_OPEN}{number}&h{chr(10) if broken else ''}{_CLOSE} "


def _broken(text: str) -> bool:
    """Whether ``text`` holds a line break (any that Jinja's ``indent`` splits on)."""
    return text.splitlines() != [text]


@dataclass
class _Holes:
    """A form's words taken out while its shape is kept: each field's, in order, and how
    to put placeholders in their place."""

    words: list[str]
    broken: list[bool]
    swaps: list[Callable[[list[str]], Callable[[], None]]]

    def hole(self, word: str) -> int:
        self.words.append(word)
        self.broken.append(_broken(word))
        return len(self.words) - 1


def form_shape(form: Any, skip: tuple[str, ...] = ()) -> tuple[tuple[Any, ...], _Holes]:
    """``form``'s key without its words (the values of its text and date fields, the words
    of its choices), and those words; raises ``Uncacheable`` as ``form_key`` does."""
    if form.errors:
        raise Uncacheable("errors")
    holes = _Holes([], [], [])
    parts: list[Any] = []
    for field in form:
        if isinstance(field, CSRFTokenField) or field.short_name in skip:
            continue
        parts.append(_field_shape(field, holes))
    return (tuple(parts), tuple(holes.broken)), holes


def _field_shape(field: Field, holes: _Holes) -> tuple[Any, ...]:
    if isinstance(field, FieldList):
        return (FieldList, field.name, tuple(_field_shape(e, holes) for e in field.entries))
    if isinstance(field, FormField):
        return (FormField, field.name, tuple(_field_shape(sub, holes) for sub in field.form))
    if field.raw_data is not None:
        raise Uncacheable("posted")
    value: Any = frozen(None)
    if isinstance(field, StringField) and isinstance(field.data, str) and field.data:
        value = ("hole", holes.hole(field.data))
        holes.swaps.append(_swap_data(field, value[1]))
    elif isinstance(field, DateField) and field.data is not None:
        day, month, year = field.data.strftime("%d %m %Y").split(" ")
        numbers = [holes.hole(day), holes.hole(month), holes.hole(year)]
        value = ("date", tuple(numbers))
        holes.swaps.append(_swap_raw_data(field, numbers))
    elif field.data is not None:
        value = frozen(field.data)
    choices = getattr(field, "choices", None)
    shown: Any = frozen(choices)
    if choices:
        shown = tuple(_choice_shape(choice, holes) for choice in choices)
        holes.swaps.append(_swap_choices(field, shown))
    return (
        type(field),
        type(field.widget),
        field.name,
        field.id,
        frozen(field.label.text),
        frozen(field.description),
        value,
        shown,
        frozen(field.render_kw),
    )


def _choice_shape(choice: Any, holes: _Holes) -> tuple[Any, ...]:
    if type(choice) is not SelectChoice:
        raise Uncacheable("a choice that is not a SelectChoice")
    label: Any = frozen(choice.label)
    if type(choice.label) is str:  # words of the case's (a lazy string is a word of ours)
        label = ("hole", holes.hole(choice.label))
    return (frozen(choice.value), label, frozen(choice.render_kw), frozen(choice.optgroup))


def _swap_data(field: Field, number: int) -> Callable[[list[str]], Callable[[], None]]:
    def swap(placeholders: list[str]) -> Callable[[], None]:
        data = field.data
        field.data = placeholders[number]
        return lambda: setattr(field, "data", data)

    return swap


def _swap_raw_data(field: Field, numbers: list[int]) -> Callable[[list[str]], Callable[[], None]]:
    def swap(placeholders: list[str]) -> Callable[[], None]:
        field.raw_data = [placeholders[n] for n in numbers]
        return lambda: setattr(field, "raw_data", None)

    return swap


def _swap_choices(field: Any, shown: tuple[Any, ...]) -> Callable[[list[str]], Callable[[], None]]:
    def swap(placeholders: list[str]) -> Callable[[], None]:
        choices = field.choices
        field.choices = [
            SelectChoice(
                choice.value,
                placeholders[label[1]] if label[0] == "hole" else choice.label,
                choice.render_kw,
                choice.optgroup,
            )
            for choice, (_, label, _, _) in zip(choices, shown, strict=True)
        ]
        return lambda: setattr(field, "choices", choices)

    return swap


def _with_holes(holes: _Holes, caller: Callable[[], str]) -> Any:
    """The form's fields' HTML made with placeholders for its words (``holes``): the pieces
    between them and each hole's number, or None when a placeholder did not come back as
    written."""
    placeholders = [_placeholder(n, broken) for n, broken in enumerate(holes.broken)]
    undo = [swap(placeholders) for swap in holes.swaps]
    try:
        html = str(caller())
    finally:
        for restore in reversed(undo):
            restore()
    escaped = {str(escape(p)): n for n, p in enumerate(placeholders)}
    pieces: list[Any] = []
    rest = html
    while (start := rest.find(f" {_OPEN}")) != -1:
        end = rest.find(f"{_CLOSE} ", start)
        number = escaped.get(rest[start : end + 2]) if end != -1 else None
        if number is None:
            return None
        pieces.extend((Markup(rest[:start]), number))
        rest = rest[end + 2 :]
    pieces.append(Markup(rest))
    if any(_OPEN in p or _CLOSE in p for p in pieces if isinstance(p, str)):
        return None
    return tuple(pieces)


def _filled(pieces: tuple[Any, ...], holes: _Holes) -> Markup:
    """Kept pieces with this form's own words, escaped, in their holes."""
    words = holes.words
    return Markup("".join(p if isinstance(p, str) else escape(words[p]) for p in pieces))
