"""`casereview stats`, `publish`, `return` and `import`: the yearly figures, the data
return, and past years' cases.

Named in ``web.cli``'s lazy table; errors go through its one-line
handler, so an import refused for bad rows lists every problem and exits 1.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import IO

import click

from triggers.calendar import english_date
from triggers.db import read_session, write_transaction
from triggers.figures import PerformanceYear, performance_year, report, year_containing
from web.cli_context import Context, pass_context, pass_reading_context
from web.cli_context import partnership_for as _partnership
from web.cli_context import require_current_schema as _require_current_schema
from web.publish import as_csv, as_json, as_markdown, publish


def _year(context: Context, start_year: int | None) -> PerformanceYear:
    month = context.config.statistics.year_start_month
    if start_year is None:
        return year_containing(context.policy.today(context.now()), month)
    if not 1000 <= start_year <= 9999:
        raise click.BadParameter(f"{start_year} is not a year like 2021", param_hint="--year")
    if not FIRST_YEAR <= start_year <= LAST_YEAR:
        raise click.BadParameter(
            f"{start_year} is outside the years casereview counts, {FIRST_YEAR} to {LAST_YEAR}",
            param_hint="--year",
        )
    return performance_year(start_year, month)


#: The performance years `--year` may name (a four-digit number outside them is a typing
#: slip, told apart from a number that is not a year at all).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _provisional(year: PerformanceYear, today: date) -> str:
    """The line under the title of a year not yet over: its figures will still change."""
    if year.end < today:
        return ""
    return (
        f"Provisional: the year ends on {english_date(year.end)}; these are the figures "
        f"as of {english_date(today)}, and they will change.\n"
    )


YEAR_OPTION = click.option(
    "--year",
    "start_year",
    type=int,
    metavar="YYYY",
    help="The performance year starting in YYYY (2021 is 2021/22); default: the current one.",
)
PARTNERSHIP_OPTION = click.option(
    "--partnership", metavar="NAME", help="One partnership, by name or code."
)


@click.command("stats")
@YEAR_OPTION
@PARTNERSHIP_OPTION
@click.option(
    "--format",
    "output",
    type=click.Choice(["md", "json", "csv"]),
    default="md",
    show_default=True,
    help="A table, a JSON object or CSV rows.",
)
@pass_reading_context
def stats(context: Context, start_year: int | None, partnership: str | None, output: str) -> None:
    """The year's figures: for one partnership, or all together and each on its own."""
    _require_current_schema(context)
    year = _year(context, start_year)
    with read_session(context.sessions()) as session:
        chosen = _partnership(session, context, partnership) if partnership else None
        result = report(session, year, context.config, chosen)
    rows = [result.total, *result.each]
    if output == "json":
        click.echo(as_json(result.as_dict()), nl=False)
    elif output == "csv":
        click.echo(as_csv(rows), nl=False)
    else:
        title, _, table = as_markdown(rows, context.config).partition("\n")
        today = context.policy.today(context.now())
        click.echo(f"{title}\n{_provisional(year, today)}{table}", nl=False)


@click.command("publish")
@YEAR_OPTION
@PARTNERSHIP_OPTION
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder to write index.html (and cy/index.html when bilingual), figures.csv and "
    "figures.json into.",
)
@pass_context
def publish_command(
    context: Context, start_year: int | None, partnership: str | None, out: Path
) -> None:
    """Write the public page of the year's figures, with CSV and JSON beside it."""
    _require_current_schema(context)
    year = _year(context, start_year)
    with read_session(context.sessions()) as session:
        chosen = _partnership(session, context, partnership)
        name = chosen.name
        try:
            written = publish(
                session, context.config, chosen, year, out, context.policy.today(context.now())
            )
        except OSError as error:
            raise click.ClickException(f"cannot write to {out}: {error.strerror}") from None
    click.echo(f"Published the figures for {year.label} ({name}):")
    for path in written:
        click.echo(f"  {path}")


@click.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--partnership", metavar="NAME", help="For rows with no partnership column.")
@click.option(
    "--process-version",
    type=int,
    metavar="N",
    help="Replay the rows on this version of the process (default: the newest).",
)
@pass_context
def import_command(
    context: Context,
    file: IO[str],
    dry_run: bool,
    partnership: str | None,
    process_version: int | None,
) -> None:
    """Import historical cases from a spreadsheet's CSV export (all rows or none)."""
    # Here, not with the module: it brings the whole process, which `stats` does not need.
    from workflows.case_review import newest, process_for
    from workflows.history_import import check_file, import_cases

    process = newest() if process_version is None else process_for(process_version)

    _require_current_schema(context)
    today = context.policy.today(context.now())
    source = Path(getattr(file, "name", "standard input")).name
    with write_transaction(context.sessions()) as session:
        default = _partnership(session, context, partnership)
        try:
            plan = check_file(file, session, context.policy, today, default, process)
        except UnicodeDecodeError:
            raise click.ClickException(
                f"{source} is not UTF-8 text: in Excel, save it with 'Save as' and the type "
                "'CSV UTF-8 (Comma delimited)', then import that file"
            ) from None
        already = f"; {len(plan.unchanged)} already imported, left as they are"
        if dry_run:
            session.rollback()
            click.echo(f"Dry run: {len(plan.new)} case(s) would be imported{already}.")
            return
        if not plan.new:
            click.echo(f"Nothing new to import from {source}{already}.")
            return
        with click.progressbar(length=len(plan.new), label="Importing", file=sys.stderr) as bar:
            import_cases(session, plan, context.policy, context.now(), source, bar.update)
    click.echo(f"Imported {len(plan.new)} case(s) from {source}{already}.")


@click.command("return")
@YEAR_OPTION
@PARTNERSHIP_OPTION
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder to write data-return-YEAR.csv and .json into.",
)
@pass_context
def return_command(
    context: Context, start_year: int | None, partnership: str | None, out: Path
) -> None:
    """Write the year's data return: one row per application, no personal data (the
    interim format until a national one is published)."""
    from triggers.data_return import as_csv as return_csv
    from triggers.data_return import as_json as return_json
    from triggers.data_return import return_rows

    _require_current_schema(context)
    year = _year(context, start_year)
    with read_session(context.sessions()) as session:
        chosen = _partnership(session, context, partnership) if partnership else None
        rows = return_rows(session, year, chosen.id if chosen else None)
    stem = f"data-return-{year.label.replace('/', '-')}"
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for extension, body in (("csv", return_csv(rows)), ("json", return_json(rows, year))):
            path = out / f"{stem}.{extension}"
            path.write_text(body, encoding="utf-8")
            written.append(path)
    except OSError as error:
        raise click.ClickException(f"cannot write to {out}: {error.strerror}") from None
    click.echo(f"Wrote the data return for {year.label}: {len(rows)} application(s).")
    for path in written:
        click.echo(f"  {path}")
