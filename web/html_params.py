"""WTForms' own widgets' attributes written without ``str.format`` (issue 22).

WTForms writes each attribute of its own widgets (the hidden CSRF token and case version
every form on a case page carries, the option of a plain select) with ``Markup.format``,
which runs Python's ``string.Formatter`` for every attribute. A case page has about fifteen
such hidden inputs, and that formatting was a twentieth of the page's CPU. ``html_params``
writes the same attributes, in the same order and escaped in the same way, with an
f-string; ``tests/web/test_html_params.py`` holds it to WTForms' own output.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets import core

#: WTForms' own, kept for the test that compares the two.
wtforms_html_params = core.html_params

_QUOTE, _ENTITY = Markup('"'), Markup("&quot;")


def html_params(**kwargs: Any) -> Markup:
    """``wtforms.widgets.core.html_params``: sorted by name; ``True`` writes the name alone,
    ``False`` nothing; ``data_`` and ``aria_`` names hyphenated; names and values escaped."""
    params = []
    for key, value in sorted(kwargs.items()):
        name = escape(core.clean_key(key))
        if value is True:
            params.append(name)
        elif value is not False:
            params.append(Markup(f'{name}="{escape(value).replace(_QUOTE, _ENTITY)}"'))
    return Markup(" ").join(params)


def install() -> None:
    """Make WTForms' widgets use ``html_params`` (``web.app.create_app``; again is harmless):
    the module's function, and the copy each widget class keeps of it as a static method."""
    core.html_params = widgets.html_params = html_params
    for value in vars(core).values():
        if isinstance(value, type) and "html_params" in vars(value):
            value.html_params = staticmethod(html_params)
