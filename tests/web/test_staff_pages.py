"""The admin's staff list and a person's page: who may see them, what they show, adding, editing, deactivating."""

from __future__ import annotations

from datetime import date

import pytest

from planner.db.models import Shift, Staff
from tests import factories as f
from tests.web.conftest import audit
from tests.web.staff_clinic import book_nurse, count, post, rows
from tests.web.test_pages import text_of


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


def test_the_list_shows_active_staff_with_their_disciplines_and_finds_them_by_name(clinic, clinic_clock, admin):
    page = text_of(admin.get("/staff"))
    assert "Dr Ada Kim MD" in page and "Rosa Diaz RN" in page and "Theo Park therapist" in page
    found = text_of(admin.get("/staff?q=rosa"))
    assert "Rosa Diaz" in found and "Sam Lee" not in found and "1 person named like “rosa”" in found


def test_deactivated_staff_are_listed_only_under_their_filter(clinic, clinic_clock, admin):
    leaver = f.make_staff("Lee Leaver", ["RN"], f.credentials("licence", "bls"))
    post(admin, f"/staff/{leaver}/deactivate", form_path=f"/staff/{leaver}")
    assert "Lee Leaver" not in text_of(admin.get("/staff"))
    assert "Lee Leaver RN deactivated" in text_of(admin.get("/staff?show=inactive"))
    assert "Rosa Diaz" not in text_of(admin.get("/staff?show=inactive"))


def test_a_credential_lapsing_within_60_days_is_flagged_in_the_list(clinic, clinic_clock, admin):
    lapsing = f.make_staff("Lou Soon", ["RN"], f.credentials("licence") + f.credentials("bls",
                                                                                         expires_on=date(2026, 12, 10)))
    page = text_of(admin.get("/staff?q=lou"))
    assert "BLS lapses in 20 days" in page  # the clinic's today is 2026-11-20
    assert "lapses" not in text_of(admin.get("/staff?q=rosa"))
    assert lapsing


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_other_roles_are_refused_the_staff_pages_and_the_refusal_is_logged(clinic, clinic_clock, signed_in, role,
                                                                        caplog):
    client = signed_in(role)
    for path in ("/staff", f"/staff/{clinic.nurses[0]}", "/staff/new", f"/staff/{clinic.nurses[0]}/shifts/pattern"):
        assert client.get(path).status_code == 403
    assert post(client, f"/staff/{clinic.nurses[0]}/deactivate", form_path="/").status_code == 403
    assert "access refused" in caplog.text and rows(Staff, id=clinic.nurses[0])[0].active


def test_signed_out_visitors_are_sent_to_sign_in(clinic, client):
    response = client.get("/staff")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unknown_person_or_row_is_a_404(clinic, clinic_clock, admin):
    nurse = clinic.nurses[0]
    for path in ("/staff/999", "/staff/999/edit", f"/staff/{nurse}/shifts/999/edit",
                 f"/staff/{nurse}/credentials/999/edit", f"/staff/{nurse}/time-off/999/edit", "/staff/999/shifts/pattern"):
        assert admin.get(path).status_code == 404, path
    other_shift = rows(Shift, staff_id=clinic.nurses[1])[0]
    assert admin.get(f"/staff/{nurse}/shifts/{other_shift.id}/edit").status_code == 404


def test_the_persons_page_shows_details_credentials_shifts_in_wall_time_and_sessions_booked(clinic, clinic_clock,
                                                                                           admin):
    session = book_nurse(clinic)
    page = text_of(admin.get(f"/staff/{clinic.nurses[0]}"))
    assert "Rosa Diaz" in page and "BLS" in page and "valid" in page
    assert "Week of Mon 23 Nov 2026" in page and "Mon 23 Nov 2026 08:00–18:00 EST Midtown" in page
    assert f"Session {session} IV ketamine infusion Mon 23 Nov 2026 09:00–10:45 EST Midtown monitoring clinician" in page
    assert "MRN" not in page and "Patient MRN-1" not in page  # sessions by number and type, no patient


def test_the_persons_page_names_the_login_linked_to_them(clinic, clinic_clock, admin, user_factory):
    assert "Signs in as no login linked" in text_of(admin.get(f"/staff/{clinic.therapist}"))
    user_id, email, _ = user_factory("clinician", staff_id=clinic.therapist)
    page = admin.get(f"/staff/{clinic.therapist}").data.decode()
    assert f'href="/accounts/{user_id}"' in page and f"Signs in as {email} (clinician)" in text_of(
        admin.get(f"/staff/{clinic.therapist}"))


def test_adding_a_staff_member_creates_them_audited_and_opens_their_page(clinic, clinic_clock, admin):
    response = post(admin, "/staff/new", {"name": "Nia Obi", "email": "NIA@clinic.example", "phone": "+12125550199",
                                          "disciplines": ["RN", "LPN"]})
    assert response.status_code == 303
    person = rows(Staff, name="Nia Obi")[0]
    assert response.headers["Location"].endswith(f"/staff/{person.id}")
    assert (person.email, person.disciplines) == ("nia@clinic.example", ["LPN", "RN"])
    assert [e.entity_id for e in audit("staff.created")][-1] == str(person.id)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": "", "disciplines": ["RN"]}, "name", "Required."),
    ({"name": "Nia Obi"}, "disciplines", "Pick at least one discipline."),
    ({"name": "Nia Obi", "disciplines": ["RN"], "email": "not-an-email"}, "email", "Not an email address."),
    ({"name": "Nia Obi", "disciplines": ["RN"], "phone": "0207"}, "phone", "E.164"),
    ({"name": "Nia Obi", "disciplines": ["wizard"]}, "disciplines", "Input should be"),
    ({"name": "Nia\x00Obi", "disciplines": ["RN"]}, "name", "control characters"),
])
def test_a_bad_new_person_is_a_422_with_the_error_beside_its_field_and_nothing_written(clinic, clinic_clock, admin,
                                                                                       data, field, message):
    before = count(Staff)
    response = post(admin, "/staff/new", data)
    assert response.status_code == 422
    html = response.data.decode()
    assert f'id="{field}-error"' in html and message in html.split(f'id="{field}-error"')[1][:300]
    assert count(Staff) == before


def test_an_email_another_person_has_is_refused_beside_the_email(clinic, clinic_clock, admin):
    post(admin, "/staff/new", {"name": "Nia Obi", "email": "nia@clinic.example", "disciplines": ["RN"]})
    response = post(admin, "/staff/new", {"name": "Nia Two", "email": "nia@clinic.example", "disciplines": ["RN"]})
    assert response.status_code == 422 and 'id="email-error"' in response.data.decode()
    assert count(Staff) == 5


def test_editing_details_saves_them_with_the_change_in_the_history(clinic, clinic_clock, admin):
    nurse = clinic.nurses[1]
    response = post(admin, f"/staff/{nurse}/edit", {"name": "Sam Lee-Park", "email": "", "phone": "+12125550111",
                                                    "disciplines": ["RN"]})
    assert response.status_code == 303
    assert (rows(Staff, id=nurse)[0].name, rows(Staff, id=nurse)[0].phone) == ("Sam Lee-Park", "+12125550111")
    page = text_of(admin.get(f"/staff/{nurse}"))
    assert "staff changed" in page and "name: Sam Lee → Sam Lee-Park" in page


def test_a_discipline_change_that_breaks_a_booked_session_is_refused_naming_it(clinic, clinic_clock, admin):
    session = book_nurse(clinic)
    response = post(admin, f"/staff/{clinic.nurses[0]}/edit", {"name": "Rosa Diaz", "disciplines": ["LPN"]})
    assert response.status_code == 409
    page = text_of(response)
    assert f"Session {session} (IV ketamine infusion, Mon 23 Nov 2026 09:00 at Midtown)" in page
    assert f'href="/sessions/{session}"' in response.data.decode()
    assert rows(Staff, id=clinic.nurses[0])[0].disciplines == ["RN"]


def test_deactivating_someone_booked_ahead_is_refused_naming_the_sessions(clinic, clinic_clock, admin):
    session = book_nurse(clinic)
    response = post(admin, f"/staff/{clinic.nurses[0]}/deactivate", form_path=f"/staff/{clinic.nurses[0]}")
    assert response.status_code == 409
    assert f"Session {session} (IV ketamine infusion, Mon 23 Nov 2026 09:00 at Midtown)" in text_of(response)
    assert rows(Staff, id=clinic.nurses[0])[0].active


def test_deactivating_and_bringing_back_someone_free_keeps_them_with_the_date(clinic, clinic_clock, admin):
    nurse = clinic.nurses[1]
    assert post(admin, f"/staff/{nurse}/deactivate", form_path=f"/staff/{nurse}").status_code == 303
    assert "deactivated 2026-11-20" in text_of(admin.get(f"/staff/{nurse}"))
    assert post(admin, f"/staff/{nurse}/reactivate", form_path=f"/staff/{nurse}").status_code == 303
    assert rows(Staff, id=nurse)[0].active and rows(Staff, id=nurse)[0].deactivated_at is None


def test_a_post_without_its_csrf_token_changes_nothing(clinic, clinic_clock, admin):
    nurse = clinic.nurses[1]
    assert admin.post(f"/staff/{nurse}/deactivate").status_code == 400
    assert admin.post("/staff/new", data={"name": "Nia", "disciplines": ["RN"]}).status_code == 400
    assert rows(Staff, id=nurse)[0].active and count(Staff) == 4


def test_the_staff_pages_are_reached_from_the_admins_set_up_page_only(clinic, clinic_clock, admin, signed_in):
    assert 'href="/staff"' in admin.get("/setup").data.decode()
    assert signed_in("clinician").get("/setup").status_code == 403


def test_a_lapsing_credential_alert_on_the_overview_links_to_the_persons_page(clinic, clinic_clock, admin):
    from planner.services.coverage_check import check_coverage

    f.make_credential(clinic.nurses[1], "acls", date(2020, 1, 1), date(2026, 12, 10))
    check_coverage(clinic_clock)
    overview = admin.get("/").data.decode()
    assert f'href="/staff/{clinic.nurses[1]}"' in overview and "/api/staff/" not in overview
