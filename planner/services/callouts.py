"""Call-outs: mark someone away for a span and repair their sessions in one action (issue 12, part 5).

The preview proposes a repair per session (domain.callouts). Applying records the time off as a
call-out, bypassing the refusal a plain time-off entry meets (cover.change_keeping_cover) only
because the repairs commit in the same transaction: time off, reassignments and moves, all or
nothing. The plan is worked out again under the booking lock; if it differs from the one shown
(a token of it), nothing is written and the fresh preview comes back with the refusal.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session as OrmSession

from planner.db import reads
from planner.db.models import Callout, CoverageAlert, Patient, Session, SessionStaff, Staff
from planner.db.uow import lock_for_booking, unit_of_work
from planner.domain.booking import team_cover_reasons
from planner.domain.callouts import (
    GAP, MOVE, MOVE_DAYS, REASSIGN, Affected, Repair, plan_key, plan_repairs, told,
)
from planner.domain.calendar import day_start, local
from planner.domain.clinic import SessionRequest
from planner.domain.errors import BookingRefused, CoverBroken, DomainError, InvalidData, Reason
from planner.domain.intervals import Interval
from planner.domain.lifecycle import FINAL
from planner.services import Actor
from planner.services.audit import record
from planner.services.booking import SessionOrder, build_request, check_request, move_session, placements_for
from planner.services.notices import queue_notices
from planner.services.clinic_setup import add_time_off
from planner.services.inputs import TimeOffIn

CALL_OUT = "call-out"
LONGEST_SPAN = timedelta(days=14)  # a call-out is short notice; longer absences are planned leave


@dataclass(frozen=True)
class Preview:
    """What a call-out would do: each affected session's repair, and the token that names this very plan."""

    staff_id: int
    staff_name: str
    span: Interval
    repairs: list[Repair]
    token: str
    zones: dict[int, str] = field(default_factory=dict)  # site id -> IANA zone, to show times in

    @property
    def counts(self) -> dict[str, int]:
        """How many sessions each kind of repair takes."""
        return {kind: sum(r.action == kind for r in self.repairs) for kind in (REASSIGN, MOVE, GAP)}


@dataclass(frozen=True)
class Applied:
    """A call-out applied: its id, the repairs made and who was told."""

    callout_id: int
    preview: Preview
    told: list[str]


class CalloutStale(DomainError):
    """The clinic changed since the preview: nothing was written; the fresh preview comes along."""

    def __init__(self, fresh: Preview):
        super().__init__("The clinic changed since this preview; look at the fresh one and apply again.")
        self.fresh = fresh


def preview_callout(staff_id: int, starts_at: datetime, ends_at: datetime, now: datetime,
                    choices: dict[int, str] | None = None) -> Preview:
    """The repair the planner proposes for each session the person would leave without cover; nothing written."""
    span = _span(starts_at, ends_at)
    with reads.reading() as session:
        return _plan(session, staff_id, span, now, choices)


def apply_callout(staff_id: int, starts_at: datetime, ends_at: datetime, reason: str, token: str, actor: Actor,
                  now: datetime, choices: dict[int, str] | None = None) -> Applied:
    """Record the call-out and apply every repair of the preview named by token, all or nothing (CalloutStale)."""
    span = _span(starts_at, ends_at)
    reason = " ".join(reason.split())[:200]
    with unit_of_work() as session:
        sites, patients = _touched(session, staff_id, span, now)
        lock_for_booking(session, sites, {staff_id}, patients)
        preview = _plan(session, staff_id, span, now, choices)
        if preview.token != token:
            raise CalloutStale(preview)
        for repair in preview.repairs:
            session.flush()  # the rules read with plain SQL: each repair's checks must see the ones before it
            team = tuple((p.staff_id, p.role) for p in repair.placements)
            if repair.action == MOVE:
                move_session(session, repair.session_id, repair.start, actor, now, repair.room_id, team)
            elif repair.action == REASSIGN:
                _restaff(session, repair.session_id, team, actor, now)
        # One pass of the outbox for every re-staffed session (a move queues its own).
        queue_notices(session, [r.session_id for r in preview.repairs if r.action == REASSIGN], now)
        # The time off comes after the moves: their checks read the kept set-up, which must never
        # hold a change of this transaction (it may yet roll back).
        leave = add_time_off(session, staff_id, TimeOffIn(starts_at=starts_at, ends_at=ends_at,
                                                          reason=reason or "Called out"))
        leave.kind = CALL_OUT
        record(session, actor, "time_off.created", "time_off", leave.id, now, kind=CALL_OUT,
               starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat(), reason=reason)
        _recheck(session, preview, staff_id)
        _open_gaps(session, preview, now)
        names = _told(session, preview.repairs)
        row = Callout(staff_id=staff_id, time_off_id=leave.id, starts_at=span.start, ends_at=span.end, reason=reason,
                      made_at=now, made_by=actor.label[:200], told=names,
                      repairs=[{"session_id": r.session_id, "action": r.action, "words": r.words,
                                "why": list(r.why)} for r in preview.repairs])
        session.add(row)
        session.flush()
        record(session, actor, "callout.applied", "callout", row.id, now, staff_id=staff_id,
               starts_at=span.start.isoformat(), ends_at=span.end.isoformat(),
               repairs=[[r.session_id, r.action] for r in preview.repairs])
        callout_id = row.id
        session.commit()
        return Applied(callout_id, preview, names)


def _restaff(session: OrmSession, session_id: int, team: tuple[tuple[int, str], ...], actor: Actor,
             now: datetime) -> None:
    """Give a session its new team at the same time and place, through every booking rule (BookingRefused if not).

    The caller calls queue_notices for it before it commits.

    Not move_session: a session that keeps its time is not "moved", so the patient's open request
    for another time stays open.
    """
    row = session.get(Session, session_id)
    before = sorted((p.staff_id, p.role) for p in row.staff)
    order = SessionOrder(row.patient_id, row.site_id, row.session_type_id, row.starts_at, row.room_id, team,
                         row.course_id)
    lock_for_booking(session, {row.site_id}, {s for s, _ in team}, {row.patient_id})
    request = build_request(session, order)
    reasons = check_request(session, request, now, ignore=row.id)
    if reasons:
        raise BookingRefused(reasons)
    row.staff = placements_for(request)
    row.sequence += 1  # calendars show the team: staff taken off get a CANCEL, staff put on an invite
    row.version += 1
    row.updated_at = now  # the caller queues the notices of all the sessions it re-staffs at once
    record(session, actor, "session.restaffed", "session", row.id, now, before=before, after=sorted(team),
           version=row.version, by="call-out")


def _span(starts_at: datetime, ends_at: datetime) -> Interval:
    problems = []
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None:
            problems.append(Reason("naive_time", "Give the time with a time zone offset.", name))
    if not problems and ends_at <= starts_at:
        problems.append(Reason("end_before_start", "The end comes before the start.", "ends_at"))
    elif not problems and ends_at - starts_at > LONGEST_SPAN:
        problems.append(Reason("too_long", "A call-out covers at most 14 days; enter longer absences as leave.",
                               "ends_at"))
    if problems:
        raise InvalidData(problems)
    return Interval(starts_at, ends_at)


def _theirs(staff_id: int, span: Interval, now: datetime):
    """The condition on sessions: still to come, not final, with a role of theirs overlapping span."""
    roles = (select(SessionStaff.session_id)
             .where(SessionStaff.staff_id == staff_id, SessionStaff.starts_at < span.end,
                    SessionStaff.ends_at > span.start))
    return and_(Session.id.in_(roles), Session.ends_at > now, Session.status.not_in(FINAL))


def _touched(session: OrmSession, staff_id: int, span: Interval, now: datetime) -> tuple[set[int], set[int]]:
    """The sites and patients of the sessions the call-out touches (what the lock must cover)."""
    found = session.execute(select(Session.site_id, Session.patient_id).where(_theirs(staff_id, span, now))).all()
    return {r.site_id for r in found}, {r.patient_id for r in found}


def _plan(session: OrmSession, staff_id: int, span: Interval, now: datetime, choices: dict[int, str] | None) -> Preview:
    member = session.get(Staff, staff_id)
    if member is None:
        raise InvalidData([Reason("unknown", f"No staff member with id {staff_id}.", "staff_id")])
    booked = reads.booked_requests(session, _theirs(staff_id, span, now))
    facts = {r.id: r for r in session.execute(select(Session.id, Session.version, Session.status, Session.course_id)
                                              .where(Session.id.in_([sid for sid, _ in booked])))}
    courses = {cid: reads.course(session, cid) for cid in {f.course_id for f in facts.values()} if cid is not None}
    affected = [Affected(sid, facts[sid].version, facts[sid].status, request,
                         courses.get(facts[sid].course_id)) for sid, request in booked]
    # Most call-outs are repaired by reassignment, which reads only the sessions' own days; the
    # week a move searches is read only when some session is not reassigned (the plan is the same).
    repairs = plan_repairs(staff_id, span, affected, _states(session, affected, 1), now, choices)
    if any(r.action != REASSIGN and (choices or {}).get(r.session_id) != GAP for r in repairs):
        repairs = plan_repairs(staff_id, span, affected, _states(session, affected, MOVE_DAYS + 1), now, choices)
    token = hashlib.sha256(repr(plan_key(staff_id, span, affected, repairs)).encode()).hexdigest()[:32]
    zones = {a.request.site.id: a.request.site.calendar.zone for a in affected}
    return Preview(staff_id, member.name, span, repairs, token, zones)


def _states(session: OrmSession, affected: list[Affected], days: int) -> dict:
    """Per site, the clinic from the first affected local day to `days` after the last, everyone on shift there."""
    states = {}
    for site_id in {a.request.site.id for a in affected}:
        mine = [a.request for a in affected if a.request.site.id == site_id]
        site, zone = mine[0].site, mine[0].site.calendar.zone
        first = min(site.calendar.local_day(r.start) for r in mine)
        last = max(site.calendar.local_day(r.start) for r in mine) + timedelta(days=days)
        states[site_id] = reads.for_callout(session, site, Interval(day_start(first, zone), day_start(last, zone)),
                                            {r.patient.id for r in mine})
    return states


def _recheck(session: OrmSession, preview: Preview, staff_id: int) -> None:
    """After the time off is written: every repaired session has its whole team (a last guard, read afresh)."""
    repaired = [r for r in preview.repairs if r.action != GAP]
    after = [SessionRequest(r.before.patient, r.before.site, r.before.session_type, r.start, r.room_id, r.placements)
             for r in repaired]
    broken = []
    for repair, request, state in zip(repaired, after, reads.for_rechecking(session, after)):
        reasons = team_cover_reasons(request, state, repair.session_id)
        if reasons:
            broken.append(Reason("cover_broken", f"Session {repair.session_id}: "
                                 f"{' '.join(r.message for r in reasons)}", "sessions"))
    if broken:
        raise CoverBroken(broken)


def _open_gaps(session: OrmSession, preview: Preview, now: datetime) -> None:
    """Each session left as a gap is an open coverage alert at once (the daily check keeps or resolves it)."""
    gaps = [r for r in preview.repairs if r.action == GAP]
    if not gaps:
        return
    open_keys = set(session.scalars(select(CoverageAlert.key).where(
        CoverageAlert.resolved_at.is_(None), CoverageAlert.key.in_([f"session:{r.session_id}" for r in gaps]))))
    for repair in gaps:
        key = f"session:{repair.session_id}"
        if key in open_keys:
            continue
        request = repair.before
        when = f"{local(request.start, request.site.calendar.zone):%a %d %b %Y %H:%M %Z}"
        message = (f"Session {repair.session_id} ({request.session_type.name}, {when} at {request.site.name}) "
                   f"has lost cover: {preview.staff_name} called out. {' '.join(repair.why)}")
        session.add(CoverageAlert(kind="session_uncovered", key=key, site_id=request.site.id,
                                  session_id=repair.session_id, starts_at=request.start, message=message[:2000],
                                  opened_at=now, seen_at=now))


def _told(session: OrmSession, repairs: list[Repair]) -> list[str]:
    """Who the outbox tells, in words: staff taken off (a cancellation), staff put on (an invite), patients moved."""
    removed, added, moved = told(repairs)
    names = dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(removed | added))).all())
    patients = dict(session.execute(select(Patient.id, Patient.name).where(Patient.id.in_(moved))).all())

    def sessions(test) -> str:
        ids = [r.session_id for r in repairs if test(r)]
        return f"session{'s' if len(ids) > 1 else ''} {', '.join(map(str, ids))}"

    return ([f"{names[s]}: taken off {sessions(lambda r, s=s: s in r.removed)}, a cancellation "
             "(an invite not yet sent is withdrawn instead)" for s in sorted(removed)]
            + [f"{names[s]}: put on {sessions(lambda r, s=s: s in r.added)}, an invite" for s in sorted(added)]
            + [f"{patients[p]}: {sessions(lambda r, p=p: r.action == MOVE and r.before.patient.id == p)} moved, "
               "an updated invite" for p in sorted(moved)])
