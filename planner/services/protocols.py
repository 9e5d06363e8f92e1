"""Protocols as versioned data: the shipped defaults, new versions, and the active one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import ProtocolRetirement, ProtocolVersion, SessionType
from planner.db.uow import unit_of_work
from planner.domain.errors import InvalidData, NotFound, ProtocolRefused, Reason
from planner.domain.protocol_library import DEFAULT_PROTOCOLS
from planner.domain.protocol_words import protocol_changes
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


def save_protocol(data: dict, actor: Actor, now: datetime, *, new: bool = False,
                  based_on: int | None = None) -> tuple[str, int]:
    """Store a new version of a protocol (it becomes the one new courses get); returns key and version.

    new: refuse a key the clinic already has (the "new protocol" form). based_on: the version the
    editor started from; if another was saved since, nothing is saved (ProtocolRefused).
    """
    checked = parse(ProtocolIn, data)
    definition = checked.model_dump()
    with unit_of_work() as session:
        names = {k: n for k, n in session.execute(select(SessionType.key, SessionType.name))}
        problems = protocol_problems(protocol_from_dict(definition), set(names))
        if problems:
            raise InvalidData(problems)
        # The update first: on PostgreSQL it locks this protocol's versions, so a second save waits
        # and then reads the version this one adds (READ COMMITTED), never the same number.
        session.execute(update(ProtocolVersion).where(ProtocolVersion.key == checked.key).values(active=False))
        latest = session.scalar(select(ProtocolVersion).where(ProtocolVersion.key == checked.key)
                                .order_by(ProtocolVersion.version.desc()).limit(1))
        if new and latest is not None:
            raise InvalidData([Reason("exists", f"There is a protocol with the key {checked.key!r} already "
                                      f"({latest.name}); edit that one, or choose another key.", "key")])
        if based_on is not None and latest is not None and latest.version != based_on:
            raise ProtocolRefused([Reason("saved_meanwhile", f"Version {latest.version} was saved since you "
                                          f"opened version {based_on}, so nothing was saved. Open the protocol "
                                          "again to see it and make your change there.")])
        version = (latest.version if latest else 0) + 1
        changes = protocol_changes(protocol_from_dict(latest.definition), protocol_from_dict(definition),
                                   names) if latest else []
        try:
            _insert(session, definition, version, now)
        except IntegrityError:
            # A brand-new key saved twice at the same moment: nothing locked it, the unique (key, version) keeps one.
            session.rollback()
            raise ProtocolRefused([Reason("saved_meanwhile", f"Version {version} of {checked.key!r} was saved by "
                                          "someone else at the same moment, so nothing was saved. Open the "
                                          "protocol to see it.")]) from None
        # Before and after are the versions themselves (both kept); the log says what changed in words.
        record(session, actor, "protocol.saved", "protocol", checked.key, now, version=version,
               before={"version": latest.version} if latest else None, after={"version": version}, changes=changes)
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
    retired = retirement_in_force(session, key)
    if retired is not None:
        raise InvalidData([Reason("retired", retired_words(row.name, retired), field)])
    return row, protocol_from_dict(row.definition, row.version)


def retired_words(name: str, retired: ProtocolRetirement) -> str:
    """Why a protocol cannot start a new course, for the wizard and the API alike."""
    return (f"{name} was retired on {retired.retired_at:%Y-%m-%d} ({retired.reason}): no new course can start on "
            "it. Choose another protocol; courses already running keep theirs.")


def retirement_in_force(session: OrmSession, key: str) -> ProtocolRetirement | None:
    """The retirement that keeps a protocol from new courses, if any."""
    return session.scalar(select(ProtocolRetirement).where(ProtocolRetirement.key == key,
                                                           ProtocolRetirement.restored_at.is_(None)))


def protocol_version(session: OrmSession, protocol_id: int) -> Protocol:
    """A stored protocol version by id."""
    row = session.get(ProtocolVersion, protocol_id)
    if row is None:
        raise NotFound("protocol version", protocol_id)
    return protocol_from_dict(row.definition, row.version)
