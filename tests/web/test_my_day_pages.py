"""My day and my week (/me/day, /me/week): whose day, what it shows, who may look, bad input; statements stay flat."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import event

from planner.db.models import MonitoringForm, Patient, Session, SessionStaff, TimeOff
from planner.domain.calendar import to_utc
from planner.extensions import db
from tests.factories import MONDAY, make_room, make_site
from tests.web.test_pages import text_of

ZONE = "America/New_York"
STAMP = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def place(clinic, start: datetime, minutes: int = 105, *, patient: int = 0, room=None, stype=None,
          team=None, status: str = "booked") -> int:
    """A session written as it is stored, with its team: the page reads rows, whichever path wrote them."""
    row = Session(patient_id=clinic.patients[patient], site_id=clinic.site, session_type_id=stype or clinic.iv,
                  room_id=clinic.chairs[patient % 3] if room is None else room, starts_at=start,
                  ends_at=start + timedelta(minutes=minutes), status=status, created_at=STAMP, updated_at=STAMP)
    team = team if team is not None else ((clinic.prescriber, "supervising_prescriber"),
                                          (clinic.nurses[0], "monitoring_clinician"))
    row.staff = [SessionStaff(staff_id=who, role=role, starts_at=row.starts_at, ends_at=row.ends_at)
                 for who, role in team]
    db.session.add(row)
    db.session.commit()
    return row.id


def test_a_clinician_sees_whom_they_supervise_where_and_when_with_the_patients_preparation(clinic, as_staff):
    place(clinic, to_utc(MONDAY, time(9), ZONE))
    response = as_staff(clinic.prescriber).get(f"/me/day?day={MONDAY}")
    assert response.status_code == 200
    page = text_of(response)
    assert "My day · Monday 23 November 2026" in page
    assert "09:00–10:45 supervising prescriber Patient MRN-1 IV ketamine infusion Chair 1" in page
    assert "Screening: cleared Consent: signed No escort named" in page
    assert "Shift 08:00–18:00 EST · Midtown" in page


def test_the_nurse_sees_the_same_session_as_the_one_they_monitor_and_a_named_escort(clinic, as_staff):
    patient = db.session.get(Patient, clinic.patients[0])
    patient.escort_name, patient.screening_status = "Jo Ray", "pending"
    db.session.commit()
    place(clinic, to_utc(MONDAY, time(9), ZONE))
    page = text_of(as_staff(clinic.nurses[0]).get(f"/me/day?day={MONDAY}"))
    assert "09:00–10:45 monitoring clinician Patient MRN-1" in page
    assert "Screening: pending" in page and "Escort Jo Ray, to confirm at check-in" in page
    assert "Patient MRN-1" not in text_of(as_staff(clinic.nurses[1]).get(f"/me/day?day={MONDAY}"))


def test_a_checked_in_dose_shows_its_escort_confirmed(clinic, as_staff):
    place(clinic, to_utc(MONDAY, time(9), ZONE), status="arrived")
    assert "Escort confirmed at check-in" in text_of(as_staff(clinic.prescriber).get(f"/me/day?day={MONDAY}"))


def test_an_esketamine_dose_shows_the_rems_form_it_will_owe_and_then_the_one_it_owes(clinic, as_staff):
    start = to_utc(MONDAY, time(10), ZONE)
    session_id = place(clinic, start, 150, stype=clinic.esketamine, status="fulfilled")
    later = place(clinic, start + timedelta(days=1), 150, stype=clinic.esketamine)
    db.session.add(MonitoringForm(session_id=session_id, patient_id=clinic.patients[0], site_id=clinic.site,
                                  prescriber_id=clinic.prescriber, due_on=MONDAY + timedelta(days=7),
                                  due_at=to_utc(MONDAY + timedelta(days=8), time(0), ZONE), created_at=STAMP))
    db.session.commit()
    page = text_of(as_staff(clinic.prescriber).get(f"/me/week?week={MONDAY}"))
    assert f'href="/sessions/{later}"' in as_staff(clinic.prescriber).get(f"/me/week?week={MONDAY}").get_data(True)
    day = text_of(as_staff(clinic.prescriber).get(f"/me/day?day={MONDAY}"))
    assert "REMS form due by Mon 30 Nov" in day
    following = text_of(as_staff(clinic.prescriber).get(f"/me/day?day={MONDAY + timedelta(days=1)}"))
    assert "REMS form due within 7 days after the dose" in following
    assert "preparation due" in page  # no escort is named for the patient's doses


def test_time_off_shows_on_the_day_it_covers(clinic, as_staff):
    db.session.add(TimeOff(staff_id=clinic.prescriber, starts_at=to_utc(MONDAY, time(13), ZONE),
                           ends_at=to_utc(MONDAY, time(17), ZONE), reason="dentist"))
    db.session.commit()
    page = text_of(as_staff(clinic.prescriber).get(f"/me/day?day={MONDAY}"))
    assert "Time off 13:00–17:00 EST · dentist" in page
    assert "You are in no session on this day." in page


def test_the_week_runs_monday_to_sunday_with_each_days_sessions_linked(clinic, as_staff):
    first = place(clinic, to_utc(MONDAY, time(9), ZONE))
    second = place(clinic, to_utc(MONDAY + timedelta(days=2), time(11), ZONE), patient=1)
    response = as_staff(clinic.prescriber).get(f"/me/week?week={MONDAY + timedelta(days=3)}")
    page, html = text_of(response), response.get_data(True)
    assert "My week · from Monday 23 November 2026" in page
    assert html.count('data-testid="week-day"') == 7
    assert f'href="/sessions/{first}"' in html and f'href="/sessions/{second}"' in html
    assert "Wednesday 25 Nov 1 11:00–12:45 Patient MRN-2 · supervising prescriber · Midtown, Chair 2" in page
    assert f'href="/me/day?day={MONDAY + timedelta(days=2)}"' in html


def test_a_cancelled_session_is_not_on_my_day(clinic, as_staff):
    place(clinic, to_utc(MONDAY, time(9), ZONE), status="cancelled")
    assert "You are in no session on this day." in text_of(as_staff(clinic.prescriber).get(f"/me/day?day={MONDAY}"))


def test_another_clinicians_day_is_refused_to_a_clinician_and_shown_to_an_admin(clinic, as_staff):
    place(clinic, to_utc(MONDAY, time(9), ZONE))
    url = f"/me/day?day={MONDAY}&staff_id={clinic.nurses[0]}"
    assert as_staff(clinic.prescriber).get(url).status_code == 403
    shown = as_staff(None, role="admin").get(url)
    assert shown.status_code == 200
    assert "Rosa Diaz&#39;s day · Monday 23 November 2026" in text_of(shown)
    assert as_staff(clinic.prescriber).get(f"/me/day?day={MONDAY}&staff_id={clinic.prescriber}").status_code == 200


def test_an_account_without_a_staff_record_is_told_so(clinic, as_staff):
    for path in ("/me/day", "/me/week"):
        response = as_staff(None, role="reception").get(path)
        assert response.status_code == 200
        assert "Your account is not linked to a staff record" in text_of(response)


def test_the_top_bar_offers_my_day_only_to_an_account_with_a_staff_record(clinic, as_staff):
    assert 'href="/me/day"' in as_staff(clinic.prescriber).get("/sessions").get_data(True)
    assert 'href="/me/day"' not in as_staff(None, role="reception").get("/sessions").get_data(True)


@pytest.mark.parametrize("query, field", [("day=2026-13-01", "day"), ("day=" + "9" * 40, "day"),
                                          ("staff_id=abc", "staff_id"), ("staff_id=" + "9" * 30, "staff_id")])
def test_bad_input_is_a_422_naming_the_field(clinic, as_staff, query, field):
    response = as_staff(clinic.prescriber).get(f"/me/day?{query}", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert response.get_json()["fields"][0]["field"] == field


def test_an_admin_asking_for_no_such_staff_member_gets_a_404(clinic, as_staff):
    assert as_staff(None, role="admin").get("/me/week?staff_id=999999").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(clinic, client):
    response = client.get("/me/week")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def statements(client, url: str) -> list[str]:
    """The statements the app sends to answer url (transaction control left out)."""
    sent = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            sent.append(statement)

    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return sent


def test_the_week_and_the_grid_read_in_the_same_number_of_statements_for_2_or_12_sessions(clinic, as_staff):
    client = as_staff(clinic.prescriber)
    week, grid = f"/me/week?week={MONDAY}", f"/sites/{clinic.site}/grid?day={MONDAY}"
    for n in range(2):
        place(clinic, to_utc(MONDAY + timedelta(days=n), time(9), ZONE), patient=n)
    statements(client, grid)  # the clinic's set-up is read once and kept (reads/config.py): not a per-row cost
    few = len(statements(client, week)), len(statements(client, grid))
    for n in range(2, 12):
        place(clinic, to_utc(MONDAY + timedelta(days=n % 7), time(9 + n // 7 * 2), ZONE), patient=n % 6,
              team=((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[n % 2], "monitoring_clinician")))
    many = len(statements(client, week)), len(statements(client, grid))
    assert few == many, statements(client, grid)
    assert few[0] <= 8 and few[1] <= 16, few



def test_an_admin_picks_whose_week_to_see_and_a_clinician_is_offered_no_list(clinic, as_staff):
    place(clinic, to_utc(MONDAY, time(9), ZONE))
    admin = as_staff(None, role="admin")
    picker = admin.get("/me/week").get_data(True)
    assert '<select name="staff_id">' in picker and f'<option value="{clinic.nurses[1]}" >Sam Lee</option>' in picker
    chosen = text_of(admin.get(f"/me/week?week={MONDAY}&staff_id={clinic.prescriber}"))
    assert "Dr Ada Kim's week" in chosen.replace("&#39;", "'") and "Patient MRN-1" in chosen
    assert '<select name="staff_id">' not in as_staff(clinic.prescriber).get("/me/week").get_data(True)


def test_each_session_falls_on_its_own_sites_local_day_in_that_sites_wall_time(clinic, as_staff):
    tokyo = make_site(name="Ginza", timezone="Asia/Tokyo")
    chair = make_room(tokyo, name="Chair G1")
    start = datetime(2026, 11, 23, 15, 30, tzinfo=timezone.utc)  # Monday in New York, 00:30 Tuesday in Tokyo
    row = Session(patient_id=clinic.patients[0], site_id=tokyo, session_type_id=clinic.integration, room_id=chair,
                  starts_at=start, ends_at=start + timedelta(minutes=60), status="booked", created_at=STAMP,
                  updated_at=STAMP)
    row.staff = [SessionStaff(staff_id=clinic.therapist, role="therapist", starts_at=start,
                              ends_at=start + timedelta(minutes=60))]
    db.session.add(row)
    db.session.commit()
    client = as_staff(clinic.therapist)
    assert "You are in no session on this day." in text_of(client.get(f"/me/day?day={MONDAY}"))
    tuesday = text_of(client.get(f"/me/day?day={MONDAY + timedelta(days=1)}"))
    assert "Ginza · Theo Park · Tue 24 Nov 2026 Times in Asia/Tokyo (JST)." in tuesday
    assert "00:30–01:30 therapist Patient MRN-1" in tuesday
