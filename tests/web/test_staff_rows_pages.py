"""A person's credentials, shifts and time off on the admin's pages: add, edit, withdraw or revoke, refusals named."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from planner.db.models import Credential, Shift, TimeOff
from planner.domain.calendar import to_utc
from tests.factories import MONDAY
from tests.web.conftest import audit
from tests.web.staff_clinic import NY, book_nurse, count, post, rows, shift_on
from tests.web.test_pages import text_of

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


def error_beside(response, field: str) -> str:
    html = response.data.decode()
    assert f'id="{field}-error"' in html, html[:3000]
    return html.split(f'id="{field}-error">')[1].split("</p>")[0]


def test_a_credential_is_recorded_and_listed_with_its_dates(clinic, clinic_clock, admin):
    nurse = clinic.nurses[1]
    response = post(admin, f"/staff/{nurse}/credentials/new", {"kind": "acls", "number": "A-77",
                                                                "issued_on": "2026-01-05", "expires_on": "2028-01-05"})
    assert response.status_code == 303
    acls = [c for c in rows(Credential, staff_id=nurse) if c.kind == "acls"]
    assert [(c.number, c.issued_on, c.expires_on) for c in acls] == [("A-77", date(2026, 1, 5), date(2028, 1, 5))]
    assert "ACLS A-77 2026-01-05 2028-01-05 valid" in text_of(admin.get(f"/staff/{nurse}"))


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "", "issued_on": "2026-01-05"}, "kind"),
    ({"kind": "acls", "issued_on": "05/01/2026"}, "issued_on"),
    ({"kind": "acls", "issued_on": "2026-01-05", "expires_on": "2025-01-05"}, "expires_on"),
    ({"kind": "acls", "issued_on": "2026-01-05", "number": "x" * 61}, "number"),
])
def test_a_bad_credential_is_refused_beside_its_field_with_nothing_written(clinic, clinic_clock, admin, data, field):
    before = count(Credential)
    response = post(admin, f"/staff/{clinic.nurses[1]}/credentials/new", data)
    assert response.status_code == 422 and error_beside(response, field)
    assert count(Credential) == before


def test_revoking_a_credential_a_booked_session_relies_on_is_refused_naming_the_session(clinic, clinic_clock, admin):
    session = book_nurse(clinic)
    nurse = clinic.nurses[0]
    bls = next(c for c in rows(Credential, staff_id=nurse) if c.kind == "bls")
    response = post(admin, f"/staff/{nurse}/credentials/{bls.id}/revoke", form_path=f"/staff/{nurse}")
    assert response.status_code == 409
    page = text_of(response)
    assert f"Session {session} (IV ketamine infusion, Mon 23 Nov 2026 09:00 at Midtown)" in page
    assert "Nothing was written" in page
    assert rows(Credential, id=bls.id)[0].revoked_on is None


def test_a_revoked_credential_is_kept_and_shown_as_revoked(clinic, clinic_clock, admin):
    nurse = clinic.nurses[1]
    bls = next(c for c in rows(Credential, staff_id=nurse) if c.kind == "bls")
    assert post(admin, f"/staff/{nurse}/credentials/{bls.id}/revoke", form_path=f"/staff/{nurse}").status_code == 303
    assert rows(Credential, id=bls.id)[0].revoked_on == date(2026, 11, 20)
    page = text_of(admin.get(f"/staff/{nurse}"))
    assert "BLS" in page and "revoked 2026-11-20" in page and "credential revoked" in page


def test_editing_a_credential_keeps_its_kind_and_refuses_an_expiry_a_session_relies_on(clinic, clinic_clock, admin):
    book_nurse(clinic)
    nurse = clinic.nurses[0]
    bls = next(c for c in rows(Credential, staff_id=nurse) if c.kind == "bls")
    path = f"/staff/{nurse}/credentials/{bls.id}/edit"
    assert "a credential's kind stays" in text_of(admin.get(path))
    refused = post(admin, path, {"number": "B-1", "issued_on": "2020-01-01", "expires_on": "2026-11-22"})
    assert refused.status_code == 409 and "IV ketamine infusion, Mon 23 Nov 2026 09:00" in text_of(refused)
    saved = post(admin, path, {"kind": "acls", "number": "B-1", "issued_on": "2020-01-01", "expires_on": "2027-06-30"})
    assert saved.status_code == 303
    row = rows(Credential, id=bls.id)[0]
    assert (row.kind, row.number, row.expires_on) == ("bls", "B-1", date(2027, 6, 30))


def test_a_shift_is_added_in_the_sites_wall_time(clinic, clinic_clock, admin):
    nurse = clinic.nurses[1]
    day = date(2026, 12, 7)
    response = post(admin, f"/staff/{nurse}/shifts/new", {"site_id": str(clinic.site), "day": day.isoformat(),
                                                          "starts": "07:30", "ends": "15:30"})
    assert response.status_code == 303
    added = shift_on(nurse, day)
    assert (added.starts_at, added.ends_at) == (datetime(2026, 12, 7, 12, 30, tzinfo=timezone.utc),
                                                datetime(2026, 12, 7, 20, 30, tzinfo=timezone.utc))
    assert "Mon 07 Dec 2026 07:30–15:30 EST Midtown" in text_of(admin.get(f"/staff/{nurse}"))


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"site_id": "", "day": "2026-12-07", "starts": "07:30", "ends": "15:30"}, "site_id", "Choose a site."),
    ({"site_id": "999", "day": "2026-12-07", "starts": "07:30", "ends": "15:30"}, "site_id", "Choose a site."),
    ({"day": "2026-02-30", "starts": "07:30", "ends": "15:30"}, "day", "Give a date like"),
    ({"day": "2026-12-07", "starts": "7h30", "ends": "15:30"}, "starts", "Give a time of day"),
    ({"day": "2026-12-07", "starts": "15:30", "ends": "07:30"}, "ends", "Ends must be after starts."),
    ({"day": "2027-03-14", "starts": "02:30", "ends": "09:00"}, "starts", "does not exist"),
    ({"day": "2026-11-23", "starts": "07:00", "ends": "09:00"}, "starts", "already works"),
])
def test_a_bad_shift_is_refused_beside_its_field_with_nothing_written(clinic, clinic_clock, admin, data, field,
                                                                      words):
    before = count(Shift)
    response = post(admin, f"/staff/{clinic.nurses[1]}/shifts/new", {"site_id": str(clinic.site), **data})
    assert response.status_code == 422
    assert words in error_beside(response, field)
    assert count(Shift) == before


def test_an_admin_edits_a_shift_and_is_refused_with_the_sessions_named(clinic, clinic_clock, admin):
    first = book_nurse(clinic)
    second = book_nurse(clinic, at=to_utc(MONDAY, time(11), NY), chair=1)
    nurse = clinic.nurses[0]
    shift = shift_on(nurse, MONDAY)
    response = post(admin, f"/staff/{nurse}/shifts/{shift.id}/edit",
                    {"site_id": str(clinic.site), "day": MONDAY.isoformat(), "starts": "12:00", "ends": "18:00"})
    assert response.status_code == 409
    html, page = response.data.decode(), text_of(response)
    for session, at in ((first, "09:00"), (second, "11:00")):
        assert f"Session {session} (IV ketamine infusion, Mon 23 Nov 2026 {at} at Midtown): Rosa Diaz" in page
        assert f'href="/sessions/{session}"' in html
    assert "/callouts/new?staff_id=" in html and "handle it as a call-out" in page
    assert "Patient MRN" not in page
    assert (shift_on(nurse, MONDAY).starts_at, shift_on(nurse, MONDAY).withdrawn_at) == (shift.starts_at, None)
    assert not audit("shift.changed")


def test_a_shift_edit_that_keeps_the_sessions_covered_is_saved_and_audited(clinic, clinic_clock, admin):
    book_nurse(clinic)
    nurse = clinic.nurses[0]
    shift = shift_on(nurse, MONDAY)
    response = post(admin, f"/staff/{nurse}/shifts/{shift.id}/edit",
                    {"site_id": str(clinic.site), "day": MONDAY.isoformat(), "starts": "08:30", "ends": "17:00"})
    assert response.status_code == 303
    assert shift_on(nurse, MONDAY).starts_at == to_utc(MONDAY, time(8, 30), NY)
    assert [e.entity_id for e in audit("shift.changed")] == [str(shift.id)]


def test_withdrawing_a_shift_under_a_booked_session_is_refused_and_a_free_one_is_withdrawn_and_reinstated(
        clinic, clinic_clock, admin):
    session = book_nurse(clinic)
    nurse = clinic.nurses[0]
    busy, free = shift_on(nurse, MONDAY), shift_on(nurse, TUESDAY)
    refused = post(admin, f"/staff/{nurse}/shifts/{busy.id}/withdraw", form_path=f"/staff/{nurse}")
    assert refused.status_code == 409 and f"Session {session}" in text_of(refused)
    assert rows(Shift, id=busy.id)[0].withdrawn_at is None
    assert post(admin, f"/staff/{nurse}/shifts/{free.id}/withdraw", form_path=f"/staff/{nurse}").status_code == 303
    assert rows(Shift, id=free.id)[0].withdrawn_at is not None
    assert "withdrawn" in text_of(admin.get(f"/staff/{nurse}"))
    assert post(admin, f"/staff/{nurse}/shifts/{free.id}/reinstate", form_path=f"/staff/{nurse}").status_code == 303
    assert rows(Shift, id=free.id)[0].withdrawn_at is None


def test_time_off_over_a_booked_session_is_refused_naming_it_with_a_call_out_link(clinic, clinic_clock, admin):
    session = book_nurse(clinic)
    nurse = clinic.nurses[0]
    response = post(admin, f"/staff/{nurse}/time-off/new", {"site_id": str(clinic.site), "from_day": "2026-11-23",
                                                            "from_time": "00:00", "until_day": "2026-11-23",
                                                            "until_time": "23:59", "reason": "sick"})
    assert response.status_code == 409
    assert f"Session {session} (IV ketamine infusion, Mon 23 Nov 2026 09:00 at Midtown): Rosa Diaz (RN) is on leave" in \
        text_of(response)
    link = f"/callouts/new?staff_id={nurse}&amp;from=2026-11-23T00%3A00&amp;to=2026-11-23T23%3A59&amp;reason=sick"
    assert link in response.data.decode()
    assert count(TimeOff) == 0
    # The link opens the call-out's preview of that span, in the site's wall time, nothing to correct.
    preview = admin.get(link.replace("&amp;", "&"))
    assert preview.status_code == 200
    assert f"/sessions/{session}" in preview.data.decode() and "see the fields marked" not in text_of(preview)
    assert 'value="2026-11-23T00:00"' in preview.data.decode() and 'value="sick"' in preview.data.decode()


def test_time_off_is_added_in_the_sites_wall_time_then_withdrawn_and_reinstated(clinic, clinic_clock, admin):
    nurse = clinic.nurses[1]
    response = post(admin, f"/staff/{nurse}/time-off/new", {"site_id": str(clinic.site), "from_day": "2026-12-24",
                                                            "from_time": "00:00", "until_day": "2026-12-26",
                                                            "until_time": "23:59", "reason": "holiday"})
    assert response.status_code == 303
    [leave] = rows(TimeOff, staff_id=nurse)
    assert leave.starts_at == datetime(2026, 12, 24, 5, tzinfo=timezone.utc)
    assert "Thu 24 Dec 2026 00:00 EST – Sat 26 Dec 2026 23:59 EST holiday" in text_of(admin.get(f"/staff/{nurse}"))
    assert post(admin, f"/staff/{nurse}/time-off/{leave.id}/withdraw", form_path=f"/staff/{nurse}").status_code == 303
    assert rows(TimeOff, id=leave.id)[0].withdrawn_at is not None
    assert post(admin, f"/staff/{nurse}/time-off/{leave.id}/reinstate", form_path=f"/staff/{nurse}").status_code == 303
    assert rows(TimeOff, id=leave.id)[0].withdrawn_at is None


@pytest.mark.parametrize(("data", "field"), [
    ({"from_day": "", "from_time": "00:00", "until_day": "2026-12-26", "until_time": "23:59"}, "from_day"),
    ({"from_day": "2026-12-24", "from_time": "25:00", "until_day": "2026-12-26", "until_time": "23:59"}, "from_time"),
    ({"from_day": "2026-12-24", "from_time": "09:00", "until_day": "2026-12-24", "until_time": "08:00"}, "until_day"),
    ({"from_day": "2026-12-24", "from_time": "09:00", "until_day": "2026-12-25", "until_time": "08:00",
      "reason": "a\x00b"}, "reason"),
])
def test_bad_time_off_is_refused_beside_its_field_with_nothing_written(clinic, clinic_clock, admin, data, field):
    response = post(admin, f"/staff/{clinic.nurses[1]}/time-off/new", {"site_id": str(clinic.site), **data})
    assert response.status_code == 422 and error_beside(response, field)
    assert count(TimeOff) == 0


def test_editing_time_off_to_cover_a_booked_session_is_refused_naming_it(clinic, clinic_clock, admin):
    session = book_nurse(clinic)
    nurse = clinic.nurses[0]
    post(admin, f"/staff/{nurse}/time-off/new", {"site_id": str(clinic.site), "from_day": "2026-11-24",
                                                 "from_time": "00:00", "until_day": "2026-11-24", "until_time": "23:59"})
    [leave] = rows(TimeOff, staff_id=nurse)
    path = f"/staff/{nurse}/time-off/{leave.id}/edit"
    assert 'value="2026-11-24"' in admin.get(path).data.decode()
    response = post(admin, path, {"site_id": str(clinic.site), "from_day": "2026-11-23", "from_time": "00:00",
                                  "until_day": "2026-11-24", "until_time": "23:59"})
    assert response.status_code == 409 and f"Session {session}" in text_of(response)
    assert rows(TimeOff, id=leave.id)[0].starts_at == leave.starts_at


@pytest.mark.parametrize("path", ["/staff/{n}/shifts/new", "/staff/{n}/time-off/new", "/staff/{n}/credentials/new",
                                  "/staff/{n}/edit", "/staff/{n}/shifts/pattern"])
def test_odd_input_on_any_form_is_never_a_500(clinic, clinic_clock, admin, path):
    path = path.format(n=clinic.nurses[1])
    odd = {name: value for name in ("site_id", "day", "starts", "ends", "from_day", "from_time", "until_day",
                                    "until_time", "reason", "kind", "issued_on", "expires_on", "number", "name",
                                    "email", "phone", "first_day", "last_day")
           for value in ["\x00" + "9" * 300]}
    response = post(admin, path, {**odd, "disciplines": ["\u0000", "RN" * 200], "weekdays": ["x", "99"]})
    assert response.status_code in (400, 422)


def test_each_edit_form_puts_its_error_beside_the_field_and_writes_nothing(clinic, clinic_clock, admin):
    nurse = clinic.nurses[1]
    bls = next(c for c in rows(Credential, staff_id=nurse) if c.kind == "bls")
    shift = shift_on(nurse, TUESDAY)
    post(admin, f"/staff/{nurse}/time-off/new", {"site_id": str(clinic.site), "from_day": "2026-12-24",
                                                 "from_time": "00:00", "until_day": "2026-12-24", "until_time": "23:59"})
    [leave] = rows(TimeOff, staff_id=nurse)
    cases = [
        (f"/staff/{nurse}/edit", {"name": "Sam Lee", "disciplines": ["RN"], "email": "nope"}, "email"),
        (f"/staff/{nurse}/credentials/{bls.id}/edit", {"issued_on": "2020-01-01", "expires_on": "2019-01-01"},
         "expires_on"),
        (f"/staff/{nurse}/shifts/{shift.id}/edit", {"site_id": str(clinic.site), "day": TUESDAY.isoformat(),
                                                    "starts": "09:00", "ends": "noon"}, "ends"),
        (f"/staff/{nurse}/time-off/{leave.id}/edit", {"site_id": str(clinic.site), "from_day": "2026-12-24",
                                                      "from_time": "00:00", "until_day": "2026-13-01",
                                                      "until_time": "23:59"}, "until_day"),
    ]
    for path, data, field in cases:
        response = post(admin, path, data)
        assert response.status_code == 422, path
        assert error_beside(response, field)
    assert rows(Credential, id=bls.id)[0].expires_on == bls.expires_on
    assert rows(Shift, id=shift.id)[0].starts_at == shift.starts_at
    assert rows(TimeOff, id=leave.id)[0].ends_at == leave.ends_at
    assert not audit("staff.changed") and not audit("credential.changed") and not audit("shift.changed")


def test_a_shift_edit_without_its_csrf_token_changes_nothing(clinic, clinic_clock, admin):
    nurse = clinic.nurses[1]
    shift = shift_on(nurse, TUESDAY)
    response = admin.post(f"/staff/{nurse}/shifts/{shift.id}/edit", data={
        "site_id": str(clinic.site), "day": TUESDAY.isoformat(), "starts": "09:00", "ends": "17:00"})
    assert response.status_code == 400
    assert rows(Shift, id=shift.id)[0].starts_at == shift.starts_at
