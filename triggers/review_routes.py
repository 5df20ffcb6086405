"""The routes an applicant has to challenge a decision, as the partnership runs them.

Schedule 4 paragraph 3 of the Anti-social Behaviour, Crime and Policing Act 2014 asks for a
way to challenge how an application was dealt with or a review carried out; areas run it
differently (an independent CSP chair from another district in LLR, the police and crime
commissioner's office elsewhere), so the appeal body, its name, how to appeal and what it
considers are config.toml's ``[review_routes.appeal]`` (its time limit is
``deadlines.appeal_window``). The Crime and Policing Act 2026 adds the local policing body's
review of a "not met" decision and of the review's handling (``[review_routes.
local_policing_body]``): off until the partnership turns it on, because commencement dates
differ. A letter never calls a decision "final" where a further route is open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: Royal Assent of the Crime and Policing Act 2026: no review can be asked for before it.
ROYAL_ASSENT_2026 = date(2026, 4, 29)


@dataclass(frozen=True)
class AppealRouteWelsh:
    """``[review_routes.appeal.cy]``: the same words in Welsh letters (fuzzy-for-review)."""

    name: str = "Cadeirydd Partneriaeth Diogelwch Cymunedol"
    how: str = "Ysgrifennwch atom neu anfonwch e-bost atom, gan ddweud pam."
    considers: str = (
        "a fethwyd ag ystyried polisi neu brotocol perthnasol, neu ffeithiau perthnasol"
    )
    final: str = "Mae penderfyniad y Cadeirydd yn derfynol."


@dataclass(frozen=True)
class AppealRoute:
    """Who hears an appeal and how to make one; the defaults are the LLR procedure."""

    #: The appeal body as a letter names it ("is heard by ...").
    name: str = "the Chair of a Community Safety Partnership"
    #: How to appeal, as a sentence to the applicant (the date comes before it).
    how: str = "Write to us or email us, saying why."
    #: What the appeal body considers (the grounds), as the end of a sentence.
    considers: str = (
        "whether a relevant policy or protocol, or relevant facts, were not taken into account"
    )
    #: Said after the appeal route only where no further route (the local policing body's
    #: review) is open.
    final: str = "The Chair's decision is final."
    #: Where the appeal referral goes: the appeal body's e-mail address, or (without one) its
    #: postal address, printed and posted by the managers. Both empty: the partnership's own
    #: CSP chair accounts (role ``chair``), who then decide the appeal in casereview.
    email: str = ""
    address: str = ""
    #: The same keys in Welsh.
    cy: AppealRouteWelsh = field(default_factory=AppealRouteWelsh)


@dataclass(frozen=True)
class LocalPolicingBodyWelsh:
    """``[review_routes.local_policing_body.cy]``: the body's name in Welsh letters."""

    name: str = "y corff plismona lleol"


@dataclass(frozen=True)
class LocalPolicingBodyRoute:
    """The local policing body's review (Crime and Policing Act 2026); off by default."""

    enabled: bool = False
    #: The body as a letter names it: the police and crime commissioner, the mayor, or the
    #: body that replaces them (PCCs are to be abolished in 2028).
    name: str = "the local policing body"
    #: Where the referral letter goes; without it, the letter is printed and posted.
    email: str = ""
    #: The body's postal address, given to the applicant (and used to post the referral).
    address: str = ""
    #: Working days the body has to decide, from the request.
    decision_days: int = 20
    #: The first day a review may be asked for (the route's commencement in this area).
    applies_from: date = ROYAL_ASSENT_2026
    #: The name in Welsh.
    cy: LocalPolicingBodyWelsh = field(default_factory=LocalPolicingBodyWelsh)


@dataclass(frozen=True)
class ReviewRoutesConfig:
    appeal: AppealRoute = field(default_factory=AppealRoute)
    local_policing_body: LocalPolicingBodyRoute = field(default_factory=LocalPolicingBodyRoute)

    def policing_body_open_on(self, day: date) -> bool:
        """Whether an applicant may ask the local policing body for a review on ``day``."""
        body = self.local_policing_body
        return body.enabled and day >= body.applies_from

    def policing_body_refusal(self, day: date) -> str:
        """Why a request for the local policing body's review made on ``day`` cannot be
        recorded ("" when it can)."""
        body = self.local_policing_body
        if not body.enabled:
            return (
                "the local policing body's review is not turned on for this partnership "
                "([review_routes.local_policing_body] enabled in config.toml)"
            )
        if day < body.applies_from:
            return (
                f"the local policing body's review applies from {body.applies_from.isoformat()}"
                f" in this area; this request is dated {day.isoformat()}"
            )
        return ""


def addresses(routes: ReviewRoutesConfig) -> list[tuple[str, str]]:
    """The routes' e-mail addresses by their keys, checked with the configuration's others
    (``triggers.config``)."""
    return [
        ("review_routes.local_policing_body.email", routes.local_policing_body.email),
        ("review_routes.appeal.email", routes.appeal.email),
    ]


def problems(routes: ReviewRoutesConfig) -> list[str]:
    """What is wrong with the routes as configured, each naming its key (their e-mail
    addresses: ``addresses``)."""
    found = []
    body = routes.local_policing_body
    prefix = "review_routes.local_policing_body"
    if not 1 <= body.decision_days <= 250:
        found.append(f"'{prefix}.decision_days' must be between 1 and 250 working days")
    if body.enabled and not body.name.strip():
        found.append(f"'{prefix}.name' is needed when the review is enabled")
    if body.enabled and not (body.email or body.address.strip()):
        found.append(
            f"[{prefix}] needs an 'email' or an 'address' when enabled: the referral "
            "letter goes there"
        )
    appeal = routes.appeal
    for key in ("name", "how", "considers", "final"):
        if not getattr(appeal, key).strip():
            found.append(f"'review_routes.appeal.{key}' may not be empty")
    return found
