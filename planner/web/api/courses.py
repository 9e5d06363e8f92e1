"""API for protocols and courses: propose, book, show, re-plan."""

from __future__ import annotations

from flask import jsonify, request

from planner.db import queries
from planner.db.models import Course, ProtocolVersion
from planner.domain.errors import NotFound
from planner.extensions import db
from planner.services import course_view
from planner.services.course_booking import book_course
from planner.services.course_inputs import ProposeIn
from planner.services.course_planning import propose_course
from planner.services.course_replan import preview_replan
from planner.services.course_replan_apply import apply_changes
from planner.services.course_status import stop_course
from planner.services.protocols import save_protocol
from planner.web.access import actor, now, roles_required
from planner.web.api import api
from planner.web.api.common import body

ANY_STAFF = ("reception", "clinician", "admin")


@api.get("/protocols")
@roles_required(*ANY_STAFF)
def list_protocols():
    """The active version of every protocol."""
    rows = queries.plain_rows(db.session, ProtocolVersion, ProtocolVersion.key,
                              where=[ProtocolVersion.active.is_(True)])
    return jsonify([{"key": r.key, "version": r.version, **r.definition} for r in rows])


@api.post("/protocols")
@roles_required("admin")
def create_protocol_version():
    """Store a new version of a protocol; running courses keep theirs."""
    data = request.get_json(silent=True)
    key, version = save_protocol(data if isinstance(data, dict) else {}, actor(), now())
    return jsonify({"key": key, "version": version}), 201


@api.post("/courses/proposals")
@roles_required("reception")
def propose():
    """The best safe plan for a patient and protocol, plus up to two alternatives."""
    args = body(ProposeIn)
    proposal = propose_course(args.patient_id, args.protocol, args.preferences, now(), args.start)
    zones = course_view.site_zones()
    return jsonify({"patient_id": args.patient_id, "protocol": {"key": proposal.protocol.key,
                                                                "version": proposal.protocol.version},
                    "plans": [course_view.plan_data(p, args.patient_id, args.protocol, zones[p.sessions[0].site_id])
                              for p in proposal.plans],
                    "reasons": proposal.reasons})


@api.post("/courses")
@roles_required("reception")
def book_a_course():
    """Book a proposed plan all at once (send a proposal's "book" object)."""
    data = request.get_json(silent=True)
    course_id = book_course(data if isinstance(data, dict) else {}, actor(), now())
    return jsonify(course_view.course_data(course_id)), 201


@api.get("/courses/<int:course_id>")
@roles_required(*ANY_STAFF)
def show_course(course_id: int):
    """A course with its sessions and history."""
    return jsonify(course_view.course_data(course_id))


@api.get("/courses/<int:course_id>/replan")
@roles_required("reception", "clinician")
def replan_preview(course_id: int):
    """What re-planning the rest of the course would move, add and cancel."""
    return jsonify(course_view.replan_data(preview_replan(course_id, now()), _zone(course_id)))


@api.post("/courses/<int:course_id>/replan")
@roles_required("reception")
def replan_apply(course_id: int):
    """Apply the re-plan; send the preview's fingerprint to insist on what was shown."""
    data = request.get_json(silent=True) or {}
    fingerprint = data.get("fingerprint") if isinstance(data, dict) else None
    replan = apply_changes(course_id, actor(), now(), fingerprint if isinstance(fingerprint, str) else None)
    return jsonify(course_view.replan_data(replan, _zone(course_id)))


@api.post("/courses/<int:course_id>/stop")
@roles_required("reception", "clinician")
def stop(course_id: int):
    """Stop a course and cancel its sessions still to come."""
    data = request.get_json(silent=True)
    reason = data.get("reason", "") if isinstance(data, dict) else ""
    stop_course(course_id, actor(), now(), reason if isinstance(reason, str) else "")
    return jsonify(course_view.course_data(course_id))


def _zone(course_id: int) -> str:
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound("course", course_id)
    return course.site.timezone
