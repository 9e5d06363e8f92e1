"""The outcome trend chart's geometry: one measure's totals over a course, dose days and thresholds, in SVG units.

Drawn on the server like the coverage chart (planner/web/coverage_chart.py): the template writes
these numbers into an SVG whose viewBox they define. Time runs left to right in days from the
first thing shown (a score or a dose); the y axis runs from 0 to the measure's highest total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from planner.domain.calendar import local
from planner.domain.outcomes.measures import MEASURES
from planner.domain.outcomes.progress import thresholds
from planner.domain.outcomes.trend import Series

WIDTH, HEIGHT = 560, 170        # the plot
LEFT, TOP, RIGHT, BOTTOM = 34, 14, 112, 34   # room for the axis numbers, threshold labels and dates


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    total: int
    label: str        # "Mon 23 Nov"
    baseline: bool
    flagged: bool


@dataclass(frozen=True)
class Rule:
    y: float
    label: str
    value: float


@dataclass(frozen=True)
class TrendChart:
    measure: str
    name: str
    width: float
    height: float
    left: float
    right: float
    plot_bottom: float
    line: str                      # SVG path through the dots
    dots: list[Dot]
    rules: list[Rule]              # response, remission, meaningful change
    doses: list[tuple[float, str]]  # (x, "1") for each dose day
    ticks: list[tuple[float, int]]
    dates: list[tuple[float, str]]


def trend_chart(found: Series, doses: list[tuple[int, datetime]], zone: str) -> TrendChart:
    """The chart of one measure's series, with the course's doses marked."""
    measure = MEASURES[found.measure]
    top = measure.highest_total
    moments = [p.taken_at for p in found.points] + [at for _, at in doses]
    first, last = min(moments), max(moments)
    span = max((last - first).total_seconds(), 86400.0)

    def x(at: datetime) -> float:
        return round(LEFT + (at - first).total_seconds() / span * WIDTH, 1)

    def y(value: float) -> float:
        return round(TOP + HEIGHT - value * HEIGHT / top, 1)

    base = found.baseline.entry_id if found.baseline else None
    dots = [Dot(x(p.taken_at), y(p.total), p.total, f"{local(p.taken_at, zone):%a %d %b}", p.entry_id == base,
                bool(p.flags)) for p in found.points]
    line = " ".join(f"{'M' if k == 0 else 'L'}{d.x:g} {d.y:g}" for k, d in enumerate(dots))
    rules = [Rule(y(value), label, value) for label, value in
             thresholds(found.measure, found.baseline.total if found.baseline else None)]
    step = next(s for s in (1, 2, 5, 10, 20) if top / s <= 6)
    dates = _dates([p.taken_at for p in found.points] + [at for _, at in doses], x, zone)
    return TrendChart(found.measure, measure.name, LEFT + WIDTH + RIGHT, TOP + HEIGHT + BOTTOM, LEFT, LEFT + WIDTH,
                      TOP + HEIGHT, line, dots, rules, [(x(at), str(n)) for n, at in doses],
                      [(y(v), v) for v in range(0, top + 1, step)], dates)


def _dates(moments: list[datetime], x, zone: str) -> list[tuple[float, str]]:
    # The first and last day, and any day in between at least 70 units from the last label.
    labels: list[tuple[float, str]] = []
    for at in sorted(moments):
        place = x(at)
        if not labels or place - labels[-1][0] >= 70:
            labels.append((place, f"{local(at, zone):%d %b}"))
    return labels
