"""A course drawn as a calendar strip: sessions on their local days, the protocol's windows shaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from planner.domain.calendar import local
from planner.domain.protocols import BEFORE_FIRST, Protocol

DOSE = "dose"
# A phase's window is drawn past the last session by at most this many days.
MAX_TAIL = 42


@dataclass(frozen=True)
class Mark:
    """One session on the strip."""

    purpose: str
    dose_number: int | None
    start: datetime  # wall time in the site's zone
    status: str = "planned"
    session_id: int | None = None  # a booked session's mark opens its page; a proposed one has none

    @property
    def name(self) -> str:
        """'Dose 2', 'Preparation', 'Integration after dose 3' in full."""
        return session_name(self.purpose, self.dose_number)

    @property
    def short(self) -> str:
        """'D2', 'Prep', 'I3': a few letters that fit a phone's day cell (the legend says what they mean)."""
        if self.purpose == DOSE:
            return f"D{self.dose_number}"
        if self.purpose == "integration":
            return f"I{self.dose_number or ''}"
        return self.purpose[:4].title()


def session_name(purpose: str, dose_number: int | None) -> str:
    """What a session of a course is, in words: 'Dose 2', 'Integration after dose 2', 'Preparation'."""
    if purpose == DOSE:
        return f"Dose {dose_number}"
    if purpose == "integration":
        return f"Integration after dose {dose_number}" if dose_number else "Integration"
    if purpose == "preparation":
        return "Preparation"
    return purpose.replace("_", " ").capitalize() + (f" ({dose_number})" if dose_number else "")


@dataclass
class Day:
    """One calendar day of the strip, with what is on it and which windows cover it."""

    day: date
    in_course: bool
    marks: list[Mark] = field(default_factory=list)
    windows: set[str] = field(default_factory=set)  # "phase", "phase-end", "gap", "therapy"
    notes: list[str] = field(default_factory=list)

    @property
    def month(self) -> str:
        """The month's short name on its first day and on a strip's first cell (else empty)."""
        return self.day.strftime("%b") if self.day.day == 1 or self.first else ""

    first: bool = False

    @property
    def title(self) -> str:
        """The windows covering the day, in words (the cell's tooltip)."""
        return "; ".join(self.notes)

    @property
    def classes(self) -> str:
        """CSS classes for the cell."""
        names = [f"win-{w}" for w in sorted(self.windows)] + ([] if self.in_course else ["outside"])
        return " ".join(names)


@dataclass(frozen=True)
class Timeline:
    """Whole weeks (Monday to Sunday) around a course, and the gaps between its doses."""

    weeks: list[list[Day]]
    gaps: dict[int, int]  # dose number -> days since the dose before it
    zone: str


def timeline(sessions: list[tuple], protocol: Protocol, zone: str) -> Timeline:
    """The strip for sessions given as (purpose, dose number, UTC start, status[, session id])."""
    marks = sorted((Mark(p, n, local(start, zone), status, *booked) for p, n, start, status, *booked in sessions),
                   key=lambda m: m.start)
    if not marks:
        return Timeline([], {}, zone)
    doses = _dose_days(marks)
    windows = _windows(protocol, doses)
    first, last = marks[0].start.date(), marks[-1].start.date()
    # The strip runs to the end of a phase's window too, so the room left in it shows.
    shown_to = max([last, *(stop for kind, _, stop, _ in windows if kind == "phase")])
    shown_to = min(shown_to, last + timedelta(days=MAX_TAIL))
    begin, end = first - timedelta(days=first.weekday()), shown_to + timedelta(days=6 - shown_to.weekday())
    days = {begin + timedelta(days=i): Day(begin + timedelta(days=i), first <= begin + timedelta(days=i) <= last)
            for i in range((end - begin).days + 1)}
    days[begin].first = True
    for mark in marks:
        days[mark.start.date()].marks.append(mark)
    gaps = {n: (doses[n] - doses[n - 1]).days for n in doses if n - 1 in doses}
    for kind, start, stop, note in windows:
        for offset in range((stop - start).days + 1):
            cell = days.get(start + timedelta(days=offset))
            if cell is not None:
                cell.windows.add(kind)
                if note and note not in cell.notes:
                    cell.notes.append(note)
        if kind == "phase" and stop in days:
            days[stop].windows.add("phase-end")
    return Timeline([list(days.values())[i:i + 7] for i in range(0, len(days), 7)], gaps, zone)


def _dose_days(marks: list[Mark]) -> dict[int, date]:
    """Each live dose's local day by number (a cancelled dose leaves no window)."""
    return {m.dose_number: m.start.date() for m in marks
            if m.purpose == DOSE and m.dose_number and m.status not in ("cancelled", "no_show", "held")}


def _windows(protocol: Protocol, doses: dict[int, date]) -> list[tuple[str, date, date, str]]:
    """(kind, first day, last day, note) of every window the protocol sets around these doses."""
    found: list[tuple[str, date, date, str]] = []
    number = 0
    for phase in protocol.phases:
        opening = number + 1
        if opening in doses and phase.window_days is not None:
            found.append(("phase", doses[opening], doses[opening] + timedelta(days=phase.window_days),
                          f"{phase.name.title()}: every dose within {phase.window_days} days of dose {opening}"))
        for n in range(opening, opening + phase.doses):
            before = doses.get(n - 1)
            if before is None or n not in doses or (doses[n] - before).days < 2:
                continue
            low, high = ((phase.gap_from_previous_phase[0], phase.gap_from_previous_phase[1]) if n == opening
                         else (phase.min_gap_days, phase.max_gap_days))
            allowed = f"{low}–{high}" if high is not None else f"at least {low}"
            found.append(("gap", before + timedelta(days=1), doses[n] - timedelta(days=1),
                          f"{(doses[n] - before).days}-day gap from dose {n - 1} to dose {n} "
                          f"(the protocol allows {allowed} days)"))
        number += phase.doses
    for link in protocol.therapy:
        anchors = link.anchors(protocol.total_doses)
        for n in anchors:
            if n not in doses:
                continue
            what = "before dose 1" if link.anchor == BEFORE_FIRST else f"after dose {n}"
            found.append(("therapy", doses[n] + timedelta(days=link.min_days), doses[n] + timedelta(days=link.max_days),
                          f"{link.session_type.title()} window {what}"))
    return found
