"""The fresh offer that comes with a stale plan or re-plan."""

from __future__ import annotations

from planner.db.models import Course
from planner.extensions import db
from planner.services import course_view
from planner.services.course_planning import Proposal
from planner.services.course_replan import Replan


def fresh_offer(fresh) -> dict | None:
    """A new proposal's plans, or a new re-plan preview, as JSON."""
    if isinstance(fresh, Proposal):
        zones = course_view.site_zones()
        return {"plans": [course_view.plan_data(p, fresh.patient_id, fresh.protocol.key, zones[p.sessions[0].site_id])
                          for p in fresh.plans], "reasons": fresh.reasons}
    if isinstance(fresh, Replan):
        course = db.session.get(Course, fresh.course_id)
        return course_view.replan_data(fresh, course.site.timezone)
    return None
