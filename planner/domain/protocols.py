"""Treatment protocols as data: dosing cadence by phase, and psychotherapy tied to doses."""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.domain.errors import Reason

BEFORE_FIRST = "before_first"  # e.g. preparation before dose 1
AFTER_DOSE = "after_dose"      # e.g. integration 1 to 3 days after a dose


@dataclass(frozen=True)
class Phase:
    """A run of doses with one cadence (induction, maintenance, ...)."""

    name: str
    doses: int
    min_gap_days: int = 1          # calendar days between consecutive doses, at least
    max_gap_days: int | None = None
    per_week_min: int | None = None  # doses per calendar week (Mon-Sun), for full weeks of the phase
    per_week_max: int | None = None
    window_days: int | None = None   # every dose of the phase within this many days of its first
    gap_from_previous_phase: tuple[int, int | None] = (1, None)  # days from the last dose before it

    @property
    def consecutive(self) -> bool:
        """True when doses fall on consecutive days."""
        return self.min_gap_days == 1 and self.max_gap_days == 1


@dataclass(frozen=True)
class TherapyLink:
    """Psychotherapy tied to doses: which doses, how many days before or after."""

    session_type: str
    anchor: str = AFTER_DOSE
    doses: tuple[int, ...] | None = None  # 1-based dose numbers; None = every dose
    min_days: int = 1                     # offset from the dose day (negative = before)
    max_days: int = 3
    count: int = 1                        # sessions per anchor (e.g. 2 preparation sessions)

    def anchors(self, total_doses: int) -> list[int]:
        """The dose numbers this link attaches to."""
        if self.anchor == BEFORE_FIRST:
            return [1]
        return [n for n in (self.doses or range(1, total_doses + 1)) if 1 <= n <= total_doses]


@dataclass(frozen=True)
class Protocol:
    """A protocol version: which session type doses, its phases, and its psychotherapy."""

    key: str
    name: str
    dosing_type: str
    phases: tuple[Phase, ...]
    therapy: tuple[TherapyLink, ...] = ()
    version: int = 1
    notes: str = ""
    missed_dose_policy: str = "replan"  # "keep_schedule": a missed dose is not made up (esketamine induction label)
    course_window_days: int | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def total_doses(self) -> int:
        """All doses across phases."""
        return sum(phase.doses for phase in self.phases)

    def phase_of(self, dose_number: int) -> tuple[int, Phase]:
        """The index and phase a 1-based dose number belongs to."""
        seen = 0
        for index, phase in enumerate(self.phases):
            if dose_number <= seen + phase.doses:
                return index, phase
            seen += phase.doses
        raise ValueError(f"dose {dose_number} is beyond the protocol's {seen} doses")


def protocol_problems(protocol: Protocol, known_types: set[str] | None = None) -> list[Reason]:
    """Every reason a protocol can never be planned (empty when it is sound)."""
    problems: list[Reason] = []
    if not protocol.phases:
        problems.append(Reason("no_phases", "A protocol needs at least one phase of doses.", "phases"))
    for i, phase in enumerate(protocol.phases):
        where = f"phases[{i}]"
        if phase.doses < 1:
            problems.append(Reason("no_doses", "A phase needs at least one dose.", f"{where}.doses"))
        if phase.min_gap_days < 1:
            problems.append(Reason("gap_too_small", "Doses must be at least one day apart.", f"{where}.min_gap_days"))
        if phase.max_gap_days is not None and phase.max_gap_days < phase.min_gap_days:
            problems.append(Reason("gap_order", "The minimum gap is above the maximum gap.", f"{where}.max_gap_days"))
        if phase.per_week_min is not None and phase.per_week_max is not None and phase.per_week_min > phase.per_week_max:
            problems.append(Reason("week_order", "The weekly minimum is above the weekly maximum.",
                                   f"{where}.per_week_min"))
        if phase.per_week_max is not None and phase.per_week_max < 1:
            problems.append(Reason("week_zero", "At most zero doses a week can never be met.", f"{where}.per_week_max"))
        if phase.per_week_max is not None and (phase.per_week_max - 1) * phase.min_gap_days > 6:
            problems.append(Reason("week_unreachable", f"{phase.per_week_max} doses in a week cannot be "
                                   f"{phase.min_gap_days} days apart.", f"{where}.per_week_max"))
        if phase.window_days is not None and phase.doses >= 1:
            shortest = (phase.doses - 1) * phase.min_gap_days
            if shortest > phase.window_days:
                problems.append(Reason("window_too_short", f"{phase.doses} doses at least {phase.min_gap_days} day(s) "
                                       f"apart cannot fit in {phase.window_days} days.", f"{where}.window_days"))
    for i, link in enumerate(protocol.therapy):
        where = f"therapy[{i}]"
        if link.min_days > link.max_days:
            problems.append(Reason("therapy_window_order", "The therapy window starts after it ends.",
                                   f"{where}.min_days"))
        if link.anchor == BEFORE_FIRST and link.max_days >= 0:
            problems.append(Reason("therapy_not_before", "Sessions before dose 1 need negative day offsets.",
                                   f"{where}.max_days"))
        if link.anchor not in (BEFORE_FIRST, AFTER_DOSE):
            problems.append(Reason("therapy_anchor", "Anchor must be before_first or after_dose.", f"{where}.anchor"))
        if link.count < 1 or link.count > link.max_days - link.min_days + 1:
            problems.append(Reason("therapy_count", f"{link.count} sessions do not fit in a window of "
                                   f"{link.max_days - link.min_days + 1} day(s).", f"{where}.count"))
        if link.doses and any(n < 1 or n > protocol.total_doses for n in link.doses):
            problems.append(Reason("therapy_dose", "A therapy link names a dose the protocol does not have.",
                                   f"{where}.doses"))
        if known_types is not None and link.session_type not in known_types:
            problems.append(Reason("unknown_type", f"No session type {link.session_type!r}.", f"{where}.session_type"))
    if known_types is not None and protocol.dosing_type not in known_types:
        problems.append(Reason("unknown_type", f"No session type {protocol.dosing_type!r}.", "dosing_type"))
    return problems


def protocol_to_dict(protocol: Protocol) -> dict:
    """A protocol as plain data (the stored definition of a version)."""
    return {
        "key": protocol.key, "name": protocol.name, "dosing_type": protocol.dosing_type, "notes": protocol.notes,
        "missed_dose_policy": protocol.missed_dose_policy, "course_window_days": protocol.course_window_days,
        "phases": [{"name": p.name, "doses": p.doses, "min_gap_days": p.min_gap_days, "max_gap_days": p.max_gap_days,
                    "per_week_min": p.per_week_min, "per_week_max": p.per_week_max, "window_days": p.window_days,
                    "gap_from_previous_phase": list(p.gap_from_previous_phase)} for p in protocol.phases],
        "therapy": [{"session_type": t.session_type, "anchor": t.anchor, "doses": list(t.doses) if t.doses else None,
                     "min_days": t.min_days, "max_days": t.max_days, "count": t.count} for t in protocol.therapy],
    }


def protocol_from_dict(data: dict, version: int = 1) -> Protocol:
    """A protocol from its stored definition."""
    phases = tuple(Phase(p["name"], p["doses"], p.get("min_gap_days", 1), p.get("max_gap_days"),
                         p.get("per_week_min"), p.get("per_week_max"), p.get("window_days"),
                         tuple(p.get("gap_from_previous_phase") or (1, None)))  # type: ignore[arg-type]
                   for p in data["phases"])
    therapy = tuple(TherapyLink(t["session_type"], t.get("anchor", AFTER_DOSE),
                                tuple(t["doses"]) if t.get("doses") else None, t.get("min_days", 1),
                                t.get("max_days", 3), t.get("count", 1)) for t in data.get("therapy", ()))
    return Protocol(data["key"], data["name"], data["dosing_type"], phases, therapy, version, data.get("notes", ""),
                    data.get("missed_dose_policy", "replan"), data.get("course_window_days"))
