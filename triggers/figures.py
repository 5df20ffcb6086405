"""The figures a partnership must publish every year (s.104(10), Anti-social Behaviour,
Crime and Policing Act 2014), and the ones that make a better report.

The Act asks, at least every twelve months, for the applications received, the times the
threshold was not met, the reviews carried out and the reviews that resulted in
recommendations. They need not add up, so each is counted from its own recorded fact.

Counting rule: every figure counts the applications *received* in the performance year and
what became of them, whenever it happened, so that a year's figures describe that year's
applications. ``awaiting_decision`` is the one snapshot: applications with no threshold
decision by the last day of the year (and not withdrawn by then), which keeps the unfinished
ones visible. Every count is an SQL aggregate over one range of receipt dates, grouped by
partnership, so the cost follows the year's cases, not the whole history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from triggers.config import Config
from triggers.models import (
    Appeal,
    CaseReview,
    CaseTheme,
    Deadline,
    Panel,
    Partnership,
    PolicingBodyReview,
    ThresholdDecision,
)
from triggers.statuses import DeadlineStatus

#: The Act's four figures.
STATUTORY = (
    "applications_received",
    "threshold_not_met",
    "reviews_carried_out",
    "reviews_with_recommendations",
)
#: Every count, in the order reports show them.
COUNTS = (
    "applications_received",
    "threshold_met",
    "threshold_not_met",
    "awaiting_decision",
    "withdrawn",
    "reviews_carried_out",
    "reviews_with_recommendations",
    "appeals_received",
    "appeals_upheld",
    "policing_body_reviews_requested",
    "policing_body_reviews_upheld",
    "policing_body_reviews_not_upheld",
    "refused_ineligible",
    "refused_vexatious",
    "acknowledged",
    "acknowledged_within_limit",
    "acknowledged_within_extension",
    "panels_held",
    "panels_within_limit",
    "panels_within_extension",
    "hate_related",
    "youth_asb",
)
#: Beside the Act's four, published and downloaded as extra figures: the local policing
#: body's reviews (Crime and Policing Act 2026) and the applications refused without a
#: threshold decision (2025 guidance), which never count as "threshold not met".
REVIEW_COUNTS = (
    "policing_body_reviews_requested",
    "policing_body_reviews_upheld",
    "policing_body_reviews_not_upheld",
    "refused_ineligible",
    "refused_vexatious",
)
#: A refusal's ground → the figure it counts in.
REFUSAL_COUNTS = {
    "anonymous": "refused_ineligible",
    "not_asb": "refused_ineligible",
    "already_reviewed": "refused_ineligible",
    "vexatious": "refused_vexatious",
}
ALL_PARTNERSHIPS = "All partnerships"
NOT_RECORDED = "Not recorded"
#: Where an application counts when its ward is not on the partnership's list.
OTHER_AREA = "Other area"
#: What a hidden count by area is published as: one word for every hidden count, so the
#: label never says which were small (that would let the total undo the hiding).
SUPPRESSED = "suppressed"


#: The tables the figures read, as Core tables: a query of their columns needs no mapper
#: configured (every model's relationships), which costs `casereview stats` more than the
#: year's aggregates themselves. The same statements as with the classes' attributes.
CASES = CaseReview.__table__
DECISIONS = ThresholdDecision.__table__
PANELS = Panel.__table__
APPEALS = Appeal.__table__
BODY_REVIEWS = PolicingBodyReview.__table__
DEADLINES = Deadline.__table__
THEMES = CaseTheme.__table__
PARTNERSHIPS = Partnership.__table__


@dataclass(frozen=True)
class PerformanceYear:
    """One reporting year: 1 April 2021 to 31 March 2022 is "2021/22"."""

    start_year: int
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.start.month == 1:
            return str(self.start_year)
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"


def performance_year(start_year: int, start_month: int = 4) -> PerformanceYear:
    """The year starting on the first of ``start_month`` in ``start_year``."""
    start = date(start_year, start_month, 1)
    following = date(start_year + 1, start_month, 1)
    return PerformanceYear(start_year, start, following - timedelta(days=1))


def year_containing(day: date, start_month: int = 4) -> PerformanceYear:
    """The performance year a date falls in (31 March 2022 is in 2021/22)."""
    return performance_year(day.year if day.month >= start_month else day.year - 1, start_month)


@dataclass
class Tally:
    """The counts for one partnership (or several added together) in one year."""

    counts: Counter[str] = field(default_factory=Counter)
    #: theme key → reviews that recorded it.
    themes: Counter[str] = field(default_factory=Counter)
    #: ward or beat → applications received.
    areas: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        self.counts.update(other.counts)
        self.themes.update(other.themes)
        self.areas.update(other.areas)


@dataclass(frozen=True)
class Figures:
    """One partnership's (or all partnerships') figures for one year, ready to show."""

    partnership: str
    year: PerformanceYear
    tally: Tally
    theme_keys: tuple[str, ...] = ()

    def count(self, name: str) -> int:
        return self.tally.counts[name]

    def themes(self) -> dict[str, int]:
        """Every configured theme (zero when unused), then any other theme recorded."""
        keys = list(self.theme_keys) + sorted(set(self.tally.themes) - set(self.theme_keys))
        return {key: self.tally.themes[key] for key in keys}

    def areas(self) -> dict[str, int]:
        return dict(sorted(self.tally.areas.items()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "partnership": self.partnership,
            "year": self.year.label,
            "period_start": self.year.start.isoformat(),
            "period_end": self.year.end.isoformat(),
            **{name: self.count(name) for name in COUNTS},
            "themes": self.themes(),
            "areas": self.areas(),
        }


@dataclass(frozen=True)
class Report:
    """The figures for the partnerships asked for together, and for each on its own."""

    total: Figures
    each: list[Figures]

    def as_dict(self) -> dict[str, Any]:
        result = self.total.as_dict()
        if self.each:
            result["partnerships"] = [figures.as_dict() for figures in self.each]
        return result


def report(
    session: Session,
    year: PerformanceYear,
    config: Config,
    partnership: Partnership | None = None,
) -> Report:
    """The year's figures: for one partnership, or for all of them together and each alone."""
    themes = tuple(config.theme_keys())
    if partnership is not None:
        tally = tally_year(session, year, [partnership.id], config.statistics.areas).get(
            partnership.id, Tally()
        )
        return Report(Figures(partnership.name, year, tally, themes), [])
    partnerships = session.execute(
        select(PARTNERSHIPS.c.id, PARTNERSHIPS.c.name).order_by(PARTNERSHIPS.c.name)
    ).all()
    tallies = tally_year(session, year, areas=config.statistics.areas)
    total = Tally()
    each = []
    for row in partnerships:
        tally = tallies.get(row.id, Tally())
        total.add(tally)
        each.append(Figures(row.name, year, tally, themes))
    if len(each) == 1:
        return Report(each[0], [])
    return Report(Figures(ALL_PARTNERSHIPS, year, total, themes), each)


def tally_year(
    session: Session,
    year: PerformanceYear,
    partnership_ids: Collection[int] | None = None,
    areas: Collection[str] = (),
) -> dict[int, Tally]:
    """partnership id → its counts for the applications received in ``year``; each ward
    counted under its name on the list ``areas`` or under "Other area" (see ``area_of``)."""
    in_year: list[ColumnElement[bool]] = [
        CASES.c.received_on >= year.start,
        CASES.c.received_on <= year.end,
    ]
    if partnership_ids is not None:
        in_year.append(CASES.c.partnership_id.in_(list(partnership_ids)))
    tallies: dict[int, Tally] = {}

    def tally(partnership_id: int) -> Tally:
        return tallies.setdefault(partnership_id, Tally())

    undecided_at_year_end = and_(
        or_(CASES.c.threshold_decided_on.is_(None), CASES.c.threshold_decided_on > year.end),
        or_(CASES.c.ended_on.is_(None), CASES.c.ended_on > year.end),
    )
    cases = select(
        CASES.c.partnership_id,
        func.count(),
        _number(undecided_at_year_end),
        _number(CASES.c.state == "withdrawn"),
        _number(CASES.c.acknowledged_on.is_not(None)),
        _number(CASES.c.is_hate_related),
        _number(CASES.c.is_youth_asb),
    )
    for pid, received, awaiting, withdrawn, acknowledged, hate, youth in session.execute(
        cases.where(*in_year).group_by(CASES.c.partnership_id)
    ):
        tally(pid).counts.update(
            applications_received=received,
            awaiting_decision=awaiting,
            withdrawn=withdrawn,
            acknowledged=acknowledged,
            hate_related=hate,
            youth_asb=youth,
        )

    decisions = (
        select(CASES.c.partnership_id, DECISIONS.c.decision, func.count())
        .join(DECISIONS, DECISIONS.c.case_id == CASES.c.id)
        .where(*in_year)
        .group_by(CASES.c.partnership_id, DECISIONS.c.decision)
    )
    for pid, decision, number in session.execute(decisions):
        tally(pid).counts[f"threshold_{decision}"] += number

    reviews = (
        select(CASES.c.partnership_id, func.count(), _number(PANELS.c.recommendation_count > 0))
        .join(PANELS, PANELS.c.case_id == CASES.c.id)
        .where(*in_year, PANELS.c.held_on.is_not(None))
        .group_by(CASES.c.partnership_id)
    )
    for pid, held, with_recommendations in session.execute(reviews):
        tally(pid).counts.update(
            reviews_carried_out=held,
            panels_held=held,
            reviews_with_recommendations=with_recommendations,
        )

    appeals = (
        select(CASES.c.partnership_id, func.count(), _number(APPEALS.c.outcome == "upheld"))
        .join(APPEALS, APPEALS.c.case_id == CASES.c.id)
        .where(*in_year)
        .group_by(CASES.c.partnership_id)
    )
    for pid, received, upheld in session.execute(appeals):
        tally(pid).counts.update(appeals_received=received, appeals_upheld=upheld)

    body_reviews = (
        select(
            CASES.c.partnership_id,
            func.count(),
            _number(BODY_REVIEWS.c.outcome == "upheld"),
            _number(BODY_REVIEWS.c.outcome == "not_upheld"),
        )
        .join(BODY_REVIEWS, BODY_REVIEWS.c.case_id == CASES.c.id)
        .where(*in_year)
        .group_by(CASES.c.partnership_id)
    )
    for pid, requested, upheld, not_upheld in session.execute(body_reviews):
        tally(pid).counts.update(
            policing_body_reviews_requested=requested,
            policing_body_reviews_upheld=upheld,
            policing_body_reviews_not_upheld=not_upheld,
        )

    refusals = (
        select(CASES.c.partnership_id, CASES.c.refusal_ground, func.count())
        .where(*in_year, CASES.c.refusal_ground != "")
        .group_by(CASES.c.partnership_id, CASES.c.refusal_ground)
    )
    for pid, ground, number in session.execute(refusals):
        tally(pid).counts[REFUSAL_COUNTS[ground]] += number

    # A limit met on or before its due date; the deadline rows hold the working-day sums.
    on_time = (
        select(CASES.c.partnership_id, DEADLINES.c.step, func.count())
        .join(DEADLINES, DEADLINES.c.case_id == CASES.c.id)
        .where(
            *in_year,
            DEADLINES.c.step.in_(("acknowledge", "panel")),
            DEADLINES.c.status == DeadlineStatus.MET,
            DEADLINES.c.ended_on <= DEADLINES.c.due_on,
        )
        .group_by(CASES.c.partnership_id, DEADLINES.c.step)
    )
    names = {"acknowledge": "acknowledged_within_limit", "panel": "panels_within_limit"}
    for pid, step, number in session.execute(on_time):
        tally(pid).counts[names[step]] += number
    # Of those, the ones met only thanks to an agreed extension or pause (2025 guidance):
    # within the agreed extension, not late, and shown apart.
    extended = on_time.where(
        DEADLINES.c.original_due_on.is_not(None), DEADLINES.c.ended_on > DEADLINES.c.original_due_on
    )
    for pid, step, number in session.execute(extended):
        tally(pid).counts[names[step].replace("_limit", "_extension")] += number

    themes = (
        select(CASES.c.partnership_id, THEMES.c.theme, func.count())
        .join(THEMES, THEMES.c.case_id == CASES.c.id)
        .where(*in_year)
        .group_by(CASES.c.partnership_id, THEMES.c.theme)
    )
    for pid, theme, number in session.execute(themes):
        tally(pid).themes[theme] += number

    listed = {_ward_key(name): name for name in areas}
    by_ward = (
        select(CASES.c.partnership_id, CASES.c.ward, func.count())
        .where(*in_year)
        .group_by(CASES.c.partnership_id, CASES.c.ward)
    )
    for pid, ward, number in session.execute(by_ward):
        tally(pid).areas[area_of(ward, listed)] += number
    return tallies


def _ward_key(ward: str) -> str:
    """A ward as typed, made comparable: ends trimmed, spaces collapsed, case folded."""
    return " ".join(ward.split()).casefold()


def area_of(ward: str | None, listed: dict[str, str]) -> str:
    """The area a ward is published under: its name as the partnership's list spells it
    (``listed`` maps ``_ward_key`` to that name), "Not recorded" when blank, and "Other area"
    for anything else, so a ward typed as an address or a person's name never reaches a
    published page."""
    key = _ward_key(ward or "")
    if not key:
        return NOT_RECORDED
    return listed.get(key, OTHER_AREA)


def recent_years(last: PerformanceYear, count: int = 5) -> list[PerformanceYear]:
    """The ``count`` years up to and including ``last``, oldest first (for the chart)."""
    month = last.start.month
    return [performance_year(last.start_year - back, month) for back in range(count - 1, -1, -1)]


def years_with_cases(
    session: Session, start_month: int, partnership_id: int | None = None
) -> list[PerformanceYear]:
    """Every performance year from the first application received to the latest."""
    query = select(func.min(CASES.c.received_on), func.max(CASES.c.received_on))
    if partnership_id is not None:
        query = query.where(CASES.c.partnership_id == partnership_id)
    first, latest = session.execute(query).one()
    if first is None:
        return []
    begin, end = year_containing(first, start_month), year_containing(latest, start_month)
    return [performance_year(y, start_month) for y in range(begin.start_year, end.start_year + 1)]


def suppressed(counts: Iterable[tuple[str, int]], below: int) -> dict[str, int | str]:
    """The counts by area as published, so that nobody in a small area can be picked out.

    Primary suppression hides each count from 1 to ``below - 1``. The areas add up to the
    published total of applications, so the hidden counts' sum is always known; secondary
    suppression then hides the next smallest counts until no hidden count can be worked out
    from that sum (ONS, "Statistical disclosure control", secondary suppression). If even
    hiding every area leaves them recoverable (two areas of one application each), no
    breakdown is published at all: ``{}``. A count of 0 is shown: it identifies nobody.
    """
    shown = dict(counts)
    hidden = {name for name, number in shown.items() if 0 < number < below}
    if not hidden:
        return shown
    next_smallest = sorted((number, name) for name, number in shown.items() if number >= below)
    while not _cannot_be_worked_out([shown[name] for name in hidden]):
        if not next_smallest:
            return {}
        hidden.add(next_smallest.pop(0)[1])
    return {name: SUPPRESSED if name in hidden else number for name, number in shown.items()}


def _cannot_be_worked_out(hidden: list[int]) -> bool:
    """Whether someone who knows the hidden counts' sum, and that each is at least 1, still
    cannot tell any one of them: true when two or more are hidden and they are not all 1.

    Then every hidden count has two possible values: 1, or the sum less one for each other
    hidden count; both leave some hidden count below the limit, as suppression implies.
    """
    return len(hidden) >= 2 and sum(hidden) > len(hidden)


def _number(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet ``condition`` (0, not NULL, when none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
