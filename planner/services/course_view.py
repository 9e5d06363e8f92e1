"""Courses and plans as plain data for the API and the CLI."""

from __future__ import annotations

from sqlalchemy import select

from planner.db.models import Course, ProtocolVersion, Session, SessionType
from planner.db.uow import unit_of_work
from planner.domain.calendar import local
from planner.domain.errors import NotFound
from planner.domain.planning import Plan


def _instant(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def plan_data(plan: Plan, patient_id: int, protocol_key: str, zone: str) -> dict:
    """A plan with its score, its sessions in UTC and wall time, and the body that books it."""
    sessions = [{"session_type": s.type_key, "purpose": s.purpose, "dose_number": s.dose_number,
                 "start": _instant(s.start), "end": _instant(s.end), "local_start": local(s.start, zone).isoformat(),
                 "room_id": s.room_id, "staff": [{"staff_id": p.staff_id, "role": p.role} for p in s.placements]}
                for s in plan.sessions]
    book = {"patient_id": patient_id, "protocol": protocol_key, "site_id": plan.sessions[0].site_id,
            "sessions": [{k: v for k, v in s.items() if k not in ("end", "local_start")} for s in sessions]}
    ends, off_time, split, changes = plan.score
    return {"label": plan.label, "site_id": plan.sessions[0].site_id, "proven_optimal": plan.proven_optimal,
            "score": {"ends_after_days": ends, "doses_off_usual_time": off_time, "therapists_split": split,
                      "chair_or_staff_changes": changes},
            "sessions": sessions, "book": book}


def replan_data(replan, zone: str) -> dict:
    """A re-plan preview: what moves, what is added, what is cancelled."""
    changes = []
    for c in replan.changes:
        kind = "add" if c.session_id is None else ("cancel" if c.new is None else "move")
        changes.append({"kind": kind, "session_id": c.session_id, "session_type": c.type_key, "purpose": c.purpose,
                        "dose_number": c.dose_number,
                        "from": local(c.old_start, zone).isoformat() if c.old_start else None,
                        "to": local(c.new.start, zone).isoformat() if c.new else None,
                        "room_id": c.new.room_id if c.new else None})
    return {"course_id": replan.course_id, "fingerprint": replan.fingerprint, "changes": changes,
            "renumbered": {str(k): v for k, v in replan.renumbered.items()}, "note": replan.note,
            "reasons": replan.reasons}


def course_data(course_id: int) -> dict:
    """A course with its protocol version, sessions and history."""
    with unit_of_work(write=False) as session:
        course = session.get(Course, course_id)
        if course is None:
            raise NotFound("course", course_id)
        protocol = session.get(ProtocolVersion, course.protocol_id)
        zone = course.site.timezone
        rows = session.execute(select(Session, SessionType.key).join(SessionType)
                               .where(Session.course_id == course_id).order_by(Session.starts_at)).all()
        return {
            "id": course.id, "patient_id": course.patient_id, "site_id": course.site_id, "status": course.status,
            "protocol": {"key": protocol.key, "version": protocol.version, "name": protocol.name},
            "preferences": course.preferences, "first_day": course.first_day.isoformat(), "version": course.version,
            "sessions": [{"id": s.id, "session_type": key, "purpose": s.purpose, "dose_number": s.dose_number,
                          "status": s.status, "version": s.version, "start": _instant(s.starts_at),
                          "local_start": local(s.starts_at, zone).isoformat(), "room_id": s.room_id}
                         for s, key in rows],
            "history": [{"at": _instant(e.at), "actor": e.actor, "kind": e.kind, "details": e.details}
                        for e in course.events],
        }


def site_zones() -> dict[int, str]:
    """Every site's time zone by id."""
    from planner.db.models import Site

    with unit_of_work(write=False) as session:
        return dict(session.execute(select(Site.id, Site.timezone)).all())


def course_zone(course_id: int) -> str:
    """The time zone of a course's site."""
    with unit_of_work(write=False) as session:
        course = session.get(Course, course_id)
        if course is None:
            raise NotFound("course", course_id)
        return course.site.timezone


def names() -> tuple[dict[int, str], dict[int, str]]:
    """Room names and staff names by id, for showing plans to people."""
    from planner.db.models import Room, Staff

    with unit_of_work(write=False) as session:
        return (dict(session.execute(select(Room.id, Room.name)).all()),
                dict(session.execute(select(Staff.id, Staff.name)).all()))
