"""Retiring a protocol (no new course gets it; running courses keep their version) and restoring it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from planner.db.models import ProtocolRetirement, ProtocolVersion
from planner.db.uow import unit_of_work
from planner.domain.errors import NotFound, ProtocolRefused, Reason
from planner.services import Actor
from planner.services.audit import record
from planner.services.course_inputs import ProtocolStateChange
from planner.services.protocols import retirement_in_force


def change_protocol_state(key: str, change: ProtocolStateChange, actor: Actor, now: datetime) -> None:
    """Retire or restore a protocol with a reason, audited; 409 (ProtocolRefused) when it is already so."""
    with unit_of_work() as session:
        name = session.scalar(select(ProtocolVersion.name).where(ProtocolVersion.key == key)
                              .order_by(ProtocolVersion.version.desc()).limit(1))
        if name is None:
            raise NotFound("protocol", key)
        in_force = retirement_in_force(session, key)
        if change.retired:
            if in_force is not None:
                raise ProtocolRefused([Reason("already_retired", f"{name} was retired already, on "
                                              f"{in_force.retired_at:%Y-%m-%d} ({in_force.reason}).", "retired")])
            session.add(ProtocolRetirement(key=key, retired_at=now, retired_by=actor.label, reason=change.reason))
            try:
                session.flush()
            except IntegrityError:
                # Two retirements at the same moment: the unique index among those in force keeps one
                # (on PostgreSQL the second waits for the first to commit, then fails here).
                session.rollback()
                raise ProtocolRefused([Reason("already_retired", f"{name} was retired already, a moment ago.",
                                              "retired")]) from None
            record(session, actor, "protocol.retired", "protocol", key, now, reason=change.reason,
                   before={"retired": False}, after={"retired": True})
        else:
            if in_force is None:
                raise ProtocolRefused([Reason("not_retired", f"{name} is not retired: new courses get it already.",
                                              "retired")])
            in_force.restored_at, in_force.restored_by, in_force.restore_reason = now, actor.label, change.reason
            record(session, actor, "protocol.restored", "protocol", key, now, reason=change.reason,
                   before={"retired": True, "retired_at": in_force.retired_at.isoformat(),
                           "retired_reason": in_force.reason}, after={"retired": False})
        session.commit()
