"""The coverage chart's geometry: bars of dosing load, steps of capacity, a strip for ACLS/BLS, in SVG units.

Drawn on the server (no JavaScript library): the template writes these numbers into an SVG whose
viewBox they define. Only the part of the day with staff or doses is drawn, on whole hours.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.calendar import local
from planner.domain.coverage import GAP, IDLE, Quarter

WIDTH = 14           # one quarter hour
LEFT, TOP = 34, 12   # room for the y-axis numbers, and above the highest bar
HEIGHT = 180         # the plot
STRIP = 10           # the ACLS/BLS strip under the plot
BOTTOM = 36          # the strip and the hour labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    state: str
    quarter: Quarter
    label: str       # the quarter's wall time, "09:15"
    short_of: bool   # load with no ACLS holder or no second BLS holder


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    bars: list[Bar]
    supervising: str  # SVG path of the supervising capacity, a step per quarter
    monitoring: str
    ticks: list[tuple[float, int]]        # (y, value) for the y axis
    hours: list[tuple[float, str]]        # (x, "09:00") on whole local hours
    plot_bottom: float
    strip_y: float
    left: float
    right: float


def shown(quarters: list[Quarter], zone: str) -> list[Quarter]:
    """The quarters with staff or doses, widened by an hour each side to whole local hours (all if none)."""
    busy = [k for k, q in enumerate(quarters) if q.load or q.supervising or q.monitoring]
    if not busy:
        return quarters
    first, last = max(0, busy[0] - 4), min(len(quarters) - 1, busy[-1] + 4)
    while first > 0 and local(quarters[first].span.start, zone).minute:
        first -= 1
    while last < len(quarters) - 1 and local(quarters[last].span.end, zone).minute:
        last += 1
    return quarters[first:last + 1]


def _y(value: float, top: int) -> float:
    return TOP + HEIGHT - value * HEIGHT / top


def _steps(values: list[int], top: int) -> str:
    parts = []
    for k, value in enumerate(values):
        x0, y = LEFT + k * WIDTH, _y(value, top)
        parts.append(f"{'M' if k == 0 else 'L'}{x0:g} {y:g} H{x0 + WIDTH:g}")
    return " ".join(parts)


def chart(quarters: list[Quarter], zone: str) -> Chart:
    """The chart of these quarters (already cut to what is shown)."""
    top = max([1] + [max(q.load, q.supervising, q.monitoring) for q in quarters])
    step = next(s for s in (1, 2, 4, 5, 10, 20, 25, 50, 100) if top / s <= 6) if top <= 600 else top
    top = -(-top // step) * step
    bars = []
    for k, q in enumerate(quarters):
        height = q.load * HEIGHT / top
        bars.append(Bar(LEFT + k * WIDTH + 1.5, TOP + HEIGHT - height, height, q.state, q,
                        f"{local(q.span.start, zone):%H:%M}",
                        q.state == GAP and (not q.acls or not q.second_bls)))
    hours = [(LEFT + k * WIDTH, f"{local(q.span.start, zone):%H}") for k, q in enumerate(quarters)
             if local(q.span.start, zone).minute == 0]
    right = LEFT + len(quarters) * WIDTH
    return Chart(right + 8, TOP + HEIGHT + BOTTOM, bars, _steps([q.supervising for q in quarters], top),
                 _steps([q.monitoring for q in quarters], top),
                 [(_y(v, top), v) for v in range(0, top + 1, step)], hours, TOP + HEIGHT, TOP + HEIGHT + 4,
                 LEFT, right)


def state_words(state: str) -> str:
    """How the table names a quarter's state."""
    return {GAP: "Gap", "near": "At the limit", "ok": "Covered", IDLE: "No dosing"}[state]
