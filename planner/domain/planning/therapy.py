"""Placing psychotherapy sessions in their windows around the chosen doses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.domain.intervals import Interval
from planner.domain.planning.slots import SlotTable
from planner.domain.protocols import BEFORE_FIRST, Protocol


@dataclass(frozen=True)
class TherapyItem:
    """One psychotherapy session the protocol asks for: type, anchor dose, window, index."""

    type_key: str
    anchor: int      # the dose number it is tied to
    index: int       # 0-based among sessions of this link and anchor
    min_days: int
    max_days: int
    purpose: str

    @property
    def key(self) -> tuple[str, int, int]:
        """Identity of the item across re-plans."""
        return (self.type_key, self.anchor, self.index)

    def window(self, anchor_day: date, first_day: date, last_day: date) -> tuple[date, date]:
        """The days this session may take, clipped to the planning horizon."""
        return (max(first_day, anchor_day + timedelta(days=self.min_days)),
                min(last_day, anchor_day + timedelta(days=self.max_days)))


def therapy_items(protocol: Protocol, purposes: dict[str, str]) -> list[TherapyItem]:
    """Every psychotherapy session the protocol asks for."""
    items = []
    for link in protocol.therapy:
        for anchor in link.anchors(protocol.total_doses):
            for k in range(link.count):
                purpose = purposes.get(link.session_type, "preparation" if link.anchor == BEFORE_FIRST else "integration")
                items.append(TherapyItem(link.session_type, anchor, k, link.min_days, link.max_days, purpose))
    return items


def place_therapy(items: list[TherapyItem], doses: list[Interval], dose_days: list[date],
                  busy: dict[date, list[Interval]],
                  tables: dict[str, SlotTable], durations: dict[str, timedelta], first_day: date,
                  last_day: date) -> list[tuple[TherapyItem, datetime]] | None:
    """Earliest-deadline-first placement of every item, never overlapping the patient's other sessions."""
    taken = {day: list(spans) for day, spans in busy.items()}
    ordered = sorted(items, key=lambda it: (it.window(dose_days[it.anchor - 1], first_day, last_day)[1], it.anchor,
                                            it.index))
    placed = []
    dose_set = set(dose_days)
    for item in ordered:
        low, high = item.window(dose_days[item.anchor - 1], first_day, last_day)
        start = _earliest(tables[item.type_key], low, high, durations[item.type_key], taken,
                          dose_days[item.anchor - 1], doses[item.anchor - 1], dose_set)
        if start is None:
            return None
        day, at = start
        taken.setdefault(day, []).append(Interval(at, at + durations[item.type_key]))
        placed.append((item, at))
    return placed


def _earliest(table: SlotTable, low: date, high: date, length: timedelta, taken: dict[date, list[Interval]],
              anchor_day: date, dose: Interval, dose_days: set[date]):
    day = low
    while day <= high:
        for _, start in table.starts(day):
            # A session tied to a dose on the dose's own day comes after it ("same day, after").
            if day == anchor_day and start < dose.end:
                continue
            span = Interval(start, start + length)
            if not any(span.overlaps(other) for other in taken.get(day, ())):
                return day, start
        day += timedelta(days=1)
    return None
