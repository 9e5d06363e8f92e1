"""Why no course fits: which part of the protocol really binds, told by searching again with less of it.

The doses alone first: when even they find no days, the dosing slots bind and the answer names
what is missing for them. When they do, psychotherapy is what cannot fit, and each kind of it
is tried on its own beside the doses, then without having to keep clear of the doses, so the
answer can say whether the therapists' hours, their short stretches, the therapy window or the
clash with the dose times is what stops it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from planner.domain.calendar import WEEKDAYS
from planner.domain.intervals import Interval
from planner.domain.planning.explain import describe, missing_by_half_day
from planner.domain.planning.slots import SlotTable
from planner.domain.planning.therapy import TherapyItem
from planner.domain.protocols import Protocol
from planner.domain.staffing import ACTIVE, THERAPIST

# A search for some items (beside the doses or not): True when a course fits, None when it gave up.
Attempt = Callable[[list[TherapyItem], bool], bool | None]


def why_not(problem, doses: SlotTable, items: list[TherapyItem], therapy: dict[str, SlotTable],
            attempt: Attempt, exhausted: bool) -> list[str]:
    """The reasons no course fits, the binding one first."""
    first, last = problem.first_day, problem.first_day + timedelta(days=problem.horizon_days)
    protocol, state = problem.protocol, problem.state
    dosing = problem.types[protocol.dosing_type]
    reasons = []
    if exhausted:
        reasons.append("The search gave up before finding a plan; narrow the preferences or the dates.")
    if dosing.is_esketamine and not state.site.esketamine_certified:
        reasons.append(f"{state.site.name} is not certified to give esketamine (REMS).")
    if dosing.is_esketamine and problem.patient.rems_enrolled_on is None:
        reasons.append("The patient is not enrolled in the esketamine REMS.")
    counts = (f"{len(doses.days())} day(s) between {first:%d %b} and {last:%d %b} have a free {dosing.name} slot "
              f"within the patient's preferences; the protocol needs {protocol.total_doses} dose(s) "
              f"{cadence(protocol)}.")
    doses_fit = attempt([], True) if items else False
    if not doses_fit:
        reasons.append(counts)
        reasons += [f"No {problem.types[key].name} slot at all in the horizon." for key, t in therapy.items()
                    if not t.days()]
        reasons += describe(dosing, missing_by_half_day(dosing, state, first, last, problem.preferences), first,
                            state)[:6]
        return reasons
    reasons += _therapy_binds(problem, items, therapy, attempt)
    reasons.append(counts)
    return reasons


def _therapy_binds(problem, items: list[TherapyItem], therapy: dict[str, SlotTable], attempt: Attempt) -> list[str]:
    first, last = problem.first_day, problem.first_day + timedelta(days=problem.horizon_days)
    groups: dict[tuple, list[TherapyItem]] = {}
    for item in items:
        groups.setdefault((item.type_key, item.min_days, item.max_days), []).append(item)
    reasons = []
    for (key, low, high), group in groups.items():
        if attempt(group, True) is not False:
            continue  # fits beside the doses on its own (or the search could not tell)
        stype = problem.types[key]
        what = f"{stype.name} ({len(group)} session(s), {_window(low, high, group, problem.protocol)})"
        reasons.append(f"The doses fit, but {what} cannot fit beside them.")
        if attempt(group, False):
            reasons.append(f"{stype.name} would fit if it could overlap the doses or come before them on their "
                           f"own day: the therapists' free times on the days it may take clash with the dose times.")
        else:
            reasons.append(f"{len(therapy[key].days())} day(s) between {first:%d %b} and {last:%d %b} have a free "
                           f"{stype.name} slot within the patient's preferences.")
        reasons += _short_stretches(problem, stype, first, last)
        reasons += describe(stype, missing_by_half_day(stype, problem.state, first, last, problem.preferences),
                            first)[:4]
    if not reasons:
        reasons.append("Each kind of psychotherapy fits beside the doses on its own, but not all of them together.")
    return reasons


def _window(low: int, high: int, group: list[TherapyItem], protocol: Protocol) -> str:
    anchors = sorted({item.anchor for item in group})
    if high < 0:
        return f"{-high} to {-low} day(s) before dose 1"
    doses = "each dose" if len(anchors) == protocol.total_doses > 1 else (
        "dose " + ", ".join(map(str, anchors)) if len(anchors) == 1 else "doses " + ", ".join(map(str, anchors)))
    if low == 0:
        return f"on the day of {doses} once it has ended, or up to {high} day(s) after"
    return f"{low} to {high} day(s) after {doses}"


def _short_stretches(problem, stype, first: date, last: date) -> list[str]:
    """Therapists who work on days, but only in stretches too short for one session."""
    need = next((n for n in stype.needs if n.role == THERAPIST), None)
    if need is None:
        return []
    length = stype.active if need.part == ACTIVE else stype.duration
    calendar, site_id = problem.state.site.calendar, problem.state.site.id
    sentences = []
    for member in sorted(problem.state.roster.staff.values(), key=lambda m: m.id):
        if not member.active or THERAPIST not in member.disciplines:
            continue
        short = []
        day = first
        while day <= last:
            if problem.preferences.allows_day(day):
                stretches = [_overlap(part, block) for block in calendar.open_intervals(day, day)
                             for part in member.shift_cover(site_id)]
                stretches = [s for s in stretches if s is not None]
                if stretches and max(s.end - s.start for s in stretches) < length:
                    short.append(day)
            day += timedelta(days=1)
        if short:
            days = ", ".join(f"{WEEKDAYS[d.weekday()][:3]} {d:%d %b}" for d in short[:4]) + (", …" if len(short) > 4
                                                                                          else "")
            sentences.append(f"{member.name} works only stretches shorter than a {int(length.total_seconds() // 60)}"
                             f"-minute {stype.name} on {len(short)} day(s) ({days}).")
    return sentences[:3]


def _overlap(a: Interval, b: Interval) -> Interval | None:
    start, end = max(a.start, b.start), min(a.end, b.end)
    return Interval(start, end) if start < end else None


def cadence(protocol: Protocol) -> str:
    """The protocol's dose rules in a few words: "(6 1–7 day(s) apart, 2–3 a week, within 21 days)"."""
    parts = []
    for phase in protocol.phases:
        gap = (f"{phase.min_gap_days}–{phase.max_gap_days}" if phase.max_gap_days else f"at least {phase.min_gap_days}")
        text = f"{phase.doses} {gap} day(s) apart"
        if phase.per_week_max:
            text += f", {phase.per_week_min or 0}–{phase.per_week_max} a week"
        if phase.window_days:
            text += f", within {phase.window_days} days"
        parts.append(text)
    return "(" + "; then ".join(parts) + ")"
