"""Where messages go: an SMTP server, GOV.UK Notify, or a folder of .eml files.

    SendError              the message did not go; ``temporary`` says whether to retry
                           (every failure is retried with backoff up to mail.max_attempts,
                           but a permanent one is reported as such)

The sender is chosen in config.toml; CASEREVIEW_MAIL_URL overrides it:
``smtp://host:port``, ``smtp+starttls://user@host:port``, ``file:///path``, ``notify:``.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

from triggers.config import Config, relative_path
from triggers.private_files import private_folder, write_private_bytes
from triggers.text import email_problem, header_text

ENV_MAIL_URL = "CASEREVIEW_MAIL_URL"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OutgoingMessage:
    to: tuple[str, ...]
    subject: str
    body: str
    #: Stable across retries, so a message sent twice can be recognised as the same one.
    message_id: str
    attachments: tuple[Attachment, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)


class SendError(Exception):
    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary


class Sender(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> None: ...


def recipients(message: OutgoingMessage) -> list[str]:
    """Each recipient, checked to be exactly one address: a stored "a@example.org,bob" must
    never become two recipients. A bad address is a permanent failure, not retried as if
    the server were down."""
    for address in message.to:
        if problem := email_problem(address):
            raise SendError(f"recipient {address!r} {problem}", temporary=False)
    return list(message.to)


#: Headers folded only past RFC 5322's hard limit of 998 characters. At the default 78 the
#: standard library moves a subject that does not fit beside "Subject:" whole onto the next
#: line, and a reader then sees it start with a space (an agency's "... recommendations for
#: Leicestershire Police" did). Set once the body is encoded, which keeps the default's
#: choice of encoding (long lines quoted-printable, never raw 8-bit).
HEADER_POLICY = email_policy.default.clone(max_line_length=998)


def _email(message: OutgoingMessage, from_address: str, from_name: str) -> EmailMessage:
    from datetime import UTC, datetime

    email = EmailMessage()
    email["From"] = (
        formataddr((header_text(from_name), from_address)) if from_name else from_address
    )
    email["To"] = ", ".join(recipients(message))
    # Header values pass through header_text: a line break in one would fail every retry.
    email["Subject"] = header_text(message.subject)
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(datetime.now(UTC))
    for name, value in message.headers.items():
        email[name] = header_text(value)
    email.set_content(message.body)
    for attachment in message.attachments:
        # "text/calendar; method=CANCEL": a calendar reads the method from the part's type.
        kind, *parameters = (part.strip() for part in attachment.content_type.split(";"))
        maintype, _, subtype = kind.partition("/")
        email.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=dict(parameter.partition("=")[::2] for parameter in parameters),
        )
    email.policy = HEADER_POLICY
    return email


@dataclass
class FileSender:
    """Writes each message as an .eml file: the embedded default for development and demos."""

    folder: Path
    from_address: str
    from_name: str = ""
    name: str = "file"

    def send(self, message: OutgoingMessage) -> None:
        try:
            private_folder(self.folder)
            safe = "".join(c if c.isalnum() or c in "-." else "_" for c in message.message_id)
            path = self.folder / f"{safe.strip('_')}.eml"
            # A letter names the applicant and the victim: private, as the database is.
            write_private_bytes(path, bytes(_email(message, self.from_address, self.from_name)))
        except OSError as error:
            raise SendError(f"cannot write to {self.folder}: {error}", temporary=True) from None


@dataclass
class SmtpSender:
    host: str
    port: int
    from_address: str
    from_name: str = ""
    starttls: bool = False
    username: str = ""
    password: str = ""
    timeout: float = 30
    name: str = "smtp"

    def send(self, message: OutgoingMessage) -> None:
        email = _email(message, self.from_address, self.from_name)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(email, from_addr=self.from_address, to_addrs=recipients(message))
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise SendError(
                f"recipients refused: {_codes(error.recipients)}",
                temporary=all(400 <= c < 500 for c in codes),
            ) from None
        except smtplib.SMTPResponseException as error:
            text = (
                error.smtp_error.decode(errors="replace")
                if isinstance(error.smtp_error, bytes)
                else str(error.smtp_error)
            )
            raise SendError(
                f"SMTP {error.smtp_code} {text}", temporary=400 <= error.smtp_code < 500
            ) from None
        except (smtplib.SMTPServerDisconnected, TimeoutError) as error:
            raise SendError(
                f"SMTP server {self.host}:{self.port} hung up or timed out: {error}", temporary=True
            ) from None
        except (ConnectionError, OSError) as error:
            raise SendError(
                f"cannot connect to SMTP server {self.host}:{self.port}: {error}", temporary=True
            ) from None
        except smtplib.SMTPException as error:
            raise SendError(f"SMTP error: {error}", temporary=True) from None


def _codes(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{addr} ({code} {text.decode(errors='replace')})"
        for addr, (code, text) in recipients.items()
    )


@dataclass
class NotifySender:
    """GOV.UK Notify through its official client: e-mails use one template with
    ((subject)) and ((body)) placeholders; PDF letters go as precompiled letters."""

    api_key: str
    template_id: str
    base_url: str
    name: str = "notify"

    def send(self, message: OutgoingMessage) -> None:
        import io

        from notifications_python_client.errors import HTTPError
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(self.api_key, base_url=self.base_url)
        addresses = recipients(message)
        try:
            for address in addresses:
                client.send_email_notification(
                    email_address=address,
                    template_id=self.template_id,
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=message.message_id,
                )
            for attachment in message.attachments:
                if attachment.content_type == "application/pdf" and message.headers.get(
                    "X-Casereview-Post"
                ):
                    client.send_precompiled_letter_notification(
                        reference=message.message_id, pdf_file=io.BytesIO(attachment.data)
                    )
        except HTTPError as error:
            status = getattr(error, "status_code", 0) or 0
            raise SendError(
                f"GOV.UK Notify {status}: {error.message}", temporary=status >= 500 or status == 429
            ) from None
        except Exception as error:  # network errors from requests
            raise SendError(f"GOV.UK Notify unreachable: {error}", temporary=True) from None


def sender_from_config(config: Config, environ: dict[str, str] | None = None) -> Sender:
    """The configured sender, or the one CASEREVIEW_MAIL_URL names."""
    environ = dict(os.environ if environ is None else environ)
    mail = config.mail
    url = environ.get(ENV_MAIL_URL, "").strip()
    if url:
        return sender_from_url(url, config, environ)
    if mail.sender == "smtp":
        return SmtpSender(
            mail.smtp_host,
            mail.smtp_port,
            mail.from_address,
            mail.from_name,
            mail.smtp_starttls,
            mail.smtp_username,
            environ.get("CASEREVIEW_SMTP_PASSWORD", ""),
            mail.smtp_timeout_seconds,
        )
    if mail.sender == "notify":
        return _notify(config, environ)
    return FileSender(relative_path(config, mail.folder), mail.from_address, mail.from_name)


def sender_from_url(url: str, config: Config, environ: dict[str, str]) -> Sender:
    mail = config.mail
    parsed = urlparse(url)
    if parsed.scheme in ("smtp", "smtp+starttls"):
        if not parsed.hostname:
            raise ValueError(f"{ENV_MAIL_URL}={url!r} names no host: use smtp://host:port")
        return SmtpSender(
            parsed.hostname,
            parsed.port or (587 if parsed.scheme == "smtp+starttls" else 25),
            mail.from_address,
            mail.from_name,
            starttls=parsed.scheme == "smtp+starttls",
            username=unquote(parsed.username or ""),
            password=unquote(parsed.password or "") or environ.get("CASEREVIEW_SMTP_PASSWORD", ""),
            timeout=mail.smtp_timeout_seconds,
        )
    if parsed.scheme == "file":
        return FileSender(Path(unquote(parsed.path)), mail.from_address, mail.from_name)
    if parsed.scheme == "notify":
        return _notify(config, environ)
    raise ValueError(
        f"{ENV_MAIL_URL}={url!r} is not understood: use smtp://host:port, "
        "smtp+starttls://user@host:port, file:///path/to/folder or notify:"
    )


def _notify(config: Config, environ: dict[str, str]) -> NotifySender:
    key = environ.get("CASEREVIEW_NOTIFY_API_KEY", "")
    if not key or not config.mail.notify_email_template_id:
        raise ValueError(
            "GOV.UK Notify needs CASEREVIEW_NOTIFY_API_KEY in the environment and "
            "mail.notify_email_template_id in config.toml"
        )
    return NotifySender(key, config.mail.notify_email_template_id, config.mail.notify_base_url)
