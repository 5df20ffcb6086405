"""The Welsh catalog covers every marked string (issue 21): on a bilingual installation a
missing translation must never fall back silently on English."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "web" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
#: The keywords `make messages-extract` passes, beside Babel's own (_, gettext, ngettext).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def marked() -> set[str]:
    """The strings marked in the sources, found as `make messages-extract` finds them."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for folder in ("web", "notifications", "triggers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, options_map, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def welsh():  # type: ignore[no-untyped-def]
    with CATALOG.open("rb") as handle:
        return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(handle) if m.id}


def test_every_marked_string_has_a_welsh_entry(welsh):
    missing = sorted(
        message
        for message in marked()
        if message not in welsh or not all(welsh[message].string or [""])
    )
    assert not missing, f"no Welsh for {missing}: run `make messages-update` and translate"


def test_the_form_s_strings_are_found(welsh):
    # A guard on the guard: extraction that found nothing would pass the test above.
    found = marked()
    assert {"Continue", "Enter your full name", "There is a problem", "The police"} <= found


def test_every_welsh_entry_keeps_the_placeholders(welsh):
    for message in welsh.values():
        source = message.id if isinstance(message.id, str) else message.id[1]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(source))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= wanted | {"%(num)d"}, message.id
            assert wanted - {"%(num)d"} <= set(PLACEHOLDER.findall(string)), message.id


def test_an_unchecked_entry_says_so(welsh):
    """Until a Welsh speaker has reviewed an entry, its translator's comment says it has not
    been: the partnership's translation service removes the comment when it signs one off."""
    assert all(
        any("fuzzy-for-review" in comment for comment in message.user_comments)
        for message in welsh.values()
    )
