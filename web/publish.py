"""The yearly figures as people read them: a table, CSV, JSON, and the public page.

The public page is what a partnership puts on its website to meet the duty to publish
(s.104(10) of the 2014 Act): the figures, what an ASB case review is and how to apply, and a
chart of five years. It is one self-contained file (no script, no external styles or fonts)
holding no personal data: counts only; areas only from the partnership's list, and a count by
area below ``suppress_below`` hidden with as many others as it takes for the total not to
reveal it (``triggers.figures.suppressed``), so that nobody in a small area can be picked out.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from triggers.calendar import english_date
from triggers.config import Config
from triggers.figures import (
    COUNTS,
    REVIEW_COUNTS,
    STATUTORY,
    Figures,
    PerformanceYear,
    recent_years,
    report,
    suppressed,
)
from triggers.models import Partnership
from triggers.welsh import in_welsh

# The page's templates and catalogs (Jinja, Babel, Flask-Babel) are imported where the page
# is written: `casereview stats` prints the same figures without them.
if TYPE_CHECKING:
    from babel.support import NullTranslations

#: The chart's series: the Act's four figures, each with a colour of at least 3:1 on white.
SERIES = (
    ("applications_received", "#1d70b8"),
    ("threshold_not_met", "#d4351c"),
    ("reviews_carried_out", "#00703c"),
    ("reviews_with_recommendations", "#4c2c92"),
)


def labels(
    config: Config, _: Callable[[str], str] = lambda text: text, language: str = "en"
) -> dict[str, str]:
    """What each figure is called on a page, with the partnership's own limits; ``_`` gives
    the words in the page's ``language`` (the published page in Welsh, issue 21), and the
    local policing body is named in it (``[review_routes.local_policing_body.cy]``)."""
    limits = config.deadlines
    route = config.review_routes.local_policing_body
    name = in_welsh(route).name if language == "cy" else route.name
    body = name[:1].upper() + name[1:]
    return {
        "applications_received": _("Applications for an ASB case review received"),
        "threshold_met": _("Applications that met the threshold for a review"),
        "threshold_not_met": _("Times the threshold for a review was not met"),
        "awaiting_decision": _("Applications awaiting a threshold decision at the end of the year"),
        "withdrawn": _("Applications withdrawn"),
        "reviews_carried_out": _("ASB case reviews carried out"),
        "reviews_with_recommendations": _("Reviews that resulted in recommendations"),
        "appeals_received": _("Appeals received"),
        "appeals_upheld": _("Appeals upheld"),
        "policing_body_reviews_requested": _("Reviews asked of %(body)s") % {"body": name},
        "policing_body_reviews_upheld": _("%(body)s: reviews upheld") % {"body": body},
        "policing_body_reviews_not_upheld": _("%(body)s: reviews not upheld") % {"body": body},
        "refused_ineligible": _(
            "Applications refused as ineligible (anonymous, not anti-social behaviour, or "
            "already reviewed): not counted as threshold not met"
        ),
        "refused_vexatious": _(
            "Applications refused as vexatious: not counted as threshold not met"
        ),
        "acknowledged": _("Applications acknowledged"),
        "acknowledged_within_limit": (
            _("Acknowledged within %(days)s working days of receipt (or an agreed extension)")
            % {"days": limits.acknowledge}
        ),
        "acknowledged_within_extension": _("Of those, acknowledged within an agreed extension"),
        "panels_held": _("Review panels held"),
        "panels_within_limit": (
            _(
                "Panels held within %(days)s working days of the threshold decision "
                "(or an agreed extension)"
            )
            % {"days": limits.panel}
        ),
        "panels_within_extension": _("Of those, held within an agreed extension"),
        "hate_related": _("Applications involving a hate crime or hate incident"),
        "youth_asb": _("Applications highlighting youth ASB as an aggravating factor"),
    }


def theme_labels(config: Config, language: str = "en") -> dict[str, str]:
    """Each theme's name in ``language`` (``label_cy`` in Welsh, where given)."""
    if language == "cy":
        return {theme.key: theme.label_cy or theme.label for theme in config.themes}
    return {theme.key: theme.label for theme in config.themes}


# --- text formats ---------------------------------------------------------------------------


def as_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def is_provisional(year: PerformanceYear, on: date) -> bool:
    """A year not yet ended on ``on``: its figures will still change, and say so."""
    return on <= year.end


def status(year: PerformanceYear, on: date) -> str:
    return "provisional" if is_provisional(year, on) else "final"


def as_csv(rows: list[Figures], on: date | None = None) -> str:
    """One row per partnership and year; themes as ``theme:<key>`` columns; given the day
    ``on`` (as published), a last ``status`` column: provisional for a year not yet ended."""
    themes = list(dict.fromkeys(key for row in rows for key in row.themes()))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["partnership", "year", "period_start", "period_end", *COUNTS]
        + [f"theme:{key}" for key in themes]
        + (["status"] if on else [])
    )
    for row in rows:
        counts = row.as_dict()
        writer.writerow(
            [row.partnership, row.year.label, row.year.start, row.year.end]
            + [counts[name] for name in COUNTS]
            + [row.themes().get(key, 0) for key in themes]
            + ([status(row.year, on)] if on else [])
        )
    return buffer.getvalue()


def as_markdown(rows: list[Figures], config: Config) -> str:
    """A table a manager can paste into a report: one column per partnership."""
    names = labels(config)
    year = rows[0].year
    lines = [
        f"ASB case reviews, {year.label} ({english_date(year.start)} to {english_date(year.end)})",
        "",
        "| Figure | " + " | ".join(row.partnership for row in rows) + " |",
        "| --- |" + " ---: |" * len(rows),
    ]
    for name in COUNTS:
        cells = " | ".join(str(row.count(name)) for row in rows)
        lines.append(f"| {names[name]} | {cells} |")
    titles = theme_labels(config)
    for key in rows[0].themes():
        cells = " | ".join(str(row.themes().get(key, 0)) for row in rows)
        lines.append(f"| Theme: {titles.get(key, key)} | {cells} |")
    return "\n".join(lines) + "\n"


# --- the public page ----------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    value: int


@dataclass(frozen=True)
class Chart:
    """A grouped bar chart of five years, drawn as SVG by the template."""

    width: int
    height: int
    plot_top: int
    plot_bottom: int
    plot_left: int
    ticks: list[tuple[float, int]]
    groups: list[tuple[float, str]]
    bars: list[Bar]


def chart(history: list[Figures]) -> Chart:
    width, height, left, right, top, bottom = 640, 320, 48, 16, 24, 272
    highest = max([1] + [row.count(name) for row in history for name, _ in SERIES])
    step = _tick_step(highest)
    top_value = step * -(-highest // step)
    plot_height = bottom - top

    def y(value: int) -> float:
        return bottom - plot_height * value / top_value

    group_width = (width - left - right) / len(history)
    bar_width = (group_width - 16) / len(SERIES)
    bars, groups = [], []
    for index, row in enumerate(history):
        x0 = left + index * group_width + 8
        groups.append((x0 + (group_width - 16) / 2, row.year.label))
        for series, (name, colour) in enumerate(SERIES):
            value = row.count(name)
            bars.append(
                Bar(
                    x0 + series * bar_width,
                    y(value),
                    bar_width - 2,
                    bottom - y(value),
                    colour,
                    value,
                )
            )
    ticks = [(y(value), value) for value in range(0, top_value + 1, step)]
    return Chart(width, height, top, bottom, left, ticks, groups, bars)


def _tick_step(highest: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if highest / step <= 6:
            return step
    return 10 ** len(str(highest))


def translations(config: Config, language: str) -> NullTranslations:
    """The catalogs for ``language`` outside a request (the page is written by the CLI): the
    shipped ones, then the partnership's own, whose entries win (``web.language``)."""
    from babel.support import NullTranslations, Translations

    from web.language import catalog_folders

    if language == "en":
        return NullTranslations()
    merged = Translations()
    for folder in catalog_folders(config):
        merged.merge(Translations.load(folder, [language]))
    return merged


def render_page(
    figures: Figures,
    history: list[Figures],
    config: Config,
    generated_on: date,
    restated: str = "",
    language: str = "en",
    other_page: dict[str, str] | None = None,
) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    from web.language import local_date_after_on

    environment = Environment(
        loader=PackageLoader("web"),
        autoescape=select_autoescape(),
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    words = translations(config, language)
    environment.install_gettext_translations(words, newstyle=True)  # type: ignore[attr-defined]
    # Every date on the page follows "on", "from" or "to" (in Welsh ar, o and i, each of
    # which mutates "dydd" to "ddydd").
    environment.filters["day"] = lambda day: local_date_after_on(day, language)
    template = environment.get_template("published/figures.html")
    return template.render(
        figures=figures,
        history=history,
        chart=chart(history),
        series=SERIES,
        labels=labels(config, words.gettext, language),
        review_counts=REVIEW_COUNTS,
        html_lang="cy" if language == "cy" else "en-GB",
        other_page=other_page,
        # The Welsh page sits in cy/, beside the one set of CSV and JSON files.
        data_path="../" if language == "cy" else "",
        statutory=STATUTORY,
        theme_labels=theme_labels(config, language),
        areas=suppressed(figures.areas().items(), config.statistics.suppress_below),
        config=config,
        generated_on=generated_on,
        provisional=is_provisional(figures.year, generated_on),
        restated=restated,
    )


def publishable(figures: Figures, config: Config, on: date | None = None) -> dict[str, Any]:
    """The figures as published: the area counts below the limit suppressed; given the day
    ``on``, whether they are provisional (the year not yet ended) or final."""
    data = figures.as_dict()
    data["areas"] = suppressed(figures.areas().items(), config.statistics.suppress_below)
    if on is not None:
        data["status"] = status(figures.year, on)
    return data


def _without_areas(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "areas"}


def publish(
    session: Session,
    config: Config,
    partnership: Partnership | None,
    year: PerformanceYear,
    out: Path,
    generated_on: date,
) -> list[Path]:
    """Write index.html, figures.csv and figures.json for ``year`` into ``out``."""
    files = published_files(session, config, partnership, year, generated_on)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def published_files(
    session: Session,
    config: Config,
    partnership: Partnership | None,
    year: PerformanceYear,
    generated_on: date,
    restated: str = "",
) -> dict[str, str]:
    """The public page, the CSV and the JSON of ``year`` as published on ``generated_on``
    (the same for `casereview publish` and "Publish these figures" on the page)."""
    history = [report(session, past, config, partnership).total for past in recent_years(year)]
    figures = history[-1]
    bilingual = config.language.bilingual
    english = {"href": "../index.html", "lang": "en", "name": "English"}
    welsh = {"href": "cy/index.html", "lang": "cy", "name": "Cymraeg"}
    files = {
        "index.html": render_page(
            figures,
            history,
            config,
            generated_on,
            restated,
            other_page=welsh if bilingual else None,
        ),
        "figures.csv": as_csv(history, generated_on),
        "figures.json": as_json(
            {
                **publishable(figures, config, generated_on),
                **({"restated": restated} if restated else {}),
                "previous_years": [
                    {**_without_areas(row.as_dict()), "status": status(row.year, generated_on)}
                    for row in history[:-1]
                ],
            }
        ),
    }
    if bilingual:  # the Welsh page (issue 21), in cy/ beside the one CSV and JSON
        files["cy/index.html"] = render_page(
            figures, history, config, generated_on, restated, language="cy", other_page=english
        )
    return files
