"""Issue 13, part 7: a therapist reads only their own patients' clinical details; reception none; every view audited."""

from __future__ import annotations

import re
from datetime import time

import pytest
from sqlalchemy import select

from planner.db.models import AuditEvent, Session, VitalsReading
from planner.domain.calendar import to_utc
from planner.domain.record_access import CLOSED
from planner.extensions import db
from tests import factories as f
from tests.web.api_client import ApiClient
from tests.web.test_my_day_pages import STAMP, ZONE, place
from tests.web.test_pages import text_of
from tests.web.test_screening_api import ALL_NO

SHUT = "Clinical details are shown only to the patient"  # CLOSED, as a page reads (its apostrophe escaped)


@pytest.fixture
def ward(clinic, clinic_clock, client):
    """Two screened patients; a therapist (Tess) who treats only the first, a nurse, and both patients' doses
    checked in with vitals taken."""
    tess = f.make_staff("Tess Vale", ["therapist"], f.credentials("licence"))
    mine, other = clinic.patients[0], clinic.patients[1]
    admin = ApiClient(client, "admin")
    for patient in (mine, other):
        said = admin.post(f"/api/patients/{patient}/screenings",
                          json={"answers": ALL_NO | {"pregnancy": True}, "outcome": "needs_review"})
        assert said.status_code == 201, said.get_json()
    place(clinic, to_utc(f.MONDAY, time(15), ZONE), 50, patient=0, room=clinic.office, stype=clinic.integration,
          team=((tess, "therapist"),))
    doses = [place(clinic, to_utc(f.MONDAY, time(9 + 2 * i), ZONE), patient=i, status="arrived") for i in (0, 1)]
    for dose in doses:
        db.session.add(VitalsReading(session_id=dose, systolic=128, diastolic=82, heart_rate=71, threshold="140/90",
                                     taken_at=STAMP, taken_by="Rosa Diaz"))
    db.session.commit()
    return type("Ward", (), {"tess": tess, "mine": mine, "other": other, "doses": doses, "clinic": clinic})


def views() -> list[tuple[str, str, str, str]]:
    """(actor, patient id, part, via) of every audited view of a clinical record, oldest first."""
    db.session.rollback()
    return [(e.actor, e.entity_id, e.details["part"], e.details["via"]) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "record.viewed").order_by(AuditEvent.id))]


def test_a_therapist_reads_their_own_patient_s_screening_and_is_refused_another_s(client, ward):
    tess = ApiClient(client, "clinician", staff_id=ward.tess)
    own = tess.get(f"/api/patients/{ward.mine}/screenings")
    assert own.status_code == 200 and own.get_json()[0]["answers"]["pregnancy"] is True
    refused = tess.get(f"/api/patients/{ward.other}/screenings")
    assert refused.status_code == 403 and refused.get_json()["error"] == CLOSED
    assert "answers" not in refused.get_data(as_text=True)
    assert [v[1:] for v in views()] == [(str(ward.mine), "screening", "API")]  # the refusal read nothing


def test_prescribers_nurses_and_unlinked_clinicians_read_every_patient_and_each_read_is_audited(client, ward):
    nurse = ApiClient(client, "clinician", staff_id=ward.clinic.nurses[0])
    director = ApiClient(client, "clinician")
    assert nurse.get(f"/api/patients/{ward.other}/screenings").status_code == 200
    assert director.get(f"/api/patients/{ward.other}/screenings").status_code == 200
    assert [v[1:] for v in views()] == [(str(ward.other), "screening", "API")] * 2


def test_the_patient_page_shows_answers_only_to_those_who_may_read_them(ward, as_staff, signed_in):
    tess = as_staff(ward.tess)
    own = text_of(tess.get(f"/patients/{ward.mine}"))
    assert "Yes to: " in own and SHUT not in own
    other = text_of(tess.get(f"/patients/{ward.other}"))
    assert "Yes to: " not in other and SHUT in other and "needs review" in other  # the outcome is preparation
    desk = text_of(signed_in("reception").get(f"/patients/{ward.other}"))
    assert "Yes to: " not in desk and SHUT not in desk and "needs review" in desk
    assert [v[1:] for v in views()] == [(str(ward.mine), "screening", "patient page")]


def test_vitals_numbers_show_to_the_patient_s_clinicians_only_and_each_view_is_audited(ward, as_staff, signed_in):
    mine, other = ward.doses
    assert "128/82" in text_of(as_staff(ward.tess).get(f"/sessions/{mine}"))
    hidden = text_of(as_staff(ward.tess).get(f"/sessions/{other}"))
    assert "128/82" not in hidden and "Vitals recorded" in hidden
    desk = text_of(signed_in("reception").get(f"/sessions/{other}"))
    assert "128/82" not in desk and "Vitals recorded" in desk
    assert "128/82" in text_of(as_staff(ward.clinic.nurses[1]).get(f"/sessions/{other}"))
    assert [v[1:] for v in views()] == [(str(ward.mine), "vitals", "session page"),
                                        (str(ward.other), "vitals", "session page")]


def test_fhir_export_of_another_therapist_s_patient_is_refused(client, ward):
    tess = ApiClient(client, "clinician", staff_id=ward.tess)
    assert tess.get(f"/api/fhir/Patient/{ward.mine}/Appointment").status_code == 200
    refused = tess.get(f"/api/fhir/Patient/{ward.other}/Appointment")
    assert refused.status_code == 403 and refused.get_json()["resourceType"] == "OperationOutcome"
    assert tess.get(f"/api/fhir/Appointment/{ward.doses[1]}").status_code == 403
    assert tess.get(f"/api/fhir/Appointment/{ward.doses[0]}").status_code == 200


def test_the_admin_reads_who_viewed_a_patient_s_record_on_their_page(ward, as_staff, signed_in):
    as_staff(ward.clinic.nurses[0]).get(f"/sessions/{ward.doses[1]}")
    as_staff(ward.clinic.prescriber).get(f"/patients/{ward.other}")
    admin_page = text_of(signed_in("admin").get(f"/patients/{ward.other}"))
    assert "Who read the clinical record" in admin_page
    assert "screening answers patient page 127.0.0.1" in admin_page
    assert "pre-dose vitals session page 127.0.0.1" in admin_page
    # The admin's own look at the page is a view too, and listed first (newest first).
    assert views()[-1][2:] == ("screening", "patient page")
    newest = re.search(r"When Who What Where [^@]{10,40} (\S+@\S+) (.+?) (?:patient|session) page", admin_page)
    assert newest is not None and newest.group(1).startswith("admin") and newest.group(2) == "screening answers"
    assert "Who read the clinical record" not in text_of(as_staff(ward.clinic.prescriber).get(f"/patients/{ward.other}"))


def test_a_therapist_reads_a_course_s_scores_once_they_treat_the_patient(client, course_clinic, clinic_clock):
    from planner.services import SYSTEM
    from planner.services.course_booking import book_course
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course

    patient = f.ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), clinic_clock)
    course_id = book_course(f.booking_order(proposal, patient), SYSTEM, clinic_clock)
    tess_id = f.make_staff("Tess Vale", ["therapist"], f.credentials("licence"))
    tess = ApiClient(client, "clinician", staff_id=tess_id)
    entered = tess.post(f"/api/patients/{patient}/outcomes",
                        json={"measure": "gad7", "items": [1, 1, 1, 1, 1, 1, 1], "course_id": course_id})
    assert entered.status_code == 201 and entered.get_json()["total"] is None  # written, not read back
    assert tess.get(f"/api/courses/{course_id}/outcomes").status_code == 403
    place(course_clinic, to_utc(f.MONDAY, time(16), ZONE), 50, patient=0, room=course_clinic.office,
          stype=course_clinic.integration, team=((tess_id, "therapist"),))
    db.session.execute(Session.__table__.update().where(Session.starts_at == to_utc(f.MONDAY, time(16), ZONE))
                       .values(patient_id=patient))
    db.session.commit()
    read = tess.get(f"/api/courses/{course_id}/outcomes")
    assert read.status_code == 200 and read.get_json()["entries"][0]["total"] == 7
    assert [v[2:] for v in views()] == [("outcomes", "API")]


def test_the_api_reads_a_dose_s_vitals_to_the_patient_s_clinicians_only(client, ward):
    mine, other = ward.doses
    tess = ApiClient(client, "clinician", staff_id=ward.tess)
    (reading,) = tess.get(f"/api/sessions/{mine}/vitals").get_json()
    assert (reading["systolic"], reading["diastolic"], reading["heart_rate"], reading["held"]) == (128, 82, 71, False)
    assert tess.get(f"/api/sessions/{other}/vitals").status_code == 403
    assert ApiClient(client, "reception").get(f"/api/sessions/{other}/vitals").status_code == 403
    assert ApiClient(client, "clinician").get(f"/api/sessions/{other}/vitals").status_code == 200
    assert ApiClient(client, "clinician").get("/api/sessions/999999/vitals").status_code == 404
    assert [v[1:] for v in views()] == [(str(ward.mine), "vitals", "API"), (str(ward.other), "vitals", "API")]


def test_the_audit_page_shows_changes_by_default_and_record_views_apart(ward, as_staff, signed_in):
    as_staff(ward.clinic.nurses[0]).get(f"/sessions/{ward.doses[1]}")
    admin = signed_in("admin")
    changes = text_of(admin.get("/audit"))
    assert "screening.recorded" in changes and "record.viewed" not in changes
    read = text_of(admin.get("/audit?show=views"))
    assert "record.viewed" in read and "part: vitals" in read and "screening.recorded" not in read
    both = text_of(admin.get("/audit?show=all"))
    assert "record.viewed" in both and "screening.recorded" in both
    assert text_of(admin.get("/audit?show=%00nonsense")) == changes
    assert f'href="/patients/{ward.other}"' in admin.get("/audit?show=views").data.decode()  # to the patient
