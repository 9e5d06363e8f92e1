"""Protocols as versioned data: the shipped defaults, new versions, and the active one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import ProtocolVersion, SessionType
from planner.db.uow import unit_of_work
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.domain.protocol_library import DEFAULT_PROTOCOLS
from planner.domain.protocols import Protocol, protocol_from_dict, protocol_problems, protocol_to_dict
from planner.services import Actor
from planner.services.audit import record
from planner.services.course_inputs import ProtocolIn
from planner.services.validation import parse


def install_default_protocols(actor: Actor, now: datetime) -> int:
    """Add the shipped protocols that the clinic does not have yet; returns how many were added."""
    with unit_of_work() as session:
        have = set(session.scalars(select(ProtocolVersion.key)))
        added = 0
        for protocol in DEFAULT_PROTOCOLS:
            if protocol.key not in have:
                _insert(session, protocol_to_dict(protocol), 1, now)
                record(session, actor, "protocol.installed", "protocol", protocol.key, now, version=1)
                added += 1
        session.commit()
        return added


def save_protocol(data: dict, actor: Actor, now: datetime) -> tuple[str, int]:
    """Store a new version of a protocol (it becomes the one new courses get); returns key and version."""
    checked = parse(ProtocolIn, data)
    definition = checked.model_dump()
    with unit_of_work() as session:
        known = set(session.scalars(select(SessionType.key)))
        problems = protocol_problems(protocol_from_dict(definition), known)
        if problems:
            raise InvalidData(problems)
        version = (session.scalar(select(func.max(ProtocolVersion.version))
                                  .where(ProtocolVersion.key == checked.key)) or 0) + 1
        session.execute(update(ProtocolVersion).where(ProtocolVersion.key == checked.key).values(active=False))
        _insert(session, definition, version, now)
        record(session, actor, "protocol.saved", "protocol", checked.key, now, version=version)
        session.commit()
        return checked.key, version


def _insert(session: OrmSession, definition: dict, version: int, now: datetime) -> None:
    session.add(ProtocolVersion(key=definition["key"], version=version, name=definition["name"],
                                definition=definition, active=True, created_at=now))
    session.flush()


def active_protocol(session: OrmSession, key: str, field: str = "protocol") -> tuple[ProtocolVersion, Protocol]:
    """The version of a protocol that new courses get, or InvalidData naming the field."""
    row = session.scalar(select(ProtocolVersion).where(ProtocolVersion.key == key, ProtocolVersion.active.is_(True)))
    if row is None:
        raise InvalidData([Reason("unknown", f"No protocol with key {key!r}.", field)])
    return row, protocol_from_dict(row.definition, row.version)


def protocol_version(session: OrmSession, protocol_id: int) -> Protocol:
    """A stored protocol version by id."""
    row = session.get(ProtocolVersion, protocol_id)
    if row is None:
        raise NotFound("protocol version", protocol_id)
    return protocol_from_dict(row.definition, row.version)
