"""The FHIR R4 export on the real database: a patient's course as Appointments and a CarePlan, a site's Slots.

Every resource the export writes is parsed by fhir.resources (tests/fhir_check.py).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from planner.db.models import AuditEvent, Course, Session
from planner.extensions import db
from planner.services import SYSTEM, Actor
from planner.services.booking import SessionOrder, book_session, cancel_session, change_status
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.fhir_export import course_care_plan, patient_appointments
from planner.services.fhir_slots import schedule_slots, site_schedules
from planner.services.offers import find_offers
from tests import factories as f
from tests.fhir_check import bundle_resources, valid_fhir

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
ZONE = ZoneInfo("America/New_York")
BASE = "http://clinic.example/api/fhir"
NURSE = Actor("nurse@clinic.example", None, "127.0.0.1")


def _course_with_a_cancelled_and_a_fulfilled_session(clinic):
    patient = f.ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, f.MONDAY)
    course_id = book_course(f.booking_order(proposal, patient), SYSTEM, NOW)
    sessions = list(db.session.scalars(select(Session).where(Session.course_id == course_id)
                                       .order_by(Session.starts_at)))
    first, last = sessions[0], sessions[-1]
    start = first.starts_at
    change_status(first.id, "arrived", SYSTEM, start - timedelta(minutes=15), escort_confirmed=True)
    change_status(first.id, "in_progress", SYSTEM, start)
    change_status(first.id, "fulfilled", SYSTEM, first.ends_at)
    cancel_session(last.id, SYSTEM, NOW, "patient asked")
    return patient, course_id, first.id, last.id, len(sessions)


def test_a_patients_bundle_holds_the_booked_fulfilled_and_cancelled_sessions_of_their_course(course_clinic):
    patient, course_id, fulfilled, cancelled, total = _course_with_a_cancelled_and_a_fulfilled_session(course_clinic)
    bundle = patient_appointments(patient, NURSE, NOW, BASE, f"{BASE}/Appointment?patient={patient}")
    appointments = bundle_resources(bundle)
    assert bundle["type"] == "searchset" and bundle["total"] == len(appointments) == total
    status = {a["id"]: a["status"] for a in appointments}
    assert status.pop(str(fulfilled)) == "fulfilled" and status.pop(str(cancelled)) == "cancelled"
    assert set(status.values()) == {"booked"}
    assert bundle["entry"][0]["fullUrl"] == f"{BASE}/Appointment/{appointments[0]['id']}"
    first = next(a for a in appointments if a["id"] == str(fulfilled))
    row = db.session.get(Session, fulfilled)
    # New York in late November is on EST: the instant carries -05:00 and means the stored UTC time.
    assert first["start"].endswith("-05:00")
    assert datetime.fromisoformat(first["start"]) == row.starts_at
    assert first["supportingInformation"] == [{"reference": f"CarePlan/{course_id}", "display": "Treatment course"}]
    actors = [p["actor"]["reference"] for p in first["participant"]]
    assert actors[0] == f"Patient/{patient}" and f"Location/site-{course_clinic.site}" in actors
    assert f"Location/room-{row.room_id}" in actors
    team = {p["actor"]["reference"]: p["type"][0]["coding"][1]["code"] for p in first["participant"] if "type" in p}
    assert team == {f"Practitioner/{s.staff_id}": s.role for s in row.staff}
    assert all(a["serviceType"][0]["coding"][0]["code"] in ("iv-infusion", "preparation", "integration")
               for a in appointments)
    db.session.rollback()
    read = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "fhir.read")).one()
    assert (read.entity, read.entity_id, read.actor) == ("patient_record", str(patient), NURSE.label)
    assert read.details == {"resource": "Appointment", "count": total}


def test_the_course_is_a_care_plan_whose_activities_are_its_appointments(course_clinic):
    patient, course_id, _, _, total = _course_with_a_cancelled_and_a_fulfilled_session(course_clinic)
    plan = course_care_plan(course_id, NURSE, NOW)
    valid_fhir(plan)
    appointments = bundle_resources(patient_appointments(patient, NURSE, NOW, BASE, BASE))
    assert [a["reference"]["reference"] for a in plan["activity"]] == [f"Appointment/{a['id']}" for a in appointments]
    assert len(plan["activity"]) == total
    # A planned course is booked and acted on: active, not draft.
    assert plan["status"] == "active" and plan["intent"] == "plan"
    assert plan["subject"]["reference"] == f"Patient/{patient}"
    assert plan["title"] == "IV ketamine, depression induction"
    assert "6 doses" in plan["description"]
    assert plan["period"]["start"] == db.session.get(Course, course_id).first_day.isoformat()
    # The period ends on the day of the last session still taking place (the cancelled last one is left out).
    ahead = [a for a in appointments if a["status"] != "cancelled"]
    assert plan["period"]["end"] == max(datetime.fromisoformat(a["end"]) for a in ahead).date().isoformat()
    assert plan["period"]["end"] < max(a["end"] for a in appointments)[:10]
    db.session.rollback()
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "fhir.read")
                               .order_by(AuditEvent.id)).all()
    assert [(r.entity_id, r.details.get("resource")) for r in reads] == [(str(patient), "CarePlan"),
                                                                         (str(patient), "Appointment")]


def test_free_slots_are_the_start_times_the_offers_give_for_the_same_days(clinic):
    start = datetime.combine(f.MONDAY, time(9), tzinfo=ZONE)
    booked = book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, start, clinic.chairs[0],
                                       ((clinic.prescriber, "supervising_prescriber"),
                                        (clinic.nurses[0], "monitoring_clinician"))), SYSTEM, NOW)
    tuesday = f.MONDAY + timedelta(days=1)
    schedules = bundle_resources(site_schedules(clinic.site, BASE, BASE))
    assert [s["id"] for s in schedules] == [f"site-{clinic.site}"]
    bundle = schedule_slots(f"site-{clinic.site}", f.MONDAY, tuesday + timedelta(days=1), NOW, BASE, BASE)
    slots = bundle_resources(bundle)
    for type_id in (clinic.iv, clinic.integration):
        offers = find_offers(clinic.site, type_id, f.MONDAY, tuesday, NOW, limit=100, more=True)
        key = offers.session_type.key
        free = [s for s in slots if s["status"] == "free" and s["serviceType"][0]["coding"][0]["code"] == key]
        assert offers.offers and len(offers.offers) < 100  # every free start, none cut off by the limit
        assert [datetime.fromisoformat(s["start"]) for s in free] == [o.start for o in offers.offers]
        assert [datetime.fromisoformat(s["end"]) for s in free] == [o.end for o in offers.offers]
    busy = [s for s in slots if s["status"] == "busy"]
    assert [(s["id"], datetime.fromisoformat(s["start"])) for s in busy] == \
        [(f"site-{clinic.site}-session-{booked}", start)]
    assert {s["schedule"]["reference"] for s in slots} == {f"Schedule/site-{clinic.site}"}


def test_a_cancelled_session_frees_its_slot_and_is_no_longer_busy(clinic):
    start = datetime.combine(f.MONDAY, time(9), tzinfo=ZONE)
    booked = book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, start, clinic.chairs[0],
                                       ((clinic.prescriber, "supervising_prescriber"),
                                        (clinic.nurses[0], "monitoring_clinician"))), SYSTEM, NOW)
    cancel_session(booked, SYSTEM, NOW)
    slots = bundle_resources(schedule_slots(f"site-{clinic.site}", f.MONDAY, f.MONDAY + timedelta(days=1), NOW,
                                            BASE, BASE))
    assert not [s for s in slots if s["status"] == "busy"]
    assert start in {datetime.fromisoformat(s["start"]) for s in slots if s["status"] == "free"}


def test_sessions_and_slots_the_monday_after_new_york_falls_back_keep_their_wall_time_with_the_new_offset(clinic):
    now = datetime(2026, 10, 20, 12, tzinfo=timezone.utc)
    before, after = f.MONDAY - timedelta(weeks=4), f.MONDAY - timedelta(weeks=3)  # 26 Oct (EDT), 2 Nov (EST)
    team = ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[0], "monitoring_clinician"))
    for day in (before, after):
        for person in [clinic.prescriber, *clinic.nurses]:
            f.make_shift(person, clinic.site, day)
        book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, datetime.combine(day, time(9), tzinfo=ZONE),
                                  clinic.chairs[0], team), SYSTEM, now)
    appointments = bundle_resources(patient_appointments(clinic.patients[0], NURSE, now, BASE, BASE))
    assert [(a["start"], a["end"]) for a in appointments] == [("2026-10-26T09:00:00-04:00", "2026-10-26T10:45:00-04:00"),
                                                              ("2026-11-02T09:00:00-05:00", "2026-11-02T10:45:00-05:00")]
    for day, offset in ((before, "-04:00"), (after, "-05:00")):
        slots = bundle_resources(schedule_slots(f"site-{clinic.site}", day, day + timedelta(days=1), now, BASE, BASE,
                                                "iv-dose"))
        assert [s["start"] for s in slots if s["status"] == "busy"] == [f"{day}T09:00:00{offset}"]
        free = [s["start"] for s in slots if s["status"] == "free"]
        assert free[0] == f"{day}T08:00:00{offset}" and all(s.endswith(offset) for s in free)
