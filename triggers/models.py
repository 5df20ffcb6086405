"""What a case review is: the tables, with ``#:`` comments as the data dictionary.

Every case belongs to a partnership, so one installation can serve several CSPs. Facts are
recorded separately (received, decided, reviewed, appealed) and the published figures are
derived from them, because the Act's four figures need not add up. Only
``workflows.service`` changes ``CaseReview.state``.
"""

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from triggers.db import UTCDateTime
from triggers.statuses import DeadlineStatus, OutboxStatus


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Partnership(Base):
    __tablename__ = "partnerships"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Prefix of this partnership's case references (CT in CT-2025-007).
    code: Mapped[str] = mapped_column(String(10), unique=True)
    created_at: Mapped[datetime]

    agencies: Mapped[list["Agency"]] = relationship(
        back_populates="partnership", order_by="Agency.id"
    )


class Agency(Base):
    """A relevant body or co-opted partner: council, police, housing provider, health."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("partnership_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"))
    name: Mapped[str] = mapped_column(String(200))
    #: council, police, housing_provider, health or other.
    kind: Mapped[str] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(320), default="")

    partnership: Mapped[Partnership] = relationship(back_populates="agencies")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"))
    #: Lower-cased; the sign-in name and where reminders go.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    #: argon2 hash; never the password.
    password_hash: Mapped[str] = mapped_column(String(200))
    #: manager, panel, chair, agency or viewer.
    role: Mapped[str] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    #: For agency representatives and panel members: the agency they speak for; they see
    #: the cases that agency is involved in.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))

    partnership: Mapped[Partnership] = relationship()
    agency: Mapped[Agency | None] = relationship()
    #: The hash of the secret in the person's calendar feed address (web/calendar_page.py);
    #: None until they make one, replaced when they reset it.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: After this the token no longer works (``server.token_days`` after it was made).
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship()


class StaffSession(Base):
    """A signed-in browser, kept on the server so that ending the row ends the session on
    every web node at once (sign-out, deactivation, a password change)."""

    __tablename__ = "staff_sessions"

    #: SHA-256 of the random session id; the id itself lives only in the signed cookie.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    #: The idle timeout runs from here.
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class SignInFailure(Base):
    """Failed sign-ins in a row for one submitted address, whether or not it is a user's,
    so that an unknown address locks exactly as a known one does (no enumeration)."""

    __tablename__ = "sign_in_failures"

    #: SHA-256 of the lower-cased address as typed: no list of guessed addresses is kept.
    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None]


class PasswordReset(Base):
    """A one-time link to set a new password: single use, and it expires."""

    __tablename__ = "password_resets"

    #: SHA-256 of the random token in the link; the token is only in the e-mail.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class ReferenceCounter(Base):
    """The last reference number given per partnership and year (CT-2025-007 → 7)."""

    __tablename__ = "reference_counters"

    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class CaseReview(Base):
    """One application for an ASB case review (a "Community Trigger activation")."""

    __tablename__ = "case_reviews"
    __table_args__ = (
        Index("ix_case_reviews_partnership_state", "partnership_id", "state"),
        Index("ix_case_reviews_partnership_received", "partnership_id", "received_on"),
        # The yearly figures of every partnership together read one range of receipt dates.
        Index("ix_case_reviews_received", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"))
    #: Shown to the applicant and in every letter: CT-2025-007.
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    #: One of workflows.machine.STATES; written only by workflows.service.
    state: Mapped[str] = mapped_column(String(30))
    #: The version of the process this case runs under; moved only by a data migration.
    workflow_version: Mapped[int] = mapped_column(Integer, default=1)
    received_on: Mapped[date] = mapped_column(Date)
    #: How the application arrived: online, phone, letter, email, in_person, api.
    channel: Mapped[str] = mapped_column(String(20), default="api")
    #: Why the applicant is dissatisfied with the agencies' response, in their words.
    dissatisfaction: Mapped[str] = mapped_column(Text, default="")
    #: The language the applicant asked to be written to: "cy", "en", or "" when not known
    #: (Welsh Language Standards; a bilingual partnership then writes Welsh first, then English).
    correspondence_language: Mapped[str] = mapped_column(String(2), default="")
    #: The victim's single point of contact (2025 statutory guidance), named in every letter.
    single_point_of_contact: Mapped[str] = mapped_column(String(200), default="")
    is_youth_asb: Mapped[bool] = mapped_column(Boolean, default=False)
    is_hate_related: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The area (ward or police beat) for the published breakdown; never an address.
    ward: Mapped[str] = mapped_column(String(100), default="", server_default="")
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    threshold_decided_on: Mapped[date | None] = mapped_column(Date)
    findings_sent_on: Mapped[date | None] = mapped_column(Date)
    #: The date the case closed or was withdrawn, and why.
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    #: Why the application was refused without a threshold decision (2025 guidance; counted
    #: apart from "not met"): anonymous, not_asb, already_reviewed (ineligible) or vexatious.
    refusal_ground: Mapped[str] = mapped_column(String(20), default="", server_default="")
    #: The day the applicant agreed to the case closing before the appeal window ended
    #: (Schedule 4 paragraph 3: without it, such a close is refused).
    early_close_agreed_on: Mapped[date | None] = mapped_column(Date)
    #: The victim's chosen level of involvement (2025 guidance): informed, consulted, involved.
    involvement_level: Mapped[str] = mapped_column(String(20), default="", server_default="")
    #: How the victim will attend the panel: in_person, online, representative,
    #: written_statement or not_attending.
    panel_attendance: Mapped[str] = mapped_column(String(20), default="", server_default="")
    #: The draft action plan shared with the victim for comment, and their response.
    action_plan_shared_on: Mapped[date | None] = mapped_column(Date)
    victim_response: Mapped[str] = mapped_column(Text, default="", server_default="")
    victim_responded_on: Mapped[date | None] = mapped_column(Date)
    #: When retention removed the case's personal data (the figures' facts are kept).
    anonymised_on: Mapped[date | None] = mapped_column(Date)
    #: The date of the latest step; a later step may not be dated before it.
    last_step_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    #: Optimistic lock: two people changing one case, one wins.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    partnership: Mapped[Partnership] = relationship()
    lead_agency: Mapped[Agency | None] = relationship()
    victim: Mapped["Victim"] = relationship(back_populates="case", cascade="all, delete-orphan")
    applicant: Mapped["Applicant"] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    incidents: Mapped[list["Incident"]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="[Incident.occurred_on, Incident.id]",
    )
    #: In the order they were brought in (the case page, the letters and the requests list
    #: them): without an order the database's plan chose it, and a pooled connection that had
    #: read the planner's statistics could list them the other way round.
    agencies: Mapped[list["CaseAgency"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseAgency.id"
    )
    chronology: Mapped[list["ChronologyEntry"]] = relationship(
        cascade="all, delete-orphan", order_by="[ChronologyEntry.occurred_on, ChronologyEntry.id]"
    )
    # Steps add rows through the many-to-one side (``ThresholdDecision(case=case)``): the
    # back-populated collection takes them without being loaded from the database first.
    threshold_decisions: Mapped[list["ThresholdDecision"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="ThresholdDecision.id"
    )
    panels: Mapped[list["Panel"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Panel.id"
    )
    recommendations: Mapped[list["Recommendation"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Recommendation.id"
    )
    themes: Mapped[list["CaseTheme"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseTheme.id"
    )
    appeals: Mapped[list["Appeal"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Appeal.id"
    )
    policing_body_reviews: Mapped[list["PolicingBodyReview"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="PolicingBodyReview.id"
    )
    deadlines: Mapped[list["Deadline"]] = relationship(
        cascade="all, delete-orphan", order_by="[Deadline.due_on, Deadline.id]"
    )


def _search_indexes(table: str, *columns: str) -> tuple[Index, ...]:
    """The search box's indexes (workflows.search, migration 0025): a trigram GIN index on
    PostgreSQL, which answers ILIKE '%text%'; a plain index on SQLite, which scans for LIKE."""
    return tuple(
        Index(
            f"ix_{table}_{column}_search",
            column,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
        for column in columns
    )


class Victim(Base):
    __tablename__ = "victims"
    __table_args__ = _search_indexes("victims", "name", "address", "postcode", "email", "phone")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), unique=True)
    #: individual, business or community_group.
    type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    #: How they want to be contacted: email, phone or letter.
    contact_preference: Mapped[str] = mapped_column(String(10), default="letter")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(60), default="")
    is_vulnerable: Mapped[bool] = mapped_column(Boolean, default=False)
    is_repeat_victim: Mapped[bool] = mapped_column(Boolean, default=False)

    case: Mapped[CaseReview] = relationship(back_populates="victim")


class Applicant(Base):
    """Who applied: the victim, or someone acting for them with their consent."""

    __tablename__ = "applicants"
    __table_args__ = _search_indexes("applicants", "name", "address", "email", "phone")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), unique=True)
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: Family member, friend, carer, councillor, MP, professional...
    relationship_to_victim: Mapped[str] = mapped_column(String(100), default="")
    consent_given_on: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    contact_preference: Mapped[str] = mapped_column(String(10), default="letter")

    case: Mapped[CaseReview] = relationship(back_populates="applicant")


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(200), default="")
    is_hate_related: Mapped[bool] = mapped_column(Boolean, default=False)

    case: Mapped[CaseReview] = relationship(back_populates="incidents")
    #: Loaded with the incidents, in the same query (the threshold reads them all).
    complaints: Mapped[list["Complaint"]] = relationship(
        back_populates="incident",
        cascade="all, delete-orphan",
        order_by="[Complaint.reported_on, Complaint.id]",
        lazy="joined",
    )


class Complaint(Base):
    """One report of an incident to one body; the threshold counts these."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    reported_on: Mapped[date] = mapped_column(Date)
    #: council, police, health, housing_provider or other (an MP, a private landlord): only
    #: the first four are relevant bodies whose complaints count towards the Act's floor.
    reported_to: Mapped[str] = mapped_column(String(30))
    #: For a housing provider: a registered provider (England) or registered social landlord
    #: (Wales), so a relevant body under Schedule 4; ignored for the other bodies.
    is_registered_provider: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    #: The name of the person who complained (three people about one incident is a route).
    reporter: Mapped[str] = mapped_column(String(200), default="")
    #: The body's own reference (crime number, ASB case number).
    reference: Mapped[str] = mapped_column(String(100), default="")

    incident: Mapped[Incident] = relationship(back_populates="complaints")


class CaseAgency(Base):
    """An agency involved in a case, and whether its chronology has come in."""

    __tablename__ = "case_agencies"
    __table_args__ = (UniqueConstraint("case_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    chronology_requested_on: Mapped[date | None] = mapped_column(Date)

    case: Mapped[CaseReview] = relationship(back_populates="agencies")
    #: Read with the link (letters, chronology requests, the case page all need its name).
    agency: Mapped[Agency] = relationship(lazy="joined")


class ChronologyEntry(Base):
    """One agency's record of its contact with the victim, collated into the chronology."""

    __tablename__ = "chronology_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(320))

    agency: Mapped[Agency] = relationship()


class ThresholdDecision(Base):
    __tablename__ = "threshold_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    #: met or not_met.
    decision: Mapped[str] = mapped_column(String(10))
    #: What the rules suggested at the time, and which held.
    suggested_met: Mapped[bool] = mapped_column(Boolean)
    rules_held: Mapped[list[Any]]
    #: Why, having regard to persistence, harm and the adequacy of the response.
    rationale: Mapped[str] = mapped_column(Text)
    persistence: Mapped[str] = mapped_column(Text, default="")
    harm: Mapped[str] = mapped_column(Text, default="")
    adequacy_of_response: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(320))

    case: Mapped[CaseReview] = relationship(back_populates="threshold_decisions")


class Panel(Base):
    """A review meeting: scheduled, then held and recorded."""

    __tablename__ = "panels"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    panel_on: Mapped[date] = mapped_column(Date)
    #: Local start time, HH:MM (empty when not yet fixed), and length, for the invitation.
    starts_at: Mapped[str] = mapped_column(String(5), default="", server_default="")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90, server_default="90")
    location: Mapped[str] = mapped_column(String(200), default="")
    held_on: Mapped[date | None] = mapped_column(Date)
    #: Names and agencies of those present.
    attendees: Mapped[list[Any]] = mapped_column(default=list)
    victim_attended: Mapped[bool | None] = mapped_column(Boolean)
    representative_attended: Mapped[bool | None] = mapped_column(Boolean)
    findings: Mapped[str] = mapped_column(Text, default="")
    #: How many recommendations the review made: the published figure counts reviews with
    #: one or more. Imported reviews have the number without the actions themselves.
    recommendation_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    case: Mapped[CaseReview] = relationship(back_populates="panels")


class Recommendation(Base):
    """One action in the action plan, owned by an agency."""

    __tablename__ = "recommendations"
    __table_args__ = (
        # The dashboard's late recommendations: only the unfinished ones, by due date.
        Index(
            "ix_recommendations_open_due",
            "due_on",
            sqlite_where=text("status IN ('open', 'in_progress')"),
            postgresql_where=text("status IN ('open', 'in_progress')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    action: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    #: open, in_progress, done, superseded, refused (by the agency, with its "have regard"
    #: response) or dropped.
    status: Mapped[str] = mapped_column(String(20), default="open")
    #: The owning agency's response to the recommendation, and its latest progress note.
    agency_response: Mapped[str] = mapped_column(Text, default="", server_default="")
    progress: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_on: Mapped[date | None] = mapped_column(Date)
    #: Why it no longer stands open, recorded when it is settled or the case closes.
    closing_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    case: Mapped[CaseReview] = relationship(back_populates="recommendations")
    agency: Mapped[Agency] = relationship()
    panel: Mapped[Panel] = relationship()


class CaseTheme(Base):
    """A recurring theme a panel found (keys from config.toml), counted per year."""

    __tablename__ = "case_themes"
    __table_args__ = (UniqueConstraint("panel_id", "theme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"))
    theme: Mapped[str] = mapped_column(String(60))

    case: Mapped[CaseReview] = relationship(back_populates="themes")
    panel: Mapped[Panel] = relationship()


class Appeal(Base):
    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    grounds: Mapped[str] = mapped_column(Text)
    #: upheld (back for a fresh review) or not_upheld (final); empty until decided.
    outcome: Mapped[str] = mapped_column(String(12), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(320), default="")

    case: Mapped[CaseReview] = relationship(back_populates="appeals")


class PolicingBodyReview(Base):
    """A request for the local policing body's review (Crime and Policing Act 2026) of a
    "not met" decision or of the review's handling, and the body's decision."""

    __tablename__ = "policing_body_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    requested_on: Mapped[date] = mapped_column(Date)
    grounds: Mapped[str] = mapped_column(Text)
    #: upheld (threshold met, the panel clock restarted) or not_upheld (the case closes);
    #: empty until decided.
    outcome: Mapped[str] = mapped_column(String(12), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(320), default="")

    case: Mapped[CaseReview] = relationship(back_populates="policing_body_reviews")


class Deadline(Base):
    """A statutory or local limit running on a case; met when its step happens."""

    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("case_id", "step"),
        # The sweep asks only for deadlines still running: keep that cheap as history grows.
        Index(
            "ix_deadlines_open_due",
            "due_on",
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"))
    #: acknowledge, threshold_decision, panel, findings, appeal_window or appeal_decision.
    step: Mapped[str] = mapped_column(String(30))
    started_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    #: running; met (the step happened); stopped (the case ended or moved on without it).
    status: Mapped[str] = mapped_column(String(10), default=DeadlineStatus.RUNNING)
    #: When it was met or stopped.
    ended_on: Mapped[date | None] = mapped_column(Date)
    #: Before the first agreed extension or pause: the date the limit first fell on.
    original_due_on: Mapped[date | None] = mapped_column(Date)
    #: extension or pause ("" if never moved), the latest reason and who asked for it.
    extension_kind: Mapped[str] = mapped_column(String(10), default="", server_default="")
    extension_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    extension_requested_by: Mapped[str] = mapped_column(String(20), default="", server_default="")
    extended_on: Mapped[date | None] = mapped_column(Date)


#: The index of a case's audit events that are not views: its history as the case page and
#: the API show it, read without passing over every view (migration 0039).
HISTORY_INDEX = "ix_audit_events_case_history"


class AuditEvent(Base):
    """Append-only record of every change: who, when, from which state to which, and what."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_case", "case_id", "id"),
        # A case's history without its views (workflows.describe, migration 0039).
        Index(
            HISTORY_INDEX,
            "case_id",
            "id",
            sqlite_where=text("event != 'viewed'"),
            postgresql_where=text("event != 'viewed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_reviews.id"))
    at: Mapped[datetime]
    #: The person (their e-mail) or the process (``command line``, ``scheduler``).
    actor: Mapped[str] = mapped_column(String(320))
    event: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(30), default="")
    to_state: Mapped[str] = mapped_column(String(30), default="")
    #: The date the step happened, which may be a day or two before it was recorded.
    step_on: Mapped[date | None] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Where the person acted from (their IP address), when through the web or the API.
    client_address: Mapped[str] = mapped_column(String(45), default="", server_default="")
    #: The web or API request that wrote it (the X-Request-ID of the logs), so an event and
    #: the log lines of its request can be matched; empty for the CLI and the scheduler.
    request_id: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: The hash chain (triggers.audit): the digest of the free text (``data``, which
    #: retention may remove), the digest of all else recorded and of ``text_hash``, the
    #: previous event's link, and this event's link over both.
    text_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    prev_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    #: When retention removed the free text from ``data`` (``text_hash`` stands for it).
    redacted_on: Mapped[date | None] = mapped_column(Date)

    case: Mapped[CaseReview | None] = relationship()


class AuditChain(Base):
    """The head of the audit hash chain: the latest event's hash, locked by each appender."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))


class OutboxMessage(Base):
    """A letter, e-mail or reminder to send, written in the same transaction as its cause."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "send_after",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # The sweep's stale claims: the rows being sent just now.
        Index(
            "ix_outbox_sending",
            "claimed_at",
            sqlite_where=text("status = 'sending'"),
            postgresql_where=text("status = 'sending'"),
        ),
        # The dashboard's "could not be sent": a few rows among millions sent.
        Index(
            "ix_outbox_failed",
            "id",
            sqlite_where=text("status = 'failed'"),
            postgresql_where=text("status = 'failed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    #: acknowledgement, chronology_request, threshold_met, threshold_not_met, ...
    kind: Mapped[str] = mapped_column(String(40))
    #: applicant, agency:<id>, manager, chair.
    recipient: Mapped[str] = mapped_column(String(60))
    #: Makes a second write of the same message a no-op.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    #: pending, sending, sent or failed; held (waiting for a manager's approval);
    #: cancelled: a held letter not approved, or the step that queued it was reversed
    #: before it went (workflows.service.reverse_step).
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    send_after: Mapped[datetime]
    created_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, _context: object, _instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("audit events are append-only: they are never changed or deleted")
    if any(isinstance(obj, AuditEvent) for obj in session.new):
        # The chain's links and lock are kept in one place: an event added here would skip them.
        raise RuntimeError("audit events are written by triggers.audit.append_events only")


class ApplicationDraft(Base):
    """An online application being filled in: the answers so far, until sent or expired.

    Kept on the server, not in the visitor's cookie (which holds only the random token),
    so no personal data travels in a cookie; deleted when sent, and by the sweep once it
    has not changed for ``online.draft_expiry_minutes``.
    """

    __tablename__ = "application_drafts"

    #: A random token (secrets.token_urlsafe), never shown in a URL.
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)


class Heartbeat(Base):
    """The last time something periodic succeeded, for the metrics endpoint (web.metrics):
    a scheduler that stopped sweeping shows as a growing age, whichever host it ran on."""

    __tablename__ = "heartbeats"

    #: ``sweep`` (each successful sweep), ``audit_verified`` (each clean `audit verify`).
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    at: Mapped[datetime]
    #: The host and process that wrote it (host:pid).
    by: Mapped[str] = mapped_column(String(100), default="", server_default="")


class PublishedFigures(Base):
    """One published version of a year's figures, exactly as published (the public page, the
    CSV and the JSON), kept when a later version restates it: what was once on the
    partnership's website stays on record, with the reason for each restatement."""

    __tablename__ = "published_figures"
    __table_args__ = (UniqueConstraint("partnership_id", "start_year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"))
    #: The performance year, by the calendar year it starts in (2025 is 2025/26).
    start_year: Mapped[int] = mapped_column(Integer)
    #: 1 for the first publication of the year, then 2, 3, ... for each restatement.
    version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime]
    published_on: Mapped[date] = mapped_column(Date)
    published_by: Mapped[str] = mapped_column(String(320))
    #: The year had not ended when published: its figures will still change.
    is_provisional: Mapped[bool] = mapped_column(Boolean)
    #: Why an earlier version was restated ("" for the first).
    reason: Mapped[str] = mapped_column(Text, default="")
    index_html: Mapped[str] = mapped_column(Text)
    #: The Welsh page (cy/index.html), when the partnership was bilingual; else "".
    index_cy_html: Mapped[str] = mapped_column(Text, default="")
    figures_csv: Mapped[str] = mapped_column(Text)
    figures_json: Mapped[str] = mapped_column(Text)

    partnership: Mapped[Partnership] = relationship()


class MessageDelivery(Base):
    """One attempt at sending an outbox message: its delivery history, and for the attempt
    that went, the message exactly as sent (addresses, subject, headers, text, and the PDF
    a posted letter was printed from), so that a person can read what the applicant got."""

    __tablename__ = "message_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    at: Mapped[datetime]
    #: sent, retrying or failed.
    outcome: Mapped[str] = mapped_column(String(10))
    error: Mapped[str] = mapped_column(Text, default="")
    sent_to: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[str] = mapped_column(Text, default="")
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)


class LetterTemplate(Base):
    """A partnership's own wording of one kind of letter, each save a new version (the
    earlier kept); the latest is used, else the shipped template (notifications.templates)."""

    __tablename__ = "letter_templates"
    __table_args__ = (UniqueConstraint("partnership_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"))
    #: The template's name (findings, acknowledgement, reminder, ...).
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(320))


class Document(Base):
    """A file attached to a case: the police chronology, the panel's minutes, a letter.

    The bytes live in a document store (``triggers.document_store``) under ``storage_key``;
    the row says what the file is, as checked from its content, and who added it."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    #: What the person called it ("Police chronology to 30 November").
    title: Mapped[str] = mapped_column(String(200))
    #: The file's name as sent, cleaned; offered again on download.
    file_name: Mapped[str] = mapped_column(String(255))
    #: The type found in the content (never the name's or the browser's): pdf, word,
    #: word_97, image or email; and its MIME type, sent on download.
    kind: Mapped[str] = mapped_column(String(20))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    #: SHA-256 of the content: the same file twice is seen, and a file read back is checked.
    sha256: Mapped[str] = mapped_column(String(64))
    #: The store's key: random, never from the file's name.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: The agency it came from (None: the partnership itself, or the victim).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    added_at: Mapped[datetime]
    #: The person (their e-mail) who added it.
    added_by: Mapped[str] = mapped_column(String(320))

    agency: Mapped[Agency | None] = relationship(lazy="joined")


class DocumentContent(Base):
    """The bytes of a document when ``documents.storage = "database"``."""

    __tablename__ = "document_contents"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Note(Base):
    """A note on a case, or an entry of its contact log (a call, a visit, an e-mail...).

    Its author may edit it for ``documents.note_edit_minutes``; after that a note is changed
    only by a correction: a new note that ``corrects`` it, with a reason, both kept."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    #: note, call, visit, email, letter or meeting.
    kind: Mapped[str] = mapped_column(String(20))
    #: When the contact happened (or the note's date).
    occurred_on: Mapped[date] = mapped_column(Date)
    #: Who the contact was with ("the victim", "PC Shah"): empty for a plain note.
    with_whom: Mapped[str] = mapped_column(String(200), default="", server_default="")
    text: Mapped[str] = mapped_column(Text)
    #: The author (their e-mail) and their account, which alone may edit it for a while.
    author: Mapped[str] = mapped_column(String(320))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    #: The note this one corrects, and why; the corrected note is kept as it was.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id"))
    correction_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
