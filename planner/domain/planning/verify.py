"""Re-checking a proposed course against its protocol before it is booked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.domain.errors import Reason
from planner.domain.planning.cadence import day_range, dose_rules, week_of, weekly_ok
from planner.domain.protocols import Protocol


@dataclass(frozen=True)
class CourseItem:
    """One session of a course as the protocol sees it."""

    purpose: str
    type_key: str
    dose_number: int
    day: date


def course_breaches(protocol: Protocol, items: list[CourseItem], given: int = 0) -> list[Reason]:
    """Every way a set of course sessions breaks the protocol (doses numbered 1..N, therapy by anchor)."""
    reasons: list[Reason] = []
    doses = sorted((i for i in items if i.purpose == "dose"), key=lambda i: i.dose_number)
    if [d.dose_number for d in doses] != list(range(1, protocol.total_doses + 1)):
        return [Reason("doses", f"The course needs doses 1 to {protocol.total_doses}, each once.", "sessions")]
    if any(a.day >= b.day for a, b in zip(doses, doses[1:])):
        return [Reason("dose_order", "Doses must fall on different days, in order.", "sessions")]
    rules = dose_rules(protocol)
    days = [d.day for d in doses]
    for i, day in enumerate(days):
        low, high = day_range(rules, i, days[:i], days[0] if i else None, protocol.course_window_days,
                              date.min, date.max)
        if i >= given and (not low <= day <= high or not weekly_ok(rules, i, day, days[:i])):
            reasons.append(Reason("cadence", f"Dose {i + 1} on {day:%a %d %b} breaks the protocol's cadence.",
                                  "sessions"))
    for link in protocol.therapy:
        for anchor in link.anchors(protocol.total_doses):
            tied = [i for i in items if i.purpose != "dose" and i.type_key == link.session_type
                    and i.dose_number == anchor]
            if len(tied) != link.count:
                reasons.append(Reason("therapy_count", f"Dose {anchor} needs {link.count} {link.session_type} "
                                      f"session(s); {len(tied)} given.", "sessions"))
            for item in tied:
                offset = (item.day - days[anchor - 1]).days
                if not link.min_days <= offset <= link.max_days:
                    reasons.append(Reason("therapy_window", f"{link.session_type} on {item.day:%a %d %b} is outside "
                                          f"{link.min_days} to {link.max_days} days of dose {anchor}.", "sessions"))
    return reasons


@dataclass(frozen=True)
class LiveSession:
    """One session of a booked course that still holds its place, as the protocol sees it."""

    session_id: int
    purpose: str        # dose, or the psychotherapy's purpose
    type_key: str
    dose_number: int | None  # the dose it is, or the dose it is tied to
    day: date                # site-local


def move_breaches(protocol: Protocol, live: list[LiveSession], moved_id: int, new_day: date) -> list[Reason]:
    """The protocol rules a course would newly break if one of its sessions moved to new_day.

    A course may already be out of shape (a dose missed and not yet re-planned); a move is refused
    only for what it breaks itself, never for what was broken before it.
    """
    before = _breaches(protocol, live)
    after = _breaches(protocol, [LiveSession(s.session_id, s.purpose, s.type_key, s.dose_number, new_day)
                                 if s.session_id == moved_id else s for s in live])
    return [reason for key, reason in after.items() if key not in before]


def added_breaches(protocol: Protocol, live: list[LiveSession], added: LiveSession) -> list[Reason]:
    """The protocol rules a course would newly break if a session were booked into it (a cancelled dose's new time).

    As for a move, only what the addition breaks itself counts, never what was broken before it.
    """
    before = _breaches(protocol, live)
    return [reason for key, reason in _breaches(protocol, [*live, added]).items() if key not in before]


def _breaches(protocol: Protocol, live: list[LiveSession]) -> dict[tuple, Reason]:
    """Each rule the course's live sessions break, keyed by rule and subject (doses may be missing)."""
    rules = dose_rules(protocol)
    doses = sorted(((s.dose_number, s.day) for s in live if s.purpose == "dose" and s.dose_number
                    and 1 <= s.dose_number <= len(rules)), key=lambda d: d[0])
    found: dict[tuple, Reason] = {}

    def breach(key: tuple, message: str) -> None:
        found.setdefault(key, Reason("cadence", message, "start"))

    for (a, day_a), (b, day_b) in zip(doses, doses[1:]):
        gap, rule = (day_b - day_a).days, rules[b - 1]
        if gap <= 0:
            breach(("order", b), f"Dose {b} on {day_b:%a %d %b} would not come after dose {a} ({day_a:%a %d %b}).")
        elif gap < rule.min_gap:
            breach(("min_gap", b), f"Dose {b} on {day_b:%a %d %b} would be {gap} day(s) after dose {a}; "
                                   f"the protocol needs at least {rule.min_gap}.")
        elif b == a + 1 and rule.max_gap is not None and gap > rule.max_gap:
            breach(("max_gap", b), f"Dose {b} on {day_b:%a %d %b} would be {gap} days after dose {a}; "
                                   f"the protocol allows at most {rule.max_gap}.")
    _phase_breaches(protocol, rules, doses, breach)
    days = dict(doses)
    for link in protocol.therapy:
        for s in live:
            if s.purpose == "dose" or s.type_key != link.session_type or s.dose_number not in days:
                continue
            if s.dose_number not in link.anchors(protocol.total_doses):
                continue
            offset = (s.day - days[s.dose_number]).days
            if not link.min_days <= offset <= link.max_days:
                breach(("therapy", s.session_id), f"{link.session_type} on {s.day:%a %d %b} would be outside "
                                                  f"{link.min_days} to {link.max_days} days of dose {s.dose_number}.")
    return found


def _phase_breaches(protocol: Protocol, rules, doses: list[tuple[int, date]], breach) -> None:
    """Weekly counts and windows per phase, and the course's own window."""
    if doses and protocol.course_window_days is not None:
        first = doses[0][1]
        for number, day in doses:
            if (day - first).days > protocol.course_window_days:
                breach(("course_window", number), f"Dose {number} on {day:%a %d %b} would fall outside the "
                                                  f"course's {protocol.course_window_days}-day window.")
    for phase in {rules[n - 1].phase for n, _ in doses}:
        mine = [(n, day) for n, day in doses if rules[n - 1].phase == phase]
        rule = rules[mine[0][0] - 1]
        weeks = [week_of(day) for _, day in mine]
        if rule.per_week_max is not None:
            for week in set(weeks):
                if weeks.count(week) > rule.per_week_max:
                    breach(("per_week_max", phase, week), f"The {protocol.phases[phase].name} phase would have "
                                                          f"{weeks.count(week)} doses in one week; at most "
                                                          f"{rule.per_week_max} are allowed.")
        if rule.per_week_min:
            # Whole weeks between the phase's first and last week need their minimum (cadence.weekly_ok).
            for week in range(min(weeks) + 1, max(weeks)):
                if weeks.count(week) < rule.per_week_min:
                    breach(("per_week_min", phase, week), f"A week of the {protocol.phases[phase].name} phase "
                                                          f"would have fewer than {rule.per_week_min} dose(s).")
        starts_phase = rules[mine[0][0] - 1].first_of_phase
        if rule.window_days is not None and starts_phase:
            for number, day in mine:
                if (day - mine[0][1]).days > rule.window_days:
                    breach(("phase_window", number), f"Dose {number} on {day:%a %d %b} would fall outside the "
                                                     f"{protocol.phases[phase].name} phase's {rule.window_days}-day "
                                                     "window.")
