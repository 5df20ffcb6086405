"""What the letters and the online form tell people, from the partnership's config.

UK GDPR Article 13: whoever collects personal data tells the person, at the time, who the
controller is, the lawful basis, who receives the data, how long it is kept, the person's
rights and the data protection officer's contact. The ASB case review's first letters and
the online form's notice carry that, written once here. The support services and the date
by which an agency returns its chronology are set here too (2025 statutory guidance: tell
the victim where to find support; Schedule 4 paragraph 7 of the 2014 Act for the
information-sharing request).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triggers.welsh import in_welsh


@dataclass(frozen=True)
class PrivacyWelsh:
    """``[privacy.cy]``: the notice's words in Welsh (Welsh Language Standards: a Welsh letter
    carries a Welsh notice). A key left out keeps the shipped Welsh, unless the English key
    was changed: then the Welsh letter quotes the partnership's English (``triggers.welsh``).
    Not yet checked by a Welsh speaker (fuzzy-for-review)."""

    controllers: str = ""
    lawful_basis: str = (
        "Erthygl 6(1)(e) GDPR y DU, tasg a gyflawnir er budd y cyhoedd: yr adolygiad achos "
        "ymddygiad gwrthgymdeithasol o dan adrannau 104 a 105 o Ddeddf Ymddygiad "
        "Gwrthgymdeithasol, Troseddu a Phlismona 2014, ac Atodlen 4 iddi. Defnyddir "
        "gwybodaeth am iechyd neu am droseddu o dan Erthyglau 9(2)(g) a 10 o GDPR y DU ac "
        "Atodlen 1 i Ddeddf Diogelu Data 2018 (paragraffau 6 a 10)."
    )
    shared_with: str = (
        "y cyngor, yr heddlu, y gwasanaeth iechyd a’r darparwyr tai sy’n cymryd rhan yn yr "
        "adolygiad achos, ac aelodau ei banel"
    )
    sharing_agreement: str = "cytundeb rhannu gwybodaeth y bartneriaeth"
    rights: str = (
        "Mae gennych hawl i ofyn am gopi o’ch gwybodaeth, i’w chywiro, i wrthwynebu ei "
        "defnyddio ac, mewn rhai achosion, i’w chyfyngu neu ei dileu. Gallwch gwyno i "
        "Swyddfa’r Comisiynydd Gwybodaeth: ico.org.uk/make-a-complaint, 0303 123 1113."
    )
    #: The Welsh page of the full notice; empty: the English ``notice_url``.
    notice_url: str = field(default="", metadata={"neutral": True})


@dataclass(frozen=True)
class PrivacyConfig:
    """The privacy notice (UK GDPR Art. 13) on every first letter and the online form."""

    #: Who decides how the information is used. Empty: the partnership's name and the
    #: relevant bodies taking part, as joint controllers.
    controllers: str = ""
    #: The lawful basis (Article 6, and Articles 9 and 10 for health and crime).
    lawful_basis: str = (
        "UK GDPR Article 6(1)(e), a task carried out in the public interest: the ASB case "
        "review under sections 104 and 105 of, and Schedule 4 to, the Anti-social Behaviour, "
        "Crime and Policing Act 2014. Information about health or about crime is used under "
        "Articles 9(2)(g) and 10 of UK GDPR and Schedule 1 to the Data Protection Act 2018 "
        "(paragraphs 6 and 10)."
    )
    #: Who receives the information.
    shared_with: str = (
        "the council, the police, the health service and the housing providers taking part "
        "in the case review, and the members of its panel"
    )
    #: The agreement under which it is shared.
    sharing_agreement: str = "the partnership's information-sharing agreement"
    #: The person's rights, and where to complain.
    rights: str = (
        "You have the right to ask for a copy of your information, to have it corrected, to "
        "object to its use and, in some cases, to have it restricted or deleted. You can "
        "complain to the Information Commissioner's Office: ico.org.uk/make-a-complaint, "
        "0303 123 1113."
    )
    #: The data protection officer's contact (an email address, a phone or a postal address).
    #: Empty: reached through the partnership's contact email.
    dpo_contact: str = ""
    #: Where the full privacy notice is published, if anywhere.
    notice_url: str = ""
    #: The same keys in Welsh, for Welsh letters and the Welsh form.
    cy: PrivacyWelsh = field(default_factory=PrivacyWelsh)


@dataclass(frozen=True)
class SupportWelsh:
    """``[support.cy]``: the support services in Welsh (fuzzy-for-review)."""

    victim_support: str = (
        "Cymorth i Ddioddefwyr, am ddim ac yn gyfrinachol p’un a ydych wedi rhoi gwybod i’r "
        "heddlu ai peidio: 08 08 16 89 111, victimsupport.org.uk"
    )
    local_service: str = ""


@dataclass(frozen=True)
class SupportConfig:
    """Support services named in the letters that refuse a case review."""

    #: The national service, available whether or not the victim reported to the police.
    victim_support: str = (
        "Victim Support, free and confidential whether or not you reported to the police: "
        "08 08 16 89 111, victimsupport.org.uk"
    )
    #: The partnership's own service for victims of ASB, if any: its name and how to reach it.
    local_service: str = ""
    #: The same keys in Welsh.
    cy: SupportWelsh = field(default_factory=SupportWelsh)


@dataclass(frozen=True)
class LettersConfig:
    """What the letters ask of agencies."""

    #: Working days after the request by which an agency returns its chronology; never later
    #: than the threshold decision is due (it must be less than ``deadlines.threshold_decision``).
    chronology_return_days: int = 5


@dataclass(frozen=True)
class NoticeSection:
    heading: str
    text: str


def privacy_notice(
    privacy: PrivacyConfig,
    partnership_name: str,
    contact_email: str,
    years_kept: int,
    language: str = "en",
) -> list[NoticeSection]:
    """The Article 13 notice, section by section: the same words in a letter and on a page,
    in English or (``language="cy"``) in Welsh."""
    if language == "cy":
        return _privacy_notice_cy(privacy, partnership_name, contact_email, years_kept)
    controllers = privacy.controllers or (
        f"The agencies of {partnership_name} taking part in the case review (the council, the "
        "police, the health service and the housing providers) are joint controllers"
    )
    dpo = (
        f"You can contact them at {privacy.dpo_contact}."
        if privacy.dpo_contact
        else f"You can reach them through {contact_email or partnership_name}."
    )
    sections = [
        NoticeSection("Who is responsible for your information", controllers + "."),
        NoticeSection("Why we can use it", privacy.lawful_basis),
        NoticeSection(
            "Who we share it with",
            f"We share what you tell us, and what the agencies hold about the anti-social "
            f"behaviour, with {privacy.shared_with}, under {privacy.sharing_agreement}, only "
            "to carry out the case review.",
        ),
        NoticeSection(
            "How long we keep it",
            f"We keep it for {years_kept} year{'s' if years_kept != 1 else ''} after the case "
            "review ends, then remove your personal details. The yearly figures we publish "
            "never name anyone.",
        ),
        NoticeSection("Your rights", privacy.rights),
        NoticeSection("Our data protection officer", dpo),
    ]
    if privacy.notice_url:
        sections.append(NoticeSection("The full notice", privacy.notice_url))
    return sections


def _privacy_notice_cy(
    privacy: PrivacyConfig, partnership_name: str, contact_email: str, years_kept: int
) -> list[NoticeSection]:
    cy = in_welsh(privacy)
    controllers = cy.controllers or (
        f"Mae asiantaethau {partnership_name} sy’n cymryd rhan yn yr adolygiad achos (y "
        "cyngor, yr heddlu, y gwasanaeth iechyd a’r darparwyr tai) yn rheolwyr data ar y cyd"
    )
    dpo = (
        f"Gallwch gysylltu â nhw yn {privacy.dpo_contact}."
        if privacy.dpo_contact
        else f"Gallwch gysylltu â nhw drwy {contact_email or partnership_name}."
    )
    kept = "am flwyddyn" if years_kept == 1 else f"am {years_kept} o flynyddoedd"
    sections = [
        NoticeSection("Pwy sy’n gyfrifol am eich gwybodaeth", controllers.rstrip(".") + "."),
        NoticeSection("Pam y gallwn ei defnyddio", cy.lawful_basis),
        NoticeSection(
            "Gyda phwy rydyn ni’n ei rhannu",
            # "â’r canlynol:": "â" cannot take the name that follows as Welsh would join it.
            "Rydyn ni’n rhannu’r hyn rydych chi’n ei ddweud wrthym, a’r hyn sydd gan yr "
            f"asiantaethau am yr ymddygiad gwrthgymdeithasol, â’r canlynol: {cy.shared_with}; "
            f"a hynny o dan {cy.sharing_agreement}, dim ond er mwyn cynnal yr adolygiad achos.",
        ),
        NoticeSection(
            "Am ba hyd rydyn ni’n ei chadw",
            f"Rydyn ni’n ei chadw {kept} ar ôl i’r adolygiad achos ddod i ben, ac yna’n dileu "
            "eich manylion personol. Nid yw’r ffigurau blynyddol rydyn ni’n eu cyhoeddi byth yn "
            "enwi neb.",
        ),
        NoticeSection("Eich hawliau", cy.rights),
        NoticeSection("Ein swyddog diogelu data", dpo),
    ]
    if cy.notice_url:
        sections.append(NoticeSection("Yr hysbysiad llawn", cy.notice_url))
    return sections


def check_notices(letters: LettersConfig, threshold_decision_days: int, where: str) -> str | None:
    """What is wrong with the letters' settings, or None."""
    if not 1 <= letters.chronology_return_days < threshold_decision_days:
        return (
            f"{where}: 'letters.chronology_return_days' must be at least 1 and less than "
            f"'deadlines.threshold_decision' ({threshold_decision_days}), so agencies return "
            f"their chronologies before the decision is due (got {letters.chronology_return_days})"
        )
    return None
