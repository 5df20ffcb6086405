"""The partnership's own words in Welsh: the ``cy`` table beside each table of letter text
in config.toml (``[privacy.cy]``, ``[support.cy]``, ``[review_routes.appeal.cy]``,
``[review_routes.local_policing_body.cy]``).

The Welsh Language Standards ask that Welsh be treated no less favourably than English, so a
Welsh letter carries the partnership's notice, support services and appeal route in Welsh.
casereview ships Welsh for its own English defaults. Where a partnership changed an English
key and gave no Welsh, the Welsh letter quotes the English as written (a name and a phone
number are better than a generic sentence), and a Welsh or bilingual partnership is refused
at start until it gives the Welsh (``untranslated``): never a silent fallback there.
"""

from __future__ import annotations

import dataclasses
from typing import Any

#: The tables with a ``cy`` table beside them, as config.toml names them.
WELSH_TABLES = (
    "privacy",
    "support",
    "review_routes.appeal",
    "review_routes.local_policing_body",
)


def in_welsh(english: Any) -> Any:
    """``english.cy`` with every key not given in Welsh, whose English the partnership
    changed, taken from the English (see the module's docstring)."""
    welsh = english.cy
    return dataclasses.replace(
        welsh,
        **{name: getattr(english, name) for name in _untranslated_keys(english)},
    )


def untranslated(english: Any, table: str) -> list[str]:
    """The keys of ``table`` whose English was changed and whose Welsh was not given (a
    language-neutral key, such as a web address, is left out)."""
    welsh_fields = {f.name: f for f in dataclasses.fields(english.cy)}
    return [
        f"{table}.{name}"
        for name in _untranslated_keys(english)
        if not welsh_fields[name].metadata.get("neutral")
    ]


def _untranslated_keys(english: Any) -> list[str]:
    welsh, english_default = english.cy, type(english)()
    welsh_default = type(welsh)()
    return [
        f.name
        for f in dataclasses.fields(welsh)
        if getattr(welsh, f.name) == getattr(welsh_default, f.name)
        and getattr(english, f.name) != getattr(english_default, f.name)
    ]
