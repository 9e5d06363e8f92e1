"""API for protocols and courses: propose, book, show, re-plan."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from planner.db import queries
from planner.db.models import Course, ProtocolRetirement, ProtocolVersion
from planner.domain.errors import NotFound
from planner.extensions import db
from planner.services import course_view
from planner.services.course_booking import book_course, course_order
from planner.services.course_inputs import BookCourseIn, ProposeIn, ProtocolIn, ReplanIn, StopIn
from planner.services.course_planning import propose_course
from planner.services.course_replan import preview_replan
from planner.services.course_replan_apply import apply_changes
from planner.services.course_status import stop_course
from planner.services.protocols import save_protocol
from planner.web.access import actor, now
from planner.web.api import api
from planner.web.api.common import body
from planner.web.api.describe import ANY_STAFF, operation
from planner.web.api.course_schemas import CourseOut, ProposalOut, ProtocolOut, ProtocolSavedOut, ReplanOut


@api.get("/protocols")
@operation(*ANY_STAFF, answers={200: list[ProtocolOut]}, tag="courses")
def list_protocols():
    """The active version of every protocol new courses can get (a retired one: GET /api/protocols/{key})."""
    retired = select(ProtocolRetirement.key).where(ProtocolRetirement.restored_at.is_(None))
    rows = queries.plain_rows(db.session, ProtocolVersion, ProtocolVersion.key,
                              where=[ProtocolVersion.active.is_(True), ProtocolVersion.key.not_in(retired)])
    return jsonify([{"key": r.key, "version": r.version, **r.definition} for r in rows])


@api.post("/protocols")
@operation("admin", body=ProtocolIn, answers={201: ProtocolSavedOut}, tag="courses")
def create_protocol_version():
    """Store a new version of a protocol; running courses keep theirs."""
    key, version = save_protocol(body(ProtocolIn).model_dump(), actor(), now())
    return jsonify({"key": key, "version": version}), 201


@api.post("/courses/proposals")
@operation("reception", body=ProposeIn, answers={200: ProposalOut}, refusals=(409,), tag="courses")
def propose():
    """The best safe plan for a patient and protocol, plus up to two alternatives."""
    args = body(ProposeIn)
    proposal = propose_course(args.patient_id, args.protocol, args.preferences, now(), args.start)
    zones = course_view.site_zones()
    return jsonify({"patient_id": args.patient_id, "protocol": {"key": proposal.protocol.key,
                                                                "version": proposal.protocol.version},
                    "plans": [course_view.plan_data(p, args.patient_id, args.protocol, zones[p.sessions[0].site_id])
                              for p in proposal.plans],
                    "reasons": proposal.reasons, "site_note": proposal.site_note})


@api.post("/courses")
@operation("reception", body=BookCourseIn, answers={201: CourseOut}, refusals=(409,), tag="courses")
def book_a_course():
    """Book a proposed plan all at once (send a proposal's "book" object)."""
    course_id = book_course(course_order(body(BookCourseIn)), actor(), now())
    return jsonify(course_view.course_data(course_id)), 201


@api.get("/courses/<id:course_id>")
@operation(*ANY_STAFF, answers={200: CourseOut}, tag="courses")
def show_course(course_id: int):
    """A course with its sessions and history."""
    return jsonify(course_view.course_data(course_id))


@api.get("/courses/<id:course_id>/replan")
@operation("reception", "clinician", answers={200: ReplanOut}, tag="courses")
def replan_preview(course_id: int):
    """What re-planning the rest of the course would move, add and cancel."""
    return jsonify(course_view.replan_data(preview_replan(course_id, now()), _zone(course_id)))


@api.post("/courses/<id:course_id>/replan")
@operation("reception", body=ReplanIn, body_required=False, answers={200: ReplanOut}, refusals=(409,),
           tag="courses")
def replan_apply(course_id: int):
    """Apply the re-plan; send the preview's fingerprint to insist on what was shown."""
    replan = apply_changes(course_id, actor(), now(), body(ReplanIn).fingerprint)
    return jsonify(course_view.replan_data(replan, _zone(course_id)))


@api.post("/courses/<id:course_id>/stop")
@operation("reception", "clinician", body=StopIn, body_required=False, answers={200: CourseOut},
           refusals=(409,), tag="courses")
def stop(course_id: int):
    """Stop a course and cancel its sessions still to come."""
    stop_course(course_id, actor(), now(), body(StopIn).reason)
    return jsonify(course_view.course_data(course_id))


def _zone(course_id: int) -> str:
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound("course", course_id)
    return course.site.timezone
