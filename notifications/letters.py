"""Letters and e-mails from templates the partnership can edit.

Each template is plain text whose first line is ``Subject: ...``; a partnership overrides
one by putting a file of the same name in ``mail.templates_folder``. The same text becomes
the e-mail body, or a printable A4 PDF (WeasyPrint) for an applicant who chose post. Dates
read as people write them: "Monday 28 April 2025".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateNotFound,
)

from triggers.calendar import english_date, welsh_date_text, welsh_on_date


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str


class TemplateProblem(Exception):
    """A template cannot be rendered; the message names the template and the problem."""


def _english(value: Any) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.date()
    return english_date(value) if value else ""


def welsh_date(value: Any) -> str:
    """A date in Welsh from Babel's CLDR data, as inside a sentence: "dydd Llun 28 Ebrill 2025"."""
    from babel.dates import format_date

    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.date()
    return welsh_date_text(format_date(value, "EEEE d MMMM y", locale="cy")) if value else ""


def on_the_day_welsh(value: Any) -> str:
    """ "ar ddydd Llun 28 Ebrill 2025": "on" a date in Welsh, with the soft mutation "ar"
    asks of "dydd" (Babel gives the date alone, capitalised: "Dydd Llun 28 Ebrill 2025")."""
    return welsh_on_date(welsh_date(value))


def has_welsh(env: Environment, kind: str) -> bool:
    """Whether a Welsh version of the letter exists (``cy/<kind>.txt``)."""
    try:
        env.get_template(f"cy/{kind}.txt")
    except TemplateNotFound:
        return False
    return True


def render_in(
    env: Environment,
    kind: str,
    context: dict[str, Any],
    languages: list[str],
    own_text: str | None = None,
) -> Letter:
    """The letter in each language asked for, in that order (Welsh first on a bilingual
    letter, as the Welsh Language Standards ask): one subject, the texts one after another.
    ``own_text``, the partnership's wording from the Letters page, is of the English letter."""
    letters = [
        # A Welsh letter's context: the same, with the Welsh words compose puts in "welsh".
        render_letter(env, f"cy/{kind}", {**context, **context.get("welsh", {})})
        if language == "cy"
        else render_letter(env, kind, context, own_text)
        for language in languages
    ]
    if len(letters) == 1:
        return letters[0]
    return Letter(
        subject=" / ".join(letter.subject for letter in letters),
        body="\n\n".join(letter.body.strip() for letter in letters) + "\n",
    )


@lru_cache(maxsize=16)
def environment(templates_folder: Path | None = None) -> Environment:
    """One environment per templates folder, kept: compiling the templates again for every
    letter cost the sweep more than the rest of the letter. Jinja still notices a template
    edited on disk (it checks each file's time when asked for it)."""
    loaders = []
    if templates_folder is not None:
        loaders.append(FileSystemLoader(str(templates_folder)))
    loaders.append(PackageLoader("notifications", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
        autoescape=False,  # plain text; the HTML letter template escapes for itself below
    )
    env.filters["english"] = _english
    env.filters["cymraeg"] = welsh_date
    env.filters["ar_ddydd"] = on_the_day_welsh
    return env


def render_letter(
    env: Environment, kind: str, context: dict[str, Any], own_text: str | None = None
) -> Letter:
    """Render ``<kind>.txt`` (or the partnership's ``own_text`` of it, from the Letters
    page): its first line gives the subject, the rest is the body."""
    try:
        template = env.from_string(own_text) if own_text else env.get_template(f"{kind}.txt")
        text = template.render(**context)
    except Exception as error:  # any template error: say which template and why
        raise TemplateProblem(f"template {kind}.txt: {error}") from error
    first, _, rest = text.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise TemplateProblem(f"template {kind}.txt must start with a 'Subject:' line")
    body = re.sub(r"\n{3,}", "\n\n", rest).strip() + "\n"
    return Letter(subject=first.removeprefix("Subject:").strip(), body=body)


def render_pdf(env: Environment, letter: Letter, context: dict[str, Any]) -> bytes:
    """The letter as an A4 PDF to print and post."""
    from markupsafe import escape
    from weasyprint import HTML

    paragraphs = [p.strip() for p in letter.body.split("\n\n") if p.strip()]
    template = env.get_template("letter.html")
    html = template.render(
        **{key: _escaped(value, escape) for key, value in context.items()},
        subject=escape(letter.subject),
        paragraphs=[escape(p) for p in paragraphs],
        headings={escape(p) for p in paragraphs if _is_heading(p)},
    )
    return HTML(string=html).write_pdf()


def _is_heading(paragraph: str) -> bool:
    """A short line of its own without a full stop ("Why it was not met") heads a section;
    on paper it is printed as a heading, in an e-mail it reads as one already."""
    return (
        "\n" not in paragraph
        and len(paragraph) <= 60
        and not paragraph.endswith((".", ",", ":", ";", "?", "!"))
        and not paragraph.startswith("- ")
    )


def _escaped(value: Any, escape: Any) -> Any:
    if isinstance(value, str):
        return escape(value)
    return value


def panel_invitation_ics(
    uid: str,
    summary: str,
    panel_on: date,
    starts_at: str,
    duration_minutes: int,
    location: str,
    organiser: str,
    timezone: str,
    sequence: int = 0,
    method: str = "REQUEST",
) -> bytes:
    """An iCalendar message about a panel (RFC 5546): ``REQUEST`` invites, or moves the entry
    with the same UID and a higher SEQUENCE; ``CANCEL`` takes it out of the calendar."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", "-//casereview//ASB case review panel//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(
        panel_event(
            uid,
            summary,
            panel_on,
            starts_at,
            duration_minutes,
            location,
            organiser,
            timezone,
            sequence,
            cancelled=method == "CANCEL",
        )
    )
    calendar.add_missing_timezones()  # RFC 5545: a TZID names a VTIMEZONE of the same file
    return calendar.to_ical()


def panel_event(
    uid: str,
    summary: str,
    panel_on: date,
    starts_at: str,
    duration_minutes: int,
    location: str,
    organiser: str,
    timezone: str,
    sequence: int = 0,
    cancelled: bool = False,
):  # type: ignore[no-untyped-def]
    """One panel as an iCalendar event: the invitation's and the personal feed's (the same
    UID and SEQUENCE, so a calendar moves or cancels the one entry)."""
    from icalendar import Event, vCalAddress

    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.now(ZoneInfo("UTC")))
    if starts_at:
        hour, minute = (int(part) for part in starts_at.split(":"))
        start = datetime(
            panel_on.year, panel_on.month, panel_on.day, hour, minute, tzinfo=ZoneInfo(timezone)
        )
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=duration_minutes))
    else:
        event.add("dtstart", panel_on)
        event.add("dtend", panel_on + timedelta(days=1))
    if location:
        event.add("location", location)
    event.add("organizer", vCalAddress(f"mailto:{organiser}"))
    if cancelled:
        event.add("status", "CANCELLED")
    return event


def shipped_text(kind: str) -> str:
    """The shipped template of ``kind``, as the Letters page starts from."""
    source, _, _ = environment(None).loader.get_source(environment(None), f"{kind}.txt")  # type: ignore[union-attr]
    return source


def shipped_kinds() -> list[str]:
    """Every letter kind that has a template (the partials starting ``_`` are not letters)."""
    names = environment(None).list_templates(extensions=["txt"])
    return sorted(name[:-4] for name in names if not name.startswith("_"))


def template_problem(env: Environment, text: str, context: dict[str, Any] | None) -> str | None:
    """Why ``text`` cannot be a letter template, naming the line; None if it can. With a
    ``context`` (a real case's) it is also rendered, so a misspelt name is found too."""
    from jinja2 import TemplateSyntaxError

    if not text.lstrip().startswith("Subject:"):
        return "Line 1: the template must start with a 'Subject:' line"
    try:
        template = env.from_string(text)
    except TemplateSyntaxError as error:
        return f"Line {error.lineno}: {error.message}"
    if context is None:
        return None
    try:
        template.render(**context)
    except Exception as error:
        line = _template_line(error)
        where = f"Line {line}: " if line else ""
        return f"{where}{error}"
    return None


def _template_line(error: BaseException) -> int | None:
    """The line of the template a rendering error came from (Jinja's rewritten traceback)."""
    found = None
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            found = trace.tb_lineno
        trace = trace.tb_next
    return found
