"""Re-checking a proposed course against its protocol before it is booked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.domain.errors import Reason
from planner.domain.planning.cadence import day_range, dose_rules, weekly_ok
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
