"""GOV.UK widgets whose own words follow the page's language (issue 21).

govuk-frontend-wtf writes the date's parts as "Day", "Month" and "Year", and GOV.UK
Frontend's character count says "You have 1000 characters remaining", in English whatever
the page's language. On a Welsh page both must be Welsh (Welsh Language Standards: a Welsh
form no less favourable than the English): the parts' names come from the catalog, and the
character count is given its words through GOV.UK Frontend's own i18n parameters, as its
documentation asks for a page in another language. An English page is left exactly as the
library makes it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, gettext
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovDateInput

#: Welsh has six plural forms (CLDR: zero, one, two, few, many, other); GOV.UK Frontend picks
#: one by Intl.PluralRules, so every form is given.
_PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")


def _in_english() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "en"


def _plural(one: str, other: str) -> dict[str, str]:
    return {form: one if form == "one" else other for form in _PLURAL_FORMS}


class LocalDateInput(GovDateInput):
    """A GOV.UK date whose parts are named in the page's language."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        if not _in_english():
            names = (gettext("Day"), gettext("Month"), gettext("Year"))
            for item, name in zip(params["items"], names, strict=True):
                item["label"] = name
        return params


class LocalCharacterCount(GovCharacterCount):
    """A GOV.UK character count that counts in the page's language ("%{count}" is GOV.UK
    Frontend's own placeholder, filled in by its script and its macro)."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        if not _in_english():
            params["textareaDescriptionText"] = gettext("You can enter up to %{count} characters")
            params["charactersUnderLimitText"] = _plural(
                gettext("You have %{count} character remaining"),
                gettext("You have %{count} characters remaining"),
            )
            params["charactersAtLimitText"] = gettext("You have 0 characters remaining")
            params["charactersOverLimitText"] = _plural(
                gettext("You have %{count} character too many"),
                gettext("You have %{count} characters too many"),
            )
        return params
