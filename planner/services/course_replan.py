"""Re-planning the rest of a course after a session moves, is cancelled, is missed or a dose is held.

The kept part is the longest run of upcoming doses, from the earliest on, with which the
protocol can still be met; only what comes after it moves. Moved sessions keep their row
(and so their calendar identity) and get a new version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from planner.db import state as rows
from planner.db.models import Course, Session, SessionType
from planner.db.uow import unit_of_work
from planner.gcpause import gc_paused
from planner.domain.calendar import local
from planner.domain.errors import NotFound
from planner.domain.lifecycle import BOOKED, PROPOSED, RELEASED
from planner.domain.planning import FixedDose, NoPlan, Plan, PlannedSession, plan_course
from planner.domain.planning.verify import CourseItem, course_breaches
from planner.domain.protocols import Protocol
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import planning_problem, to_preferences
from planner.services.protocols import protocol_version

GIVEN = frozenset({"fulfilled", "in_progress", "arrived"})
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


def compute_replan(session: OrmSession, course_id: int, now: datetime) -> Replan:
    """The re-plan of a course as things stand (reads only)."""
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound("course", course_id)
    protocol = protocol_version(session, course.protocol_id)
    sessions = list(session.scalars(select(Session).where(Session.course_id == course_id).order_by(Session.starts_at)))
    doses = [s for s in sessions if s.purpose == "dose"]
    given = [s for s in doses if s.status in GIVEN]
    upcoming = [s for s in doses if s.status in UPCOMING and s.starts_at >= now]
    lost = [s for s in doses if s.status in RELEASED or s.status == "held"]
    result = Replan(course_id)
    if _keeps_schedule(protocol, lost):
        result.note = ("A missed induction dose is not made up: the schedule continues as planned "
                       "(esketamine label).")
        return result
    therapy = [s for s in sessions if s.purpose != "dose" and s.status not in RELEASED]
    numbering = {s.id: n for n, s in enumerate(given + upcoming, 1)}
    site = rows.site_rules(session, course.site_id)
    types = {t.key: rows.session_type_rules(t) for t in session.scalars(select(SessionType))}
    keys = {t.id: t.key for t in types.values()}
    # Therapy is tied to a dose by number; map old numbers to the live doses' new ones.
    old_anchor = {s.dose_number: numbering[s.id] for s in given + upcoming if s.dose_number}
    if len(given) + len(upcoming) == protocol.total_doses and not _breaches(protocol, site, given, upcoming, therapy,
                                                                             old_anchor, keys):
        result.renumbered = {sid: n for sid, n in numbering.items() if _row(sessions, sid).dose_number != n}
        result.renumbered.update({s.id: old_anchor[s.dose_number] for s in therapy
                                  if old_anchor[s.dose_number] != s.dose_number})
        result.note = "The course still follows its protocol; nothing needs to move."
        return result
    patient = rows.patient_rules(course.patient)
    prefs = to_preferences(PreferencesIn.model_validate(course.preferences or {}))
    first = max(local(now, site.calendar.zone).date(), course.first_day)
    last_reasons: tuple[str, ...] = ()
    for keep in range(len(upcoming), -1, -1):
        fixed_rows = given + upcoming[:keep]
        fixed = [FixedDose(n, local(s.starts_at, site.calendar.zone).date(), s.starts_at, s.ends_at)
                 for n, s in enumerate(fixed_rows, 1)]
        kept_therapy, counters = {}, {}
        for s in therapy:
            anchor = old_anchor.get(s.dose_number)
            if anchor is not None and anchor <= len(fixed_rows):
                key = (keys[s.session_type_id], anchor)
                index = counters.get(key, 0)
                counters[key] = index + 1
                kept_therapy[(key[0], anchor, index)] = s
        movable = upcoming[keep:] + [s for s in therapy if s not in kept_therapy.values()]
        problem = planning_problem(session, site, protocol, types, patient, prefs, first, now, fixed,
                                   {k: s.starts_at for k, s in kept_therapy.items()}, [s.id for s in movable])
        plan = plan_course(problem)
        if isinstance(plan, Plan):
            result.changes = _diff(plan, movable, keys)
            result.renumbered = {s.id: n for n, s in enumerate(fixed_rows, 1) if s.dose_number != n}
            result.renumbered.update({s.id: key[1] for key, s in kept_therapy.items() if s.dose_number != key[1]})
            return result
        last_reasons = plan.reasons if isinstance(plan, NoPlan) else ()
    result.reasons = list(last_reasons) or ["No way to complete the course within the planning horizon."]
    return result


def _keeps_schedule(protocol: Protocol, lost: list[Session]) -> bool:
    first_phase = protocol.phases[0].doses
    return (protocol.missed_dose_policy == "keep_schedule" and bool(lost)
            and all(s.status != "held" and (s.dose_number or 0) <= first_phase for s in lost))


def _breaches(protocol, site, given, upcoming, therapy, old_anchor, keys) -> bool:
    zone = site.calendar.zone
    items = [CourseItem("dose", "", n, local(s.starts_at, zone).date()) for n, s in enumerate(given + upcoming, 1)]
    for s in therapy:
        anchor = old_anchor.get(s.dose_number)
        if anchor is None:
            return True
        items.append(CourseItem(s.purpose or "", keys[s.session_type_id], anchor, local(s.starts_at, zone).date()))
    return bool(course_breaches(protocol, items, given=len(given)))


def _row(sessions: list[Session], session_id: int) -> Session:
    return next(s for s in sessions if s.id == session_id)


def _diff(plan: Plan, movable: list[Session], keys: dict[int, str]) -> list[Change]:
    """Pair planned sessions with the rows they replace (same type, in time order)."""
    changes: list[Change] = []
    by_type: dict[str, list[Session]] = {}
    for s in sorted(movable, key=lambda s: s.starts_at):
        by_type.setdefault(keys[s.session_type_id], []).append(s)
    for planned in plan.sessions:
        pool = by_type.get(planned.type_key, [])
        row = pool.pop(0) if pool else None
        unchanged = (row is not None and row.starts_at == planned.start and row.room_id == planned.room_id
                     and sorted((p.staff_id, p.role) for p in row.staff) == sorted(
                         (p.staff_id, p.role) for p in planned.placements)
                     and row.dose_number == planned.dose_number)
        if not unchanged:
            changes.append(Change(row.id if row else None, planned.type_key, planned.purpose, planned.dose_number,
                                  row.starts_at if row else None, planned))
    for leftover in (s for pool in by_type.values() for s in pool):
        changes.append(Change(leftover.id, keys[leftover.session_type_id], leftover.purpose or "",
                              leftover.dose_number, leftover.starts_at, None))
    return changes


def preview_replan(course_id: int, now: datetime) -> Replan:
    """What re-planning the course would change, without changing anything."""
    with unit_of_work(write=False) as session, gc_paused():
        return compute_replan(session, course_id, now)

