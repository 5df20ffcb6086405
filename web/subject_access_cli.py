"""`casereview subject-access`: everything held about one person, as files.

Named in ``web.cli``'s lazy table. It replaced an older command of the same name (a name
alone exported every case with that name).
As on the case page, an e-mail address, a phone number or a case's victim record decides
which cases are the person's; a name only lists candidates, exported with ``--include REF``
once the manager has checked that they are the same person (``workflows.subject_access``).
"""

from __future__ import annotations

from pathlib import Path

import click

from triggers.db import write_transaction
from triggers.private_files import private_folder, write_private_bytes
from web.cli_context import Context, pass_context
from web.cli_context import actor_for as _actor
from web.cli_context import case_named as _case
from web.cli_context import partnership_for as _partnership
from web.cli_context import require_current_schema as _require_current_schema
from web.subject_access import as_json, as_pdf
from workflows.subject_access import Subject, find_subject, subject_access_record


@click.command("subject-access")
@click.option("--email", default="", help="The person's e-mail address.")
@click.option("--phone", default="", help="The person's phone number.")
@click.option("--name", default="", help="The person's name: it only proposes candidates.")
@click.option("--case", "from_case", metavar="REF", help="Start from this case's victim.")
@click.option(
    "--include",
    metavar="REF",
    multiple=True,
    help="A same-name candidate checked to be this person. Repeatable.",
)
@click.option(
    "--partnership", metavar="NAME", help="The partnership (default: the configured one)."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder for subject-access.json and subject-access.pdf.",
)
@pass_context
def subject_access(
    context: Context,
    email: str,
    phone: str,
    name: str,
    from_case: str | None,
    include: tuple[str, ...],
    partnership: str | None,
    out: Path,
) -> None:
    """Export everything held about one victim or applicant (UK GDPR Art. 15)."""
    if not (email.strip() or phone.strip() or name.strip() or from_case):
        raise click.UsageError("give the person's --email, --phone or --name, or a --case")
    _require_current_schema(context)
    with write_transaction(context.sessions()) as session:
        chosen = _partnership(session, context, partnership)
        start = _case(session, from_case) if from_case else None
        if start is not None and start.partnership_id != chosen.id:
            raise click.BadParameter(f"{start.reference} is not a case of {chosen.name}")
        subject = Subject(name=name, email=email, phone=phone)
        if start is not None:
            victim = Subject.of_victim(start)
            subject = Subject(
                name=name or victim.name,
                email=email or victim.email,
                phone=phone or victim.phone,
            )
        found = find_subject(session, chosen.id, subject, start)
        cases = found.chosen(list(include))
        left_out = [case for case in found.candidates if case not in cases]
        record = subject_access_record(
            session,
            cases,
            context.policy,
            _actor(session, None),
            context.now(),
            subject.asked_for(),
        )
        candidates = [
            f"  {case.reference}  {case.victim.name}, {case.victim.email or 'no e-mail'}, "
            f"received {case.received_on.isoformat()}"
            for case in left_out
        ]
    # Everything held about a person: private to the service's account, like the database.
    private_folder(out)
    write_private_bytes(out / "subject-access.json", as_json(record).encode("utf-8"))
    write_private_bytes(out / "subject-access.pdf", as_pdf(record))
    found_text = ", ".join(case["reference"] for case in record["cases"]) or "none"
    click.echo(f"Cases found: {found_text}. Wrote {out / 'subject-access.json'} and .pdf.")
    if candidates:
        click.echo(
            "Not included: the same name, but no e-mail address or phone number in common. "
            "Check each with the person; export again with --include REF for those that are "
            "theirs:"
        )
        click.echo("\n".join(candidates))
