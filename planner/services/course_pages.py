"""What the course wizard and a course's page read: choices, patients found, a course with names."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from planner.db.models import Course, ProtocolRetirement, ProtocolVersion, Site, Staff
from planner.db.uow import unit_of_work
from planner.domain.protocols import Protocol, protocol_from_dict
from planner.domain.staffing import THERAPIST
from planner.services import course_view
from planner.services.patient_search import PatientBrief, patient_brief
from planner.services.protocols import retired_words

SEARCH_LIMIT = 20


@dataclass(frozen=True)
class WizardChoices:
    """What the wizard's preference fields offer."""

    protocols: list[tuple[str, str]]   # (key, name) of every active protocol
    sites: list[tuple[int, str, str]]  # (id, name, zone)
    therapists: list[tuple[int, str]]
    retired: dict[str, str] = field(default_factory=dict)  # key -> why no new course can start on it


def wizard_choices() -> WizardChoices:
    """Active protocols, sites and active therapists, by name."""
    with unit_of_work(write=False) as session:
        protocols = session.execute(select(ProtocolVersion.key, ProtocolVersion.name)
                                    .where(ProtocolVersion.active.is_(True)).order_by(ProtocolVersion.name)).all()
        # A retired protocol is not offered; asked for by name (a link, a stale page) it says why.
        retired = {r.key: r for r in session.scalars(select(ProtocolRetirement)
                                                     .where(ProtocolRetirement.restored_at.is_(None)))}
        sites = session.execute(select(Site.id, Site.name, Site.timezone).order_by(Site.name)).all()
        staff = session.execute(select(Staff.id, Staff.name, Staff.disciplines)
                                .where(Staff.active.is_(True)).order_by(Staff.name)).all()
        return WizardChoices([(k, n) for k, n in protocols if k not in retired], [tuple(s) for s in sites],
                             [(i, n) for i, n, kinds in staff if THERAPIST in (kinds or [])],
                             {k: retired_words(n, retired[k]) for k, n in protocols if k in retired})


def active_protocol_definition(key: str) -> Protocol | None:
    """The active version of a protocol as the rules see it, or None."""
    with unit_of_work(write=False) as session:
        row = session.scalar(select(ProtocolVersion).where(ProtocolVersion.key == key,
                                                           ProtocolVersion.active.is_(True)))
        return protocol_from_dict(row.definition, row.version) if row else None


@dataclass(frozen=True)
class CoursePage:
    """A course with everything its page names: patient, site and zone, protocol, rooms and people."""

    data: dict
    patient: PatientBrief
    site_name: str
    zone: str
    protocol: Protocol
    rooms: dict[int, str]
    staff: dict[int, str]


def course_page(course_id: int) -> CoursePage:
    """A course as its page shows it, or NotFound."""
    data = course_view.course_data(course_id)
    with unit_of_work(write=False) as session:
        course = session.get(Course, course_id)
        site = session.get(Site, course.site_id)
        version = session.get(ProtocolVersion, course.protocol_id)
        protocol = protocol_from_dict(version.definition, version.version)
        site_name, zone = site.name, site.timezone
    rooms, staff = course_view.names()
    return CoursePage(data, patient_brief(data["patient_id"]), site_name, zone, protocol, rooms, staff)


def site_names() -> dict[int, tuple[str, str]]:
    """Every site's name and zone by id."""
    with unit_of_work(write=False) as session:
        return {i: (n, z) for i, n, z in session.execute(select(Site.id, Site.name, Site.timezone))}
