"""The API adds a weekly shift pattern: every shift in the site's wall time in one go, clashes named, admin only."""

from __future__ import annotations

from datetime import date, time

import pytest

from planner.db.models import Shift
from planner.domain.calendar import local
from tests import factories as f
from tests.web.api_client import ApiClient, count, fields
from tests.web.staff_clinic import NY, rows

PATTERN = {"weekdays": [0, 2, 4], "starts": "07:30", "ends": "15:30", "first_day": "2027-03-08",
           "last_day": "2027-03-19"}  # Mon, Wed, Fri over two weeks, across New York's spring-forward


@pytest.fixture
def admin(client, clinic_clock):
    return ApiClient(client, "admin")


def test_the_admin_adds_a_pattern_and_every_shift_starts_at_0730_local(clinic, admin):
    nurse = clinic.nurses[1]
    response = admin.post(f"/api/staff/{nurse}/shift-patterns", {**PATTERN, "site_id": clinic.site})
    assert response.status_code == 201, response.get_json()
    made = [s for s in rows(Shift, staff_id=nurse) if s.starts_at.year == 2027]
    assert [local(s.starts_at, NY).date() for s in made] == [date(2027, 3, d) for d in (8, 10, 12, 15, 17, 19)]
    assert {local(s.starts_at, NY).time() for s in made} == {time(7, 30)}


def test_a_clash_is_a_422_naming_the_day_with_nothing_written_unless_it_is_left_out(clinic, admin):
    nurse = clinic.nurses[1]
    f.make_shift(nurse, clinic.site, date(2027, 3, 10), "12:00", "20:00")
    before = count(Shift)
    refused = admin.post(f"/api/staff/{nurse}/shift-patterns", {**PATTERN, "site_id": clinic.site})
    assert refused.status_code == 422 and fields(refused) == {"shifts"}
    assert "Wed 10 Mar 2027: Already on shift" in refused.get_json()["fields"][0]["message"]
    assert count(Shift) == before
    done = admin.post(f"/api/staff/{nurse}/shift-patterns",
                      {**PATTERN, "site_id": clinic.site, "leave_out": ["2027-03-10"]})
    assert done.status_code == 201 and count(Shift) == before + 5


@pytest.mark.parametrize(("change", "field"), [
    ({"weekdays": []}, "weekdays"), ({"weekdays": [7]}, "weekdays[0]"), ({"starts": "7:30"}, "starts"),
    ({"ends": "06:00"}, "ends"), ({"last_day": "2027-03-01"}, "last_day"), ({"site_id": 999}, "site_id"),
])
def test_a_bad_pattern_is_a_422_naming_the_field(clinic, admin, change, field):
    response = admin.post(f"/api/staff/{clinic.nurses[1]}/shift-patterns", {**PATTERN, "site_id": clinic.site, **change})
    assert response.status_code == 422 and field in fields(response)


def test_only_the_admin_may_and_an_unknown_person_is_a_404(clinic, client, clinic_clock, admin):
    body = {**PATTERN, "site_id": clinic.site}
    assert ApiClient(client, "reception").post(f"/api/staff/{clinic.nurses[1]}/shift-patterns", body).status_code == 403
    assert admin.post("/api/staff/999/shift-patterns", body).status_code == 404
