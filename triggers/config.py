"""The partnership's local policy, read from ``config.toml``.

The Act (s.104) fixes a floor; everything above it is local policy (limits in working
days, the local threshold routes, closure days, the themes panels record). It lives in one
readable file so that a partnership changes policy without changing code. Unknown keys and
wrong types are errors, not warnings: a mistyped statutory limit must never fall back
silently to a default.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, get_type_hints

from triggers.notices import LettersConfig, PrivacyConfig, SupportConfig, check_notices
from triggers.review_routes import ReviewRoutesConfig
from triggers.review_routes import addresses as review_route_addresses
from triggers.review_routes import problems as review_route_problems
from triggers.welsh import WELSH_TABLES, untranslated

#: Environment variables that override the file, for secrets and per-deployment settings.
ENV_CONFIG = "CASEREVIEW_CONFIG"
ENV_DATABASE_URL = "DATABASE_URL"

STATUTORY_MAXIMUM_INCIDENTS = 3
STATUTORY_COMPLAINT_MONTHS = 1
STATUTORY_APPLICATION_MONTHS = 6


class ConfigError(Exception):
    """The configuration file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class DatabaseConfig:
    #: SQLAlchemy URL. A relative SQLite path is relative to the config file's folder.
    url: str = "sqlite:///casereview.db"


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    #: Secret for signing sessions; CASEREVIEW_SECRET_KEY overrides it.
    secret_key: str = ""
    #: A signed-in person is signed out after this many minutes without a request.
    session_minutes: int = 30
    #: Send the session cookie over HTTPS only: set true behind HTTPS (always in production).
    secure_cookies: bool = False
    #: Sign-in attempts allowed per client address, as Flask-Limiter reads it.
    sign_in_limit: str = "10 per minute"
    #: An API token stops working this many days after it was made (NCSC: credentials
    #: that expire limit what a lost one can do).
    token_days: int = 90
    #: The address people reach the service at, for links in e-mails (a password reset).
    #: Never taken from a request's Host header, which anyone can set.
    public_url: str = ""
    #: Where the sign-in and submission limits are counted: memory:// (one machine) or
    #: redis://host:6379/0, shared by every node (Flask-Limiter's storage URI).
    limits_storage: str = "memory://"
    #: "text" (for a person at a terminal) or "json" (one JSON object a line, per request).
    log_format: str = "text"
    #: Reverse proxies in front that set X-Forwarded-For/-Proto (0: none, clients connect
    #: directly); the client's address is then read from the proxy's header.
    proxies: int = 0


@dataclass(frozen=True)
class PartnershipConfig:
    name: str = "Example Community Safety Partnership"
    #: Prefix of case references: CT-2025-007.
    code: str = "CT"
    contact_email: str = ""
    contact_phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class CalendarConfig:
    #: Whose bank holidays count: "england" or "wales".
    region: str = "england"
    #: Local closure days (for example the days between Christmas and New Year).
    closure_days: tuple[date, ...] = ()
    #: The time zone in which "today" is read for a partnership.
    timezone: str = "Europe/London"


@dataclass(frozen=True)
class DeadlinesConfig:
    """Limits in working days; day 1 is the first working day after the starting date."""

    acknowledge: int = 5
    threshold_decision: int = 10
    panel: int = 28
    findings: int = 5
    appeal_window: int = 20
    appeal_decision: int = 20


@dataclass(frozen=True)
class SameIncidentReportersRule:
    enabled: bool = True
    minimum_reporters: int = 3


@dataclass(frozen=True)
class HateIncidentRule:
    enabled: bool = True
    minimum_incidents: int = 1
    #: How long after a hate-related complaint an application may still rely on it.
    application_within_months: int = 6


@dataclass(frozen=True)
class ThresholdConfig:
    #: Separate incidents with a qualifying complaint that meet the threshold (Act: 3 at most).
    statutory_minimum_incidents: int = 3
    #: A complaint qualifies when made within this many months beginning with the behaviour.
    complaint_within_months: int = 1
    #: ... and the application is made within this many months beginning with the complaint.
    application_within_months: int = 6
    #: Whether the local routes (not the Act's floor) also count complaints made to bodies
    #: that are not relevant bodies (an MP, a private landlord). The floor never does.
    local_routes_count_any_body: bool = False
    same_incident_reporters: SameIncidentReportersRule = field(
        default_factory=SameIncidentReportersRule
    )
    hate_incident: HateIncidentRule = field(default_factory=HateIncidentRule)


@dataclass(frozen=True)
class AgencyConfig:
    name: str
    #: council, police, housing_provider, health or other.
    kind: str = "other"
    email: str = ""


@dataclass(frozen=True)
class ThemeConfig:
    key: str
    label: str
    #: The theme on the Welsh published page (required of a Welsh or bilingual partnership).
    label_cy: str = ""


@dataclass(frozen=True)
class MailConfig:
    """How letters and reminders leave: CASEREVIEW_MAIL_URL overrides ``sender`` and friends."""

    #: file (writes .eml files to ``folder``), smtp, or notify (GOV.UK Notify).
    sender: str = "file"
    folder: str = "outbox"
    from_address: str = "casereview@example.org"
    from_name: str = ""
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_starttls: bool = False
    #: The password comes from CASEREVIEW_SMTP_PASSWORD, never from this file.
    smtp_username: str = ""
    smtp_timeout_seconds: int = 30
    #: GOV.UK Notify: the API key comes from CASEREVIEW_NOTIFY_API_KEY.
    notify_email_template_id: str = ""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    #: A folder of the partnership's own templates; a file there overrides the shipped one.
    templates_folder: str = ""
    #: Give up (and show the message as failed) after this many attempts.
    max_attempts: int = 6
    #: First retry after this many seconds, doubling each time.
    retry_after_seconds: int = 60
    #: Letter kinds (template names, e.g. "findings") that wait on My tasks for a manager to
    #: read, perhaps edit, and approve or cancel before they go (web/messages.py).
    hold_for_approval: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemindersConfig:
    #: Remind this many working days before each deadline (one reminder per number).
    before: tuple[int, ...] = (5, 2)
    on_the_day: bool = True
    #: Escalate to the manager and the CSP chair on the first working day after a deadline.
    escalate: bool = True
    #: One digest a day per person instead of one e-mail per reminder.
    daily_digest: bool = False


@dataclass(frozen=True)
class StatisticsConfig:
    """The published figures (s.104(10) of the Act: at least every twelve months)."""

    #: The month the performance year starts: 4 for 1 April to 31 March, 1 for calendar years.
    year_start_month: int = 4
    #: A published count by area below this is hidden ("suppressed"), and so are the next
    #: smallest until none can be worked out from the total: nobody is identifiable from
    #: a small number in a small place.
    suppress_below: int = 3
    #: The wards (or beats) published by name; any other ward as typed counts under "Other
    #: area", so an address or a name typed as a ward never reaches the public page.
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class RetentionConfig:
    """How long a closed case keeps its personal data (councils keep ASB files 3 to 6 years)."""

    #: Whole years after the case closed or was withdrawn; then it is anonymised.
    years_after_closure: int = 6
    #: Anonymise every day from the scheduler; off, `casereview retention run` does it by hand.
    daily: bool = True


@dataclass(frozen=True)
class SsoConfig:
    """Optional single sign-on with the council's identity provider (OpenID Connect)."""

    enabled: bool = False
    #: The provider's issuer URL; its /.well-known/openid-configuration is read from there.
    issuer: str = ""
    client_id: str = ""
    #: The button on the sign-in page.
    label: str = "Sign in with your council account"
    #: The client secret comes from CASEREVIEW_SSO_CLIENT_SECRET, never from this file.


@dataclass(frozen=True)
class OnlineConfig:
    """The public application form on the partnership's website (/apply)."""

    #: Serve the form; off, /apply says how to apply by phone, e-mail or post instead.
    enabled: bool = True
    #: A half-finished application is deleted this many minutes after its last change.
    draft_expiry_minutes: int = 60
    #: Applications sent per client address, as Flask-Limiter reads it.
    submission_limit: str = "5 per hour"
    #: New applications started (drafts made) per client address: a script cannot fill the
    #: database with drafts. Generous enough for a library or an office behind one address.
    draft_limit: str = "20 per hour"
    #: Incidents one application may hold (the form's pages are numbered up to 1000).
    most_incidents: int = 50
    #: Characters of each long answer (what happened, why unhappy); short ones have their own.
    longest_answer: int = 5000


@dataclass(frozen=True)
class LanguageConfig:
    """Cymraeg (issue 21): the Welsh Language Standards ask a Welsh partnership to treat Welsh
    no less favourably than English, and to write in Welsh where a preference is not known."""

    #: The language public pages open in: "en" or "cy".
    default: str = "en"
    #: Welsh and English both: the public pages lead with Welsh.
    bilingual: bool = False
    #: The partnership's own catalogs (a folder holding cy/LC_MESSAGES/messages.mo); an entry
    #: there overrides the shipped one. Relative to this file's folder.
    catalog_folder: str = ""


#: The languages casereview has catalogs for.
LANGUAGES = ("en", "cy")


@dataclass(frozen=True)
class AuditConfig:
    """The audit trail's anchor outside the database (triggers.audit_anchor)."""

    #: The append-only file of signed checkpoints; keep it off the database's server.
    #: Empty: no checkpoints, and `casereview audit verify` says it could not check them.
    checkpoint_file: str = ""
    #: A file holding the checkpoints' key; CASEREVIEW_AUDIT_KEY takes precedence. The key
    #: is never written in this file nor in the database.
    key_file: str = ""
    #: The scheduler writes a checkpoint this often, if the trail moved; 0: only by hand.
    checkpoint_minutes: int = 60
    #: Also e-mail each checkpoint here (through the outbox): a second copy out of reach of
    #: whoever holds the server, to check against with `audit verify --checkpoints`.
    checkpoint_email: str = ""


@dataclass(frozen=True)
class MetricsConfig:
    """The Prometheus endpoint (/metrics), for the operations team; off by default."""

    enabled: bool = False
    #: The scraper sends it as "Authorization: Bearer TOKEN"; CASEREVIEW_METRICS_TOKEN
    #: overrides it. Required when enabled.
    token: str = ""


@dataclass(frozen=True)
class DocumentsConfig:
    """Files attached to cases (the police chronology, the panel's minutes, a victim's letter)
    and the notes and contact log beside them (workflows.documents)."""

    #: "folder" (files under ``folder``, private to the service's account) or "database"
    #: (in the database itself: one backup holds everything).
    storage: str = "folder"
    #: Where "folder" storage keeps the files; relative to this file's folder.
    folder: str = "documents"
    #: The largest file accepted, in megabytes (1 to 100).
    largest_megabytes: int = 20
    #: A note can be edited by its author for this many minutes; after that, only corrected
    #: (the correction is kept beside the original, with its reason).
    note_edit_minutes: int = 60


DOCUMENT_STORAGES = ("folder", "database")


@dataclass(frozen=True)
class Config:
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    partnership: PartnershipConfig = field(default_factory=PartnershipConfig)
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    deadlines: DeadlinesConfig = field(default_factory=DeadlinesConfig)
    threshold: ThresholdConfig = field(default_factory=ThresholdConfig)
    mail: MailConfig = field(default_factory=MailConfig)
    reminders: RemindersConfig = field(default_factory=RemindersConfig)
    statistics: StatisticsConfig = field(default_factory=StatisticsConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    sso: SsoConfig = field(default_factory=SsoConfig)
    online: OnlineConfig = field(default_factory=OnlineConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    audit: AuditConfig = field(default_factory=AuditConfig)
    review_routes: ReviewRoutesConfig = field(default_factory=ReviewRoutesConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    documents: DocumentsConfig = field(default_factory=DocumentsConfig)
    agencies: tuple[AgencyConfig, ...] = ()
    themes: tuple[ThemeConfig, ...] = ()
    #: The privacy notice, the support services and what letters ask of agencies.
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    support: SupportConfig = field(default_factory=SupportConfig)
    letters: LettersConfig = field(default_factory=LettersConfig)
    #: Where the file was read from; relative paths in it are relative to its folder.
    source: Path | None = None

    def theme_keys(self) -> list[str]:
        return [theme.key for theme in self.themes]


AGENCY_KINDS = ("council", "police", "housing_provider", "health", "other")
REGIONS = {"england": "ENG", "wales": "WLS"}
MAIL_SENDERS = ("file", "smtp", "notify")


def default_config_path() -> Path:
    """The file named by CASEREVIEW_CONFIG, else ``config.toml`` in the working folder."""
    return Path(os.environ.get(ENV_CONFIG) or "config.toml")


def load_config(
    path: str | Path | None = None,
    *,
    environ: dict[str, str] | None = None,
    reading: bool = False,
) -> Config:
    """Read, check and return the configuration; raise ConfigError naming what is wrong.

    ``reading``: for a command that only reads cases and figures (``casereview stats``,
    ``case show``), which never uses the rates or the e-mail addresses; their checks are
    the two that import a library (``limits``, ``email-validator``: half a second of a
    command's start) and are left to everything else that loads the configuration."""
    environ = dict(os.environ if environ is None else environ)
    path = Path(path) if path is not None else default_config_path()
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    config = config_from_dict(raw, source=path, reading=reading)
    return apply_environment(config, environ)


def config_from_dict(
    raw: dict[str, Any], *, source: Path | None = None, reading: bool = False
) -> Config:
    """Build a checked Config from parsed TOML (tests use this with small dicts); with
    ``reading``, without the rates' and addresses' checks (``load_config``)."""
    where = str(source) if source else "config"
    config = _build(Config, {**raw}, where, path="")
    config = dataclasses.replace(config, source=source.resolve() if source else None)
    _check_policy(config, where)
    if not reading:
        _check_rates_and_addresses(config, where)
    if problem := check_notices(config.letters, config.deadlines.threshold_decision, where):
        raise ConfigError(problem)
    return config


def apply_environment(config: Config, environ: dict[str, str]) -> Config:
    """Let the environment override the database URL, the secret key, the metrics token and
    the limits' storage (which may carry a Redis password)."""
    if url := environ.get(ENV_DATABASE_URL):
        config = dataclasses.replace(config, database=DatabaseConfig(url=url))
    if secret := environ.get("CASEREVIEW_SECRET_KEY"):
        config = dataclasses.replace(
            config, server=dataclasses.replace(config.server, secret_key=secret)
        )
    if token := environ.get("CASEREVIEW_METRICS_TOKEN"):
        config = dataclasses.replace(
            config, metrics=dataclasses.replace(config.metrics, token=token)
        )
    if storage := environ.get("CASEREVIEW_LIMITS_STORAGE"):
        config = dataclasses.replace(
            config, server=dataclasses.replace(config.server, limits_storage=storage)
        )
    return config


def relative_path(config: Config, path: str) -> Path:
    """A path from the config file, relative to the file's folder."""
    candidate = Path(path)
    if candidate.is_absolute() or config.source is None:
        return candidate
    return config.source.parent / candidate


def database_url(config: Config) -> str:
    """The database URL, with a relative SQLite path resolved against the config's folder."""
    url = config.database.url
    prefix = "sqlite:///"
    if url.startswith(prefix) and config.source is not None:
        path = url[len(prefix) :]
        if path and path != ":memory:" and not Path(path).is_absolute():
            return prefix + str((config.source.parent / path).resolve())
    return url


def _build(cls: type, raw: Any, where: str, path: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [{path or 'top level'}] must be a table")
    hints = get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name != "source"]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in names:
            hint = difflib.get_close_matches(key, names, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            known = ", ".join(names)
            raise ConfigError(
                f"{where}: unknown key '{_join(path, key)}'{suggestion}; known keys here: {known}"
            )
        values[key] = _convert(hints[key], value, where, _join(path, key))
    missing = [
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
        and f.name not in values
    ]
    if missing:
        raise ConfigError(f"{where}: [{path}] needs {', '.join(repr(m) for m in missing)}")
    return cls(**values)


def _convert(hint: Any, value: Any, where: str, path: str) -> Any:
    origin = getattr(hint, "__origin__", None)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where, path)
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: '{path}' must be a list")
        item_type = hint.__args__[0]
        return tuple(
            _convert(item_type, item, where, f"{path}[{index}]") for index, item in enumerate(value)
        )
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: '{path}' must be true or false (got {value!r})")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: '{path}' must be a whole number (got {value!r})")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: '{path}' must be text in quotes (got {value!r})")
        return value
    if hint is date:
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise ConfigError(f"{where}: '{path}' must be a date written YYYY-MM-DD (got {value!r})")
    raise ConfigError(f"{where}: '{path}' has a type this version cannot read")  # pragma: no cover


def _check_rates_and_addresses(config: Config, where: str) -> None:
    """Each rate such as "5 per hour", in the notation Flask-Limiter reads, and each e-mail
    address, by the one rule of every channel (``triggers.text``). Their libraries are
    imported here, when a value is checked, not with the configuration."""
    from limits import parse_many

    from triggers.text import email_problem

    for name, limit in (
        ("server.sign_in_limit", config.server.sign_in_limit),
        ("online.submission_limit", config.online.submission_limit),
        ("online.draft_limit", config.online.draft_limit),
    ):
        try:
            parse_many(limit)
        except ValueError:
            raise ConfigError(
                f"{where}: '{name}' must be a rate such as \"5 per hour\" (got {limit!r})"
            ) from None
    addresses = [
        ("mail.from_address", config.mail.from_address),
        ("partnership.contact_email", config.partnership.contact_email),
        *((f"agencies[{i}].email", agency.email) for i, agency in enumerate(config.agencies)),
        *review_route_addresses(config.review_routes),
    ]
    for name, address in addresses:
        if address and (problem := email_problem(address)):
            raise ConfigError(f"{where}: '{name}' {problem}")


def _check_policy(config: Config, where: str) -> None:
    """Refuse local policy that would undercut the statutory floor."""
    if config.language.default not in LANGUAGES:
        raise ConfigError(
            f'{where}: \'language.default\' must be "en" or "cy" (got {config.language.default!r})'
        )
    threshold = config.threshold
    if not 1 <= threshold.statutory_minimum_incidents <= STATUTORY_MAXIMUM_INCIDENTS:
        raise ConfigError(
            f"{where}: 'threshold.statutory_minimum_incidents' is "
            f"{threshold.statutory_minimum_incidents}; section 104 of the Anti-social Behaviour, "
            "Crime and Policing Act 2014 lets a partnership set a number from 1 to 3, never "
            "higher"
        )
    if threshold.complaint_within_months < STATUTORY_COMPLAINT_MONTHS:
        raise ConfigError(
            f"{where}: 'threshold.complaint_within_months' may not be shorter than the Act's "
            "one calendar month"
        )
    if threshold.application_within_months < STATUTORY_APPLICATION_MONTHS:
        raise ConfigError(
            f"{where}: 'threshold.application_within_months' may not be shorter than the Act's "
            "six calendar months"
        )
    for name, value in (
        (
            "threshold.same_incident_reporters.minimum_reporters",
            threshold.same_incident_reporters.minimum_reporters,
        ),
        ("threshold.hate_incident.minimum_incidents", threshold.hate_incident.minimum_incidents),
        (
            "threshold.hate_incident.application_within_months",
            threshold.hate_incident.application_within_months,
        ),
    ):
        if value < 1:
            raise ConfigError(f"{where}: '{name}' must be 1 or more (got {value})")
    for step, days in dataclasses.asdict(config.deadlines).items():
        if not 1 <= days <= 250:
            raise ConfigError(
                f"{where}: 'deadlines.{step}' must be between 1 and 250 working days (got {days})"
            )
    if config.calendar.region not in REGIONS:
        raise ConfigError(
            f"{where}: 'calendar.region' must be one of {', '.join(REGIONS)} "
            f"(got {config.calendar.region!r})"
        )
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(config.calendar.timezone)
    except Exception:
        raise ConfigError(
            f"{where}: 'calendar.timezone' {config.calendar.timezone!r} is not a known time zone"
        ) from None
    if config.mail.sender not in MAIL_SENDERS:
        raise ConfigError(
            f"{where}: 'mail.sender' must be one of {', '.join(MAIL_SENDERS)} "
            f"(got {config.mail.sender!r})"
        )
    if config.mail.max_attempts < 1 or config.mail.retry_after_seconds < 1:
        raise ConfigError(
            f"{where}: 'mail.max_attempts' and 'mail.retry_after_seconds' must be 1 or more"
        )
    if any(days < 1 or days > 60 for days in config.reminders.before):
        raise ConfigError(f"{where}: 'reminders.before' must list working days from 1 to 60")
    if not 1 <= config.statistics.year_start_month <= 12:
        raise ConfigError(
            f"{where}: 'statistics.year_start_month' must be a month from 1 to 12 "
            f"(got {config.statistics.year_start_month})"
        )
    if config.sso.enabled and not (
        config.sso.issuer.startswith(("https://", "http://")) and config.sso.client_id
    ):
        raise ConfigError(f"{where}: [sso] needs an 'issuer' URL and a 'client_id' when enabled")
    if not 1 <= config.server.session_minutes <= 24 * 60:
        raise ConfigError(f"{where}: 'server.session_minutes' must be from 1 to 1440")
    if not 1 <= config.server.token_days <= 3660:
        raise ConfigError(f"{where}: 'server.token_days' must be from 1 to 3660")
    if config.server.public_url and not config.server.public_url.startswith(
        ("https://", "http://")
    ):
        raise ConfigError(f"{where}: 'server.public_url' must start with https:// or http://")
    if not 1 <= config.retention.years_after_closure <= 100:
        raise ConfigError(
            f"{where}: 'retention.years_after_closure' must be whole years from 1 to 100 "
            f"(got {config.retention.years_after_closure})"
        )
    if config.statistics.suppress_below < 1:
        raise ConfigError(f"{where}: 'statistics.suppress_below' must be 1 or more")
    area_keys = [" ".join(area.split()).casefold() for area in config.statistics.areas]
    if "" in area_keys or len(set(area_keys)) != len(area_keys):
        raise ConfigError(f"{where}: 'statistics.areas' must be different, non-empty names")
    if {"other area", "not recorded"} & set(area_keys):
        raise ConfigError(
            f'{where}: \'statistics.areas\' may not hold "Other area" or "Not recorded": '
            "the figures use them for wards not listed and for wards not recorded"
        )
    if not 5 <= config.online.draft_expiry_minutes <= 7 * 24 * 60:
        raise ConfigError(
            f"{where}: 'online.draft_expiry_minutes' must be from 5 to 10080 (a week) "
            f"(got {config.online.draft_expiry_minutes})"
        )
    if not 1 <= config.online.most_incidents <= 1000:
        raise ConfigError(
            f"{where}: 'online.most_incidents' must be from 1 to 1000 "
            f"(got {config.online.most_incidents})"
        )
    if not 500 <= config.online.longest_answer <= 50_000:
        raise ConfigError(
            f"{where}: 'online.longest_answer' must be from 500 to 50000 characters "
            f"(got {config.online.longest_answer})"
        )
    if not 0 <= config.audit.checkpoint_minutes <= 7 * 24 * 60:
        raise ConfigError(
            f"{where}: 'audit.checkpoint_minutes' must be from 0 (only by hand) to 10080 "
            f"(a week) (got {config.audit.checkpoint_minutes})"
        )
    _check_operations(config, where)
    _check_welsh(config, where)
    for problem in review_route_problems(config.review_routes):
        raise ConfigError(f"{where}: {problem}")
    _check_documents(config, where)
    code = config.partnership.code
    if not re.fullmatch(r"[A-Za-z0-9-]{1,10}", code):
        # ASCII only: the code starts every case reference, in URLs, letters and headers.
        raise ConfigError(
            f"{where}: 'partnership.code' must be 1 to 10 letters or digits (got {code!r})"
        )
    for index, agency in enumerate(config.agencies):
        if agency.kind not in AGENCY_KINDS:
            raise ConfigError(
                f"{where}: 'agencies[{index}].kind' must be one of {', '.join(AGENCY_KINDS)} "
                f"(got {agency.kind!r})"
            )
    names = [agency.name for agency in config.agencies]
    if len(set(names)) != len(names):
        raise ConfigError(f"{where}: two agencies share a name; names must be unique")
    keys = config.theme_keys()
    if len(set(keys)) != len(keys):
        raise ConfigError(f"{where}: two themes share a key; keys must be unique")


LOG_FORMATS = ("text", "json")
LIMITS_STORAGES = ("memory://", "redis://", "rediss://")


def _check_welsh(config: Config, where: str) -> None:
    """A Welsh or bilingual partnership gives its own letter text in Welsh too (Welsh
    Language Standards; ``triggers.welsh``)."""
    if not (config.language.bilingual or config.language.default == "cy"):
        return
    if unnamed := [theme.key for theme in config.themes if not theme.label_cy.strip()]:
        keys = ", ".join(f"'{key}'" for key in unnamed)
        raise ConfigError(
            f"{where}: themes {keys} have no 'label_cy': a Welsh or bilingual partnership "
            "names every theme in Welsh too (the published page in Welsh shows it)"
        )
    for table in WELSH_TABLES:
        if table == "review_routes.local_policing_body" and not (
            config.review_routes.local_policing_body.enabled
        ):
            continue
        english: Any = config
        for part in table.split("."):
            english = getattr(english, part)
        if missing := untranslated(english, table):
            keys = ", ".join(f"'{key}'" for key in missing)
            raise ConfigError(
                f"{where}: {keys} changed in English but not given in Welsh: a Welsh or "
                f"bilingual partnership writes them in [{table}.cy] too"
            )


def _check_documents(config: Config, where: str) -> None:
    documents = config.documents
    if documents.storage not in DOCUMENT_STORAGES:
        raise ConfigError(
            f"{where}: 'documents.storage' must be one of {', '.join(DOCUMENT_STORAGES)} "
            f"(got {documents.storage!r})"
        )
    if documents.storage == "folder" and not documents.folder.strip():
        raise ConfigError(f"{where}: 'documents.folder' is needed when storage is \"folder\"")
    if not 1 <= documents.largest_megabytes <= 100:
        raise ConfigError(f"{where}: 'documents.largest_megabytes' must be from 1 to 100")
    if not 0 <= documents.note_edit_minutes <= 7 * 24 * 60:
        raise ConfigError(
            f"{where}: 'documents.note_edit_minutes' must be from 0 to 10080 (a week)"
        )


def _check_operations(config: Config, where: str) -> None:
    """Settings for running on several machines (health, limits, metrics, logs)."""
    server = config.server
    if server.log_format not in LOG_FORMATS:
        raise ConfigError(
            f"{where}: 'server.log_format' must be one of {', '.join(LOG_FORMATS)} "
            f"(got {server.log_format!r})"
        )
    if not server.limits_storage.startswith(LIMITS_STORAGES):
        raise ConfigError(
            f"{where}: 'server.limits_storage' must be memory:// or a Redis URL such as "
            f"redis://127.0.0.1:6379/0 (got {server.limits_storage.split('@')[-1]!r})"
        )
    if not 0 <= server.proxies <= 5:
        raise ConfigError(f"{where}: 'server.proxies' must be from 0 to 5")
    # A metrics token set by the environment is checked when the app starts (web.metrics).


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
