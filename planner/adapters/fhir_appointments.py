"""A patient's sessions as FHIR R4 Appointments, and a course as the CarePlan that holds them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from planner.adapters.fhir_common import instant, ours, reference
from planner.domain import lifecycle
from planner.domain.protocols import Protocol
from planner.domain.staffing import MONITORING_CLINICIAN, ROLE_NAMES, SUPERVISING_PRESCRIBER, THERAPIST

# Session status -> Appointment.status (R4: proposed | pending | booked | arrived | fulfilled | cancelled |
# noshow | entered-in-error | checked-in | waitlist). R4 has no "in progress" for an appointment (the
# Encounter carries that), so:
# - arrived (our check-in: escort confirmed, pre-dose vitals taken) is R4's checked-in, "pre-encounter
#   administrative work is complete, and the encounter may begin";
# - in progress stays checked-in: the appointment's last state before it is fulfilled;
# - held (a dose held at check-in for the prescriber's review) is R4's arrived, "the patient has arrived
#   and is waiting to be seen": here, but not cleared to begin.
APPOINTMENT_STATUS = {
    lifecycle.PROPOSED: "proposed",
    lifecycle.BOOKED: "booked",
    lifecycle.ARRIVED: "checked-in",
    lifecycle.IN_PROGRESS: "checked-in",
    lifecycle.HELD: "arrived",
    lifecycle.FULFILLED: "fulfilled",
    lifecycle.CANCELLED: "cancelled",
    lifecycle.NO_SHOW: "noshow",
}

# Course status -> CarePlan.status (R4: draft | active | on-hold | revoked | completed | entered-in-error | unknown).
# A planned course is already booked: its appointments hold rooms and staff and the patient is told of them.
# R4's draft means "not yet intended to be acted upon", which would tell a receiving system to ignore a
# plan the clinic is acting on, so planned maps to active like a course under way. A stopped course ends
# before its doses are done and nothing more is to happen: R4's revoked ("terminated prior to the known
# full completion of the intended actions"), not completed.
CAREPLAN_STATUS = {"planned": "active", "active": "active", "completed": "completed", "stopped": "revoked"}

# The role in the session -> v3 ParticipationType (the binding Appointment.participant.type is extensible to),
# with our exact role as a second coding. The supervising prescriber is responsible for the patient during
# the session (attender), the therapist performs a therapy session (primary performer), and the monitoring
# clinician takes part (participant).
_PARTICIPATION = {SUPERVISING_PRESCRIBER: ("ATND", "attender"), THERAPIST: ("PPRF", "primary performer"),
                  MONITORING_CLINICIAN: ("PART", "Participation")}
PARTICIPATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"


@dataclass(frozen=True)
class TeamPart:
    """One person in one role of a session, over their part of it."""

    staff_id: int
    name: str
    role: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Visit:
    """What an Appointment says of one session (instants aware, in UTC or any zone)."""

    id: int
    status: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime | None
    patient_id: int
    patient_name: str
    site_id: int
    site_name: str
    zone: str
    room_id: int | None
    room_name: str | None
    type_key: str
    type_name: str
    type_kind: str
    course_id: int | None
    team: tuple[TeamPart, ...] = ()


@dataclass(frozen=True)
class CourseFacts:
    """What a CarePlan says of one course."""

    id: int
    status: str
    patient_id: int
    patient_name: str
    protocol: Protocol
    first_day: date
    created_at: datetime | None


def appointment(visit: Visit) -> dict:
    """One session as an R4 Appointment: status, local instants with offsets, the patient, team, site and room."""
    zone = visit.zone
    status = APPOINTMENT_STATUS[visit.status]
    found: dict = {
        "resourceType": "Appointment",
        "id": str(visit.id),
        "status": status,
        "serviceType": [ours("session-type", visit.type_key, visit.type_name)],
        "appointmentType": ours("session-kind", visit.type_kind),
        "description": f"{visit.type_name} at {visit.site_name}",
        "start": instant(visit.starts_at, zone),
        "end": instant(visit.ends_at, zone),
        "minutesDuration": int((visit.ends_at - visit.starts_at).total_seconds() // 60),
        "participant": _participants(visit, status),
    }
    if visit.created_at is not None:
        found["created"] = instant(visit.created_at, zone)
    if visit.course_id is not None:
        # R4 restricts Appointment.basedOn to ServiceRequest (R5 allows CarePlan): the course goes in
        # supportingInformation, which takes any resource; the CarePlan names this appointment in its activity.
        found["supportingInformation"] = [reference("CarePlan", visit.course_id, "Treatment course")]
    return found


def _participants(visit: Visit, status: str) -> list[dict]:
    # A proposed session is not yet agreed: everyone's answer is still needed; otherwise it is accepted.
    answer = "needs-action" if status == "proposed" else "accepted"
    people = [{"actor": reference("Patient", visit.patient_id, visit.patient_name), "required": "required",
               "status": answer}]
    for part in visit.team:
        code, display = _PARTICIPATION.get(part.role, ("PART", "Participation"))
        role_name = ROLE_NAMES.get(part.role, part.role)
        kinds = {"coding": [{"system": PARTICIPATION_SYSTEM, "code": code, "display": display},
                            {"system": "urn:planner:fhir:session-role", "code": part.role, "display": role_name}],
                 "text": role_name}
        people.append({"type": [kinds], "actor": reference("Practitioner", part.staff_id, part.name),
                       "required": "required", "status": answer,
                       "period": {"start": instant(part.starts_at, visit.zone), "end": instant(part.ends_at, visit.zone)}})
    people.append({"actor": reference("Location", f"site-{visit.site_id}", visit.site_name), "required": "required",
                   "status": answer})
    if visit.room_id is not None:
        # The room or chair as a Location of its own (physical type room), part of the site's Location.
        people.append({"actor": reference("Location", f"room-{visit.room_id}", visit.room_name),
                       "required": "required", "status": answer})
    return people


def care_plan(course: CourseFacts, visits: list[Visit]) -> dict:
    """A course as an R4 CarePlan: its status, the protocol as its description, each session as an activity."""
    found: dict = {
        "resourceType": "CarePlan",
        "id": str(course.id),
        "status": CAREPLAN_STATUS.get(course.status, "unknown"),  # R4's word for a status it cannot tell
        "intent": "plan",
        "category": [ours("care-plan", "treatment-course", "Treatment course")],
        "title": course.protocol.name,
        "description": protocol_description(course.protocol),
        "subject": reference("Patient", course.patient_id, course.patient_name),
        "period": {"start": course.first_day.isoformat()},
        "activity": [{"reference": reference("Appointment", v.id, f"{v.type_name}, {instant(v.starts_at, v.zone)}")}
                     for v in visits],
    }
    held = [v for v in visits if lifecycle.holds_place(v.status)]
    if held:
        # The day the last session still taking place ends, at its site (cancelled and missed ones left out).
        last = max(held, key=lambda v: v.ends_at)
        found["period"]["end"] = instant(last.ends_at, last.zone)[:10]
    if course.created_at is not None:
        found["created"] = course.created_at.replace(microsecond=0).isoformat()
    return found


def protocol_description(protocol: Protocol) -> str:
    """The protocol in words: its name and version, each phase's doses and cadence, its psychotherapy, its notes."""
    phases = []
    for phase in protocol.phases:
        gap = (f"every {phase.min_gap_days} day{'s' if phase.min_gap_days != 1 else ''}" if phase.consecutive
               or phase.max_gap_days == phase.min_gap_days else
               f"{phase.min_gap_days} to {phase.max_gap_days} days apart" if phase.max_gap_days else
               f"at least {phase.min_gap_days} day{'s' if phase.min_gap_days != 1 else ''} apart")
        weekly = ""
        if phase.per_week_min or phase.per_week_max:
            weekly = f", {phase.per_week_min or 0} to {phase.per_week_max or phase.per_week_min} a week"
        phases.append(f"{phase.name}: {phase.doses} dose{'s' if phase.doses != 1 else ''} {gap}{weekly}")
    therapy = [f"{link.count} {link.session_type} session{'s' if link.count != 1 else ''} "
               + ("before the first dose" if link.anchor == "before_first" else
                  f"{link.min_days} to {link.max_days} days after "
                  + ("each dose" if link.doses is None else "doses " + ", ".join(map(str, link.doses))))
               for link in protocol.therapy]
    text = f"{protocol.name} (protocol {protocol.key}, version {protocol.version}): {protocol.total_doses} doses of " \
           f"{protocol.dosing_type}. " + "; ".join(phases) + "."
    if therapy:
        text += " Psychotherapy: " + "; ".join(therapy) + "."
    if protocol.notes:
        text += " " + protocol.notes
    return text
