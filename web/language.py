"""Cymraeg: which language a page is in, and the gettext catalogs behind it (issue 21).

The Welsh Language Standards (Welsh Language (Wales) Measure 2011) ask a Welsh partnership
to offer its public forms in Welsh, to treat Welsh no less favourably than English, and to
lead with Welsh on a bilingual site. Public pages follow the person's choice ("Cymraeg /
English" on every page, kept in the session and the draft); staff pages stay English for
now, their strings marked so that a Welsh staff locale is a catalog away.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Any

import flask_wtf.i18n
from babel.dates import format_date
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import Environment
from jinja2.ext import _make_new_gettext, _make_new_ngettext
from markupsafe import escape
from wtforms.i18n import messages_path

from triggers.calendar import welsh_date_text, welsh_on_date
from triggers.config import LANGUAGES, Config, relative_path

#: The shipped catalogs (`make messages-compile` builds the .mo beside each .po).
CATALOGS = Path(__file__).parent / "translations"
#: The session key of the language the person chose on a public page.
CHOSEN = "language"
#: The query parameter of the language switch (a plain link: works without JavaScript).
SWITCH = "lang"
#: The blueprints whose pages are public, and so follow the person's language.
PUBLIC = frozenset({"apply"})
#: Each language's own name, as the switch shows it.
NAMES = {"cy": "Cymraeg", "en": "English"}
#: The staff pages' gettext domain: `_s` (and `_ls`, `_ns`) in templates and code, `N_` in
#: the process declaration; extracted into translations/staff.pot, a language's staff.po
#: beside its messages.po. A domain of its own, so that the public catalog's rule (every
#: marked string has Welsh, tests/web/test_catalog.py) holds for the public pages while the
#: staff pages, English for now, need no Welsh until a staff locale is added.
STAFF_DOMAIN = "staff"


def leading_language(config: Config) -> str:
    """The language a public page opens in: Welsh when the partnership is bilingual (Welsh
    first, as the Standards ask) or chose Welsh, else English."""
    return "cy" if config.language.bilingual or config.language.default == "cy" else "en"


def catalog_folders(config: Config) -> list[str]:
    """The shipped catalogs, then the partnership's own: Flask-Babel merges them in order,
    so an entry the partnership's translation service wrote wins over the shipped one."""
    folders = [str(CATALOGS)]
    if config.language.catalog_folder:
        folders.append(str(relative_path(config, config.language.catalog_folder)))
    return folders


def page_language(config: Config) -> str:
    """The language of this request's page: staff pages are English; a public page is in the
    language chosen with the switch, else the partnership's leading language."""
    if not has_request_context() or request.blueprint not in PUBLIC:
        return "en"  # a staff page, or one made outside a request (the CLI, the scheduler)
    chosen = session.get(CHOSEN)
    return chosen if chosen in LANGUAGES else leading_language(config)


def current_language() -> str:
    """The language of the page being made ("en" outside a request)."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def local_date(day: date | str | None, language: str | None = None) -> str:
    """A date as people write it in the page's language, from Babel's CLDR data: "Monday 28
    April 2025", "dydd Llun 28 Ebrill 2025"."""
    if not day:
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    language = language or current_language()
    text = format_date(day, "EEEE d MMMM y", locale=language)
    return welsh_date_text(text) if language == "cy" else text


def local_date_after_on(day: date | str | None, language: str | None = None) -> str:
    """A date after the word "on" of a sentence ("%(body)s on %(date)s", Welsh "%(body)s ar
    %(date)s"): in Welsh with the soft mutation "ar" asks of "dydd" ("ddydd Llun ...")."""
    language = language or current_language()
    text = local_date(day, language)
    return welsh_on_date(text).removeprefix("ar ") if language == "cy" else text


def staff_gettext(text: str, **variables: Any) -> str:
    """A staff page's words in the page's language, from the staff catalogs (English until a
    staff locale is added: the words as marked; outside the app, a form's label read by the
    CLI or a test, the words as marked too)."""
    if not has_app_context():
        return text % variables if variables else text
    words: str = _staff_translations().ugettext(text)
    return words % variables if variables else words


def staff_ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """`staff_gettext` with a plural: "1 case", "2 cases" (Welsh has six forms)."""
    if not has_app_context():
        words = singular if num == 1 else plural
        return words % {"num": num, **variables}
    words = _staff_translations().ungettext(singular, plural, num)
    return words % {"num": num, **variables}  # type: ignore[no-any-return]


#: Where a request keeps the catalogs its page's words come from (``kept_translations``).
_KEPT = "casereview_translations"


def kept_translations(domain: Domain | None = None) -> NullTranslations:
    """The catalog of ``domain`` (Flask-Babel's own by default) in this request's language,
    looked up once a request. Flask-Babel finds the language and then the catalog again for
    each word, a few hundred on a case page; the language is chosen once a request
    (Flask-Babel keeps it for the request), so the catalog is the same for every word."""
    if not has_request_context():
        return domain.get_translations() if domain is not None else get_translations()
    kept: dict[Domain | None, NullTranslations] | None = g.get(_KEPT)
    if kept is None:
        kept = {}
        setattr(g, _KEPT, kept)
    found = kept.get(domain)
    if found is None:
        found = kept[domain] = (
            domain.get_translations() if domain is not None else get_translations()
        )
    return found


def _staff_translations() -> NullTranslations:
    return kept_translations(current_app.extensions[STAFF_DOMAIN])


class StaffLazyString(LazyString):  # type: ignore[misc]
    """Escaped in a page like the plain string it stands for: Flask-Babel's own puts its
    words into the page as they are, so "the victim's choices" would not read the same."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_staff_gettext(text: str, **variables: Any) -> StaffLazyString:
    """`staff_gettext` when the words are read, for labels made before any request (forms)."""
    return StaffLazyString(staff_gettext, text, **variables)


#: The short names the staff sources mark their words with (the extraction's keywords).
_s, _ns, _ls = staff_gettext, staff_ngettext, lazy_staff_gettext


def install_staff_words(environment: Environment, words: NullTranslations | None = None) -> None:
    """`_s` and `_ns` for a staff template made outside the app (the subject access PDF of
    `casereview subject-access`): the words from ``words``, English as marked by default."""
    words = words or NullTranslations()
    environment.globals["_s"] = _make_new_gettext(words.gettext)
    environment.globals["_ns"] = _make_new_ngettext(words.ngettext)


@functools.lru_cache(maxsize=16)
def _wtforms_catalog(locale: str) -> NullTranslations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


def _wtforms_translations() -> NullTranslations | None:
    """WTForms' own messages in the page's language, as Flask-WTF gives them
    (``flask_wtf.i18n._get_translations``), each language's catalog read once: Flask-WTF
    looked for the file and read it again on every request that built a form (a few
    per cent of a page). The catalogs are WTForms' own files, the same for every request."""
    if not has_request_context() or "babel" not in current_app.extensions:
        return None
    return _wtforms_catalog(str(get_locale()))


flask_wtf.i18n._get_translations = _wtforms_translations


def init_app(app: Flask, config: Config) -> None:
    """Flask-Babel with the catalogs, the page's language, and what templates need."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(catalog_folders(config))
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    Babel(app, locale_selector=lambda: page_language(config))
    # One per app: a Domain caches its catalogs, and each app may have its own folders.
    app.extensions[STAFF_DOMAIN] = Domain(domain=STAFF_DOMAIN)
    app.add_template_filter(local_date, "local_date")
    # Flask-Babel's `_` and `ngettext` in templates, with the request's catalog kept.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda text: kept_translations().ugettext(text),
        ngettext=lambda singular, plural, num: kept_translations().ungettext(singular, plural, num),
        newstyle=True,
        pgettext=lambda context, text: kept_translations().upgettext(context, text),
        npgettext=lambda context, singular, plural, num: kept_translations().unpgettext(
            context, singular, plural, num
        ),
    )
    # In templates as Flask-Babel installs `_`: Jinja's wrappers fill in the variables (each
    # escaped) after the catalog gives the words, so these give the words alone.
    app.jinja_env.globals["_s"] = _make_new_gettext(
        lambda text: _staff_translations().ugettext(text)
    )
    app.jinja_env.globals["_ns"] = _make_new_ngettext(
        lambda singular, plural, num: _staff_translations().ungettext(singular, plural, num)
    )

    @app.context_processor
    def _language() -> dict[str, Any]:
        language = current_language()
        return {
            "page_language": language,
            "html_lang": "cy" if language == "cy" else "en-GB",
            "other_language": "en" if language == "cy" else "cy",
            "language_names": NAMES,
        }
