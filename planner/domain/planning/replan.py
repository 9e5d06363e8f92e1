"""Re-planning the rest of a booked course after a session moves, is cancelled, is missed or a dose is held.

The kept part is the longest run of upcoming doses, from the earliest on, with which the
protocol can still be met; only what comes after it moves. Moved sessions keep their identity
(and so their calendar entry) and are told apart from added and cancelled ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from planner.domain.calendar import local
from planner.domain.clinic import ClinicState, Patient, SessionType
from planner.domain.courses import DOSE, BookedCourse, CourseSession
from planner.domain.lifecycle import ARRIVED, BOOKED, FULFILLED, HELD, IN_PROGRESS, PROPOSED, RELEASED
from planner.domain.patients import dosing_readiness
from planner.domain.planning import FixedDose, NoPlan, Plan, PlannedSession, PlanningProblem, Preferences, plan_course
from planner.domain.planning.horizon import horizon_days
from planner.domain.planning.verify import CourseItem, course_breaches
from planner.domain.protocols import Protocol

GIVEN = frozenset({FULFILLED, IN_PROGRESS, ARRIVED})
UPCOMING = frozenset({BOOKED, PROPOSED})


@dataclass(frozen=True)
class Change:
    """One session the re-plan moves, adds or cancels."""

    session_id: int | None            # None: a new session
    type_key: str
    purpose: str
    dose_number: int | None
    old_start: datetime | None
    new: PlannedSession | None        # None: cancelled


@dataclass
class Replan:
    """What a re-plan would do (or did): what moves, what is added or cancelled, and why."""

    course_id: int
    changes: list[Change] = field(default_factory=list)
    renumbered: dict[int, int] = field(default_factory=dict)  # session id -> new dose number
    reasons: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def fingerprint(self) -> str:
        """A short digest of the changes, so an apply can insist on what was previewed."""
        text = repr([(c.session_id, c.type_key, c.dose_number, c.new.start.isoformat() if c.new else None,
                      c.new.room_id if c.new else None) for c in self.changes])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def keeps_schedule(protocol: Protocol, lost: list[CourseSession]) -> bool:
    """True when missed doses are not made up: an esketamine induction miss continues as planned (REG, label).

    A held dose is always made up, and so is a miss in a later phase (the prescriber reviews it).
    """
    first_phase = protocol.phases[0].doses
    return (protocol.missed_dose_policy == "keep_schedule" and bool(lost)
            and all(s.status != HELD and (s.dose_number or 0) <= first_phase for s in lost))


def replan_course(course: BookedCourse, clinic: ClinicState, types: dict[str, SessionType], patient: Patient,
                  preferences: Preferences, first: date, now: datetime) -> Replan:
    """What re-planning the rest of a course changes, planned on a clinic snapshot that still holds all its sessions."""
    protocol, zone = course.protocol, clinic.site.calendar.zone
    doses = [s for s in course.sessions if s.purpose == DOSE]
    given = [s for s in doses if s.status in GIVEN]
    upcoming = [s for s in doses if s.status in UPCOMING and s.start >= now]
    lost = [s for s in doses if s.status in RELEASED or s.status == HELD]
    result = Replan(course.id)
    if keeps_schedule(protocol, lost):
        result.note = ("A missed induction dose is not made up: the schedule continues as planned "
                       "(esketamine label).")
        return result
    therapy = [s for s in course.sessions if s.purpose != DOSE and s.status not in RELEASED]
    numbering = {s.id: n for n, s in enumerate(given + upcoming, 1)}
    # Therapy is tied to a dose by number; map old numbers to the live doses' new ones.
    old_anchor = {s.dose_number: numbering[s.id] for s in given + upcoming if s.dose_number}
    if len(given) + len(upcoming) == protocol.total_doses and not _breaches(protocol, zone, given + upcoming,
                                                                             len(given), therapy, old_anchor):
        by_id = {s.id: s for s in course.sessions}
        result.renumbered = {sid: n for sid, n in numbering.items() if by_id[sid].dose_number != n}
        result.renumbered.update({s.id: old_anchor[s.dose_number] for s in therapy
                                  if old_anchor[s.dose_number] != s.dose_number})
        result.note = "The course still follows its protocol; nothing needs to move."
        return result
    unready = dosing_readiness(patient)
    if unready:
        result.reasons = [reason.message for reason in unready]
        return result
    last_reasons: tuple[str, ...] = ()
    for keep in range(len(upcoming), -1, -1):
        fixed_rows = given + upcoming[:keep]
        fixed = [FixedDose(n, local(s.start, zone).date(), s.start, s.end) for n, s in enumerate(fixed_rows, 1)]
        kept_therapy, counters = {}, {}
        for s in therapy:
            anchor = old_anchor.get(s.dose_number)
            if anchor is not None and anchor <= len(fixed_rows):
                key = (s.type_key, anchor)
                index = counters.get(key, 0)
                counters[key] = index + 1
                kept_therapy[(s.type_key, anchor, index)] = s
        movable = upcoming[keep:] + [s for s in therapy if s not in kept_therapy.values()]
        problem = PlanningProblem(protocol, types, clinic.without({s.id for s in movable}), patient, preferences,
                                  first, horizon_days(protocol), now, tuple(fixed),
                                  {k: s.start for k, s in kept_therapy.items()})
        plan = plan_course(problem)
        if isinstance(plan, Plan):
            result.changes = _diff(plan, movable)
            result.renumbered = {s.id: n for n, s in enumerate(fixed_rows, 1) if s.dose_number != n}
            result.renumbered.update({s.id: key[1] for key, s in kept_therapy.items() if s.dose_number != key[1]})
            return result
        last_reasons = plan.reasons if isinstance(plan, NoPlan) else ()
    result.reasons = list(last_reasons) or ["No way to complete the course within the planning horizon."]
    return result


def _breaches(protocol: Protocol, zone: str, doses: list[CourseSession], given: int, therapy: list[CourseSession],
              old_anchor: dict[int, int]) -> bool:
    items = [CourseItem(DOSE, "", n, local(s.start, zone).date()) for n, s in enumerate(doses, 1)]
    for s in therapy:
        anchor = old_anchor.get(s.dose_number)
        if anchor is None:
            return True
        items.append(CourseItem(s.purpose, s.type_key, anchor, local(s.start, zone).date()))
    return bool(course_breaches(protocol, items, given=given))


def _diff(plan: Plan, movable: list[CourseSession]) -> list[Change]:
    """Pair planned sessions with the sessions they replace (same type, in time order)."""
    changes: list[Change] = []
    by_type: dict[str, list[CourseSession]] = {}
    for s in sorted(movable, key=lambda s: s.start):
        by_type.setdefault(s.type_key, []).append(s)
    for planned in plan.sessions:
        pool = by_type.get(planned.type_key, [])
        old = pool.pop(0) if pool else None
        unchanged = (old is not None and old.start == planned.start and old.room_id == planned.room_id
                     and sorted((p.staff_id, p.role) for p in old.placements)
                     == sorted((p.staff_id, p.role) for p in planned.placements)
                     and old.dose_number == planned.dose_number)
        if not unchanged:
            changes.append(Change(old.id if old else None, planned.type_key, planned.purpose, planned.dose_number,
                                  old.start if old else None, planned))
    for leftover in (s for pool in by_type.values() for s in pool):
        changes.append(Change(leftover.id, leftover.type_key, leftover.purpose, leftover.dose_number,
                              leftover.start, None))
    return changes
