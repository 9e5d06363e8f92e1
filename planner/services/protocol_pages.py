"""What the protocol pages and the API read: each protocol's versions, who saved them, what changed, who runs on them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import AuditEvent, Course, Patient, ProtocolRetirement, ProtocolVersion, SessionType
from planner.db.uow import unit_of_work
from planner.domain.errors import NotFound
from planner.domain.protocol_words import protocol_changes
from planner.domain.protocols import Protocol, protocol_from_dict

RUNNING = ("planned", "active")  # a course that is neither completed nor stopped keeps its version
SHOWN_COURSES = 50               # running courses named per version on the page (all are counted)


@dataclass(frozen=True)
class Retirement:
    """One time a protocol was retired, and restored if it was."""

    at: datetime
    by: str
    reason: str
    restored_at: datetime | None = None
    restored_by: str | None = None
    restore_reason: str | None = None


@dataclass(frozen=True)
class RunningCourse:
    id: int
    patient: str
    first_day: date
    status: str


@dataclass
class VersionInfo:
    """One stored version: its rules, when and by whom it was saved, what changed, who runs on it."""

    version: int
    protocol: Protocol
    saved_at: datetime
    saved_by: str | None
    active: bool
    running: int = 0
    courses: list[RunningCourse] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


@dataclass
class ProtocolDetail:
    key: str
    name: str
    active: VersionInfo
    versions: list[VersionInfo]            # newest first
    retired: Retirement | None             # in force now
    retirements: list[Retirement]          # every one, oldest first
    names: dict[str, str]                  # session type key -> name

    def version(self, number: int) -> VersionInfo:
        """A version by its number; NotFound when the protocol has none so numbered."""
        for info in self.versions:
            if info.version == number:
                return info
        raise NotFound(f"version of protocol {self.key}", number)


@dataclass(frozen=True)
class ProtocolSummary:
    key: str
    name: str
    version: int
    dosing_type: str
    doses: int
    running: dict[int, int]                # version -> running courses
    retired: Retirement | None


def session_type_names(session: OrmSession) -> dict[str, str]:
    """Every session type's name by key."""
    return {k: n for k, n in session.execute(select(SessionType.key, SessionType.name))}


def protocol_summaries() -> list[ProtocolSummary]:
    """Every protocol's active version, with its running courses per version and its retirement (if any)."""
    with unit_of_work(write=False) as session:
        names = session_type_names(session)
        rows = session.scalars(select(ProtocolVersion).where(ProtocolVersion.active.is_(True))
                               .order_by(ProtocolVersion.name)).all()
        versions = {i: k for i, k in session.execute(select(ProtocolVersion.id, ProtocolVersion.key))}
        numbers = {i: n for i, n in session.execute(select(ProtocolVersion.id, ProtocolVersion.version))}
        running: dict[str, Counter] = defaultdict(Counter)
        for protocol_id, count in session.execute(select(Course.protocol_id, func.count()).where(
                Course.status.in_(RUNNING)).group_by(Course.protocol_id)):
            running[versions[protocol_id]][numbers[protocol_id]] += count
        retired = {r.key: _retirement(r) for r in session.scalars(
            select(ProtocolRetirement).where(ProtocolRetirement.restored_at.is_(None)))}
        return [ProtocolSummary(r.key, r.name, r.version, names.get(r.definition["dosing_type"],
                                                                    r.definition["dosing_type"]),
                                sum(p["doses"] for p in r.definition["phases"]), dict(sorted(running[r.key].items())),
                                retired.get(r.key)) for r in rows]


def protocol_detail(key: str) -> ProtocolDetail:
    """A protocol with every version (newest first), who saved each, what changed, and the courses running on each."""
    with unit_of_work(write=False) as session:
        rows = session.scalars(select(ProtocolVersion).where(ProtocolVersion.key == key)
                               .order_by(ProtocolVersion.version)).all()
        if not rows:
            raise NotFound("protocol", key)
        names = session_type_names(session)
        savers = _savers(session, key)
        courses = _running_courses(session, [r.id for r in rows])
        versions: list[VersionInfo] = []
        previous: Protocol | None = None
        for row in rows:
            protocol = protocol_from_dict(row.definition, row.version)
            found = courses.get(row.id, [])
            versions.append(VersionInfo(row.version, protocol, row.created_at, savers.get(row.version), row.active,
                                        len(found), found[:SHOWN_COURSES],
                                        protocol_changes(previous, protocol, names) if previous else []))
            previous = protocol
        retirements = [_retirement(r) for r in session.scalars(
            select(ProtocolRetirement).where(ProtocolRetirement.key == key).order_by(ProtocolRetirement.id))]
        active = next((v for v in versions if v.active), versions[-1])
        in_force = next((r for r in retirements if r.restored_at is None), None)
        return ProtocolDetail(key, active.protocol.name, active, versions[::-1], in_force, retirements, names)


def _savers(session: OrmSession, key: str) -> dict[int, str]:
    """Who saved each version, from the audit log (the version number is in each event's details)."""
    found = {}
    for actor, details in session.execute(
            select(AuditEvent.actor, AuditEvent.details).where(
                AuditEvent.entity == "protocol", AuditEvent.entity_id == key,
                AuditEvent.action.in_(("protocol.saved", "protocol.installed"))).order_by(AuditEvent.id)):
        if isinstance(details, dict) and isinstance(details.get("version"), int):
            found[details["version"]] = actor
    return found


def _running_courses(session: OrmSession, version_ids: list[int]) -> dict[int, list[RunningCourse]]:
    found: dict[int, list[RunningCourse]] = defaultdict(list)
    for course_id, protocol_id, patient, first_day, status in session.execute(
            select(Course.id, Course.protocol_id, Patient.name, Course.first_day, Course.status)
            .join(Patient, Patient.id == Course.patient_id)
            .where(Course.protocol_id.in_(version_ids), Course.status.in_(RUNNING))
            .order_by(Course.first_day, Course.id)):
        found[protocol_id].append(RunningCourse(course_id, patient, first_day, status))
    return found


def _retirement(row: ProtocolRetirement) -> Retirement:
    return Retirement(row.retired_at, row.retired_by, row.reason, row.restored_at, row.restored_by, row.restore_reason)


def session_types_offered() -> list[tuple[str, str, str]]:
    """Every session type as (key, name, kind), by name: what a protocol's fields may name."""
    with unit_of_work(write=False) as session:
        return [(k, n, kind) for k, n, kind in session.execute(
            select(SessionType.key, SessionType.name, SessionType.kind).order_by(SessionType.name))]
