"""API for one protocol: its versions, and retiring or restoring it (issue 12, part 2).

A new version is POST /api/protocols (planner/web/api/courses.py). Retiring is a state, as the
set-up's PATCH routes do with `active` and `withdrawn`: PATCH {"retired": true, "reason": ...}.
Nothing is deleted; running courses keep their version either way.
"""

from __future__ import annotations

from flask import jsonify
from werkzeug.routing import BaseConverter

from planner.services.course_inputs import PROTOCOL_KEY, ProtocolStateChange
from planner.services.protocol_pages import ProtocolDetail, Retirement, VersionInfo, protocol_detail
from planner.services.protocol_states import change_protocol_state
from planner.domain.protocols import protocol_to_dict
from planner.web.access import actor, now
from planner.web.api import api
from planner.web.api.common import body, instant
from planner.web.api.describe import ANY_STAFF, operation
from planner.web.api.protocol_schemas import ProtocolDetailOut, ProtocolVersionOut

class ProtocolKeyConverter(BaseConverter):
    """A protocol's key in a path; anything else matches no route (404)."""

    regex = PROTOCOL_KEY


# <protocol_key:key> in a route (the pages' too): before the routes below register.
api.record_once(lambda state: state.app.url_map.converters.setdefault("protocol_key", ProtocolKeyConverter))


@api.get("/protocols/<protocol_key:key>")
@operation(*ANY_STAFF, answers={200: ProtocolDetailOut}, tag="courses")
def show_protocol(key: str):
    """A protocol: its active version, every version with who saved it and what changed, and its retirement."""
    return jsonify(detail_data(protocol_detail(key)))


@api.get("/protocols/<protocol_key:key>/versions/<id:number>")
@operation(*ANY_STAFF, answers={200: ProtocolVersionOut}, tag="courses")
def show_protocol_version(key: str, number: int):
    """One stored version of a protocol, as saved (a running course keeps the version it started on)."""
    return jsonify(version_data(protocol_detail(key).version(number)))


@api.patch("/protocols/<protocol_key:key>")
@operation("admin", body=ProtocolStateChange, answers={200: ProtocolDetailOut}, refusals=(409,), tag="courses")
def change_protocol(key: str):
    """Retire a protocol (no new course gets it) or restore it, with a reason; 409 if it is so already."""
    change_protocol_state(key, body(ProtocolStateChange), actor(), now())
    return jsonify(detail_data(protocol_detail(key)))


def version_data(info: VersionInfo) -> dict:
    """A version as the API shows it."""
    return {**protocol_to_dict(info.protocol), "version": info.version, "active": info.active,
            "saved_at": instant(info.saved_at), "saved_by": info.saved_by, "running_courses": info.running,
            "changes": info.changes}


def detail_data(detail: ProtocolDetail) -> dict:
    """A protocol with its versions and retirements as the API shows it."""
    return {"key": detail.key, "name": detail.name,
            "retired": _retirement(detail.retired) if detail.retired else None,
            "active": version_data(detail.active),
            "versions": [{"version": v.version, "name": v.protocol.name, "active": v.active,
                          "saved_at": instant(v.saved_at), "saved_by": v.saved_by, "running_courses": v.running,
                          "changes": v.changes} for v in detail.versions],
            "retirements": [_retirement(r) for r in detail.retirements]}


def _retirement(found: Retirement) -> dict:
    return {"retired_at": instant(found.at), "retired_by": found.by, "reason": found.reason,
            "restored_at": instant(found.restored_at), "restored_by": found.restored_by,
            "restore_reason": found.restore_reason}
