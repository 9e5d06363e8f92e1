"""Writing audit events inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import AuditEvent
from planner.services import Actor


def record(session: OrmSession, actor: Actor, action: str, entity: str, entity_id: object, at: datetime,
           **details) -> None:
    """Add an audit event to the current transaction (committed with the change it describes)."""
    # A plain insert, written now: cheaper than the ORM's unit of work, and committed or rolled
    # back with the change it describes all the same.
    session.execute(insert(AuditEvent.__table__).values(
        at=at, actor_id=actor.user_id, actor=actor.label, action=action, entity=entity,
        entity_id=None if entity_id is None else str(entity_id), remote_addr=actor.remote_addr, details=details))
