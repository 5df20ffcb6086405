"""Who a complaint was made to, as the staff and public forms ask it.

Only a complaint to a relevant body counts towards the Act's floor (s.104-105 and Schedule 4
of the 2014 Act), and a housing provider is one only if registered. People know "a private
landlord" or "a housing association" rather than the statutory terms, so each form offers
plain choices and this table turns a choice into what the service records:
``reported_to`` and ``is_registered_provider``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class BodyChoice:
    value: str
    #: The label on the staff form; None where the staff form does not offer it.
    staff_label: str | None
    #: The label on the public form (in the page's language); None where it is not offered.
    public_label: Any
    reported_to: str
    is_registered_provider: bool = True


CHOICES = (
    BodyChoice("police", "Police", _l("The police"), "police"),
    BodyChoice("council", "Council", _l("The council"), "council"),
    BodyChoice(
        "health",
        "Health (integrated care board or local health board)",
        _l("The NHS (the local health board or integrated care board)"),
        "health",
    ),
    BodyChoice(
        "housing_provider",
        "Housing provider, registered (housing association, council housing)",
        _l("A housing association or council housing"),
        "housing_provider",
    ),
    BodyChoice(
        "housing_provider_unregistered",
        "Housing provider, not registered",
        None,
        "housing_provider",
        is_registered_provider=False,
    ),
    # A private landlord is not a relevant body: recorded as "other", kept for the panel.
    BodyChoice("private_landlord", None, _l("A private landlord"), "other"),
    BodyChoice(
        "other",
        "Other (an MP, a private landlord): does not count towards the Act's floor",
        _l("Someone else, for example your MP"),
        "other",
    ),
)
_BY_VALUE = {choice.value: choice for choice in CHOICES}

#: The public form's choices, value to label (also the labels on its check-answers page).
PUBLIC_BODIES = {c.value: c.public_label for c in CHOICES if c.public_label}
#: The staff form's choices, value to label.
STAFF_BODIES = {c.value: c.staff_label for c in CHOICES if c.staff_label}


def complaint_body(value: str) -> dict[str, Any]:
    """What the service records for a form's choice; an unknown value is passed on for the
    service to refuse by name."""
    choice = _BY_VALUE.get(value)
    if choice is None:
        return {"reported_to": value}
    return {
        "reported_to": choice.reported_to,
        "is_registered_provider": choice.is_registered_provider,
    }


def staff_label(complaint: dict[str, Any]) -> str:
    """Who a recorded complaint went to, as the staff pages name it."""
    registered = complaint.get("is_registered_provider", True)
    for choice in CHOICES:
        if (
            choice.staff_label
            and choice.reported_to == complaint["reported_to"]
            and (
                choice.reported_to != "housing_provider"
                or choice.is_registered_provider == registered
            )
        ):
            return choice.staff_label.split(":")[0]
    return str(complaint["reported_to"])


def init_app(app: Flask) -> None:
    app.add_template_filter(staff_label, "complaint_body")
