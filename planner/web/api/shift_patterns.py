"""API for a person's weekly shift pattern: every shift it makes, created in one transaction or none."""

from __future__ import annotations

from flask import jsonify

from planner.db.models import Staff
from planner.domain.errors import NotFound
from planner.extensions import db
from planner.services.shift_patterns import ShiftPatternIn, create_pattern_from
from planner.web.access import actor, now
from planner.web.api import api, present
from planner.web.api.common import body
from planner.web.api.describe import operation
from planner.web.api.schemas import StaffDetailOut


@api.post("/staff/<id:staff_id>/shift-patterns")
@operation("admin", body=ShiftPatternIn, answers={201: StaffDetailOut})
def add_shift_pattern(staff_id: int):
    """Add a weekly pattern's shifts (wall time at the site); 422 names each clashing day unless it is left out."""
    create_pattern_from(staff_id, body(ShiftPatternIn), actor(), now())
    row = db.session.get(Staff, staff_id)
    if row is None:
        raise NotFound("staff member", staff_id)
    return jsonify(present.staff(row, True)), 201
