"""The weekly shift pattern page: preview in wall time, create all in one go, clashes listed and refused unless left out."""

from __future__ import annotations

from datetime import date, time

import pytest

from planner.db.models import Shift
from planner.domain.calendar import local
from tests import factories as f
from tests.web.conftest import audit, csrf_from
from tests.web.staff_clinic import NY, count, rows
from tests.web.test_pages import text_of

WINTER = {"weekdays": ["0", "1", "2", "3", "4"], "starts": "07:30", "ends": "15:30", "first_day": "2027-03-01",
          "last_day": "2027-03-19"}  # three weeks, across New York's spring-forward on 14 March


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


def send(client, path: str, data: dict, action: str):
    token = csrf_from(client.get(path).data)
    return client.post(path, data={**data, "action": action, "csrf_token": token})


def test_the_preview_lists_each_shift_in_wall_time_and_writes_nothing(clinic, clinic_clock, admin):
    nurse = clinic.nurses[1]
    before = count(Shift)
    response = send(admin, f"/staff/{nurse}/shifts/pattern", {**WINTER, "site_id": str(clinic.site)}, "preview")
    assert response.status_code == 200
    page = text_of(response)
    assert "15 shifts at Midtown (America/New_York)" in page
    assert "Fri 12 Mar 2027 07:30–15:30 EST" in page and "Mon 15 Mar 2027 07:30–15:30 EDT" in page
    assert count(Shift) == before


def test_creating_the_pattern_makes_every_shift_in_one_go_at_0730_local_across_the_clock_change(clinic, clinic_clock,
                                                                                                admin):
    nurse = clinic.nurses[1]
    path = f"/staff/{nurse}/shifts/pattern"
    data = {**WINTER, "site_id": str(clinic.site)}
    days = [d for d in (date(2027, 3, 1 + i) for i in range(19)) if d.weekday() < 5]
    response = send(admin, path, {**data, "planned": [d.isoformat() for d in days],
                                  "keep": [d.isoformat() for d in days]}, "create")
    assert response.status_code == 303
    made = [s for s in rows(Shift, staff_id=nurse) if s.starts_at.year == 2027]
    assert len(made) == 15
    assert {local(s.starts_at, NY).time() for s in made} == {time(7, 30)}
    assert {local(s.ends_at, NY).time() for s in made} == {time(15, 30)}
    events = audit("shift.created")
    assert len(events) == 15 and "Mon, Tue, Wed, Thu, Fri 07:30–15:30 from 2027-03-01 to 2027-03-19 at Midtown" \
        in events[0].details["pattern"]
    assert "Week of Mon 15 Mar 2027" in text_of(admin.get(f"/staff/{nurse}"))


def test_a_closure_in_the_pattern_is_listed_and_the_whole_pattern_refused_unless_it_is_left_out(clinic, clinic_clock,
                                                                                                admin):
    holiday_site = f.make_site(name="Harbour", closures=[{"day": date(2027, 3, 10), "reason": "Staff training"}])
    nurse = clinic.nurses[1]
    path = f"/staff/{nurse}/shifts/pattern"
    data = {**WINTER, "site_id": str(holiday_site)}
    preview = send(admin, path, data, "preview")
    page = text_of(preview)
    assert "1 of them cannot be made as they are" in page
    assert "Wed 10 Mar 2027 07:30–15:30 EST The site is closed that day (Staff training)." in page
    assert 'name="keep" value="2027-03-10" id="keep-2027-03-10" >' in preview.data.decode()  # left unticked
    days = [d.isoformat() for d in (date(2027, 3, 1 + i) for i in range(19)) if d.weekday() < 5]
    before = count(Shift)
    refused = send(admin, path, {**data, "planned": days, "keep": days}, "create")
    assert refused.status_code == 422
    assert "Nothing was created: Wed 10 Mar 2027: The site is closed that day (Staff training)." in text_of(refused)
    assert count(Shift) == before
    kept = [d for d in days if d != "2027-03-10"]
    assert send(admin, path, {**data, "planned": days, "keep": kept}, "create").status_code == 303
    assert count(Shift) == before + 14


def test_a_clash_with_an_existing_shift_is_named_and_refused(clinic, clinic_clock, admin):
    nurse = clinic.nurses[1]
    f.make_shift(nurse, clinic.site, date(2027, 3, 3), "14:00", "20:00")
    path = f"/staff/{nurse}/shifts/pattern"
    data = {**WINTER, "site_id": str(clinic.site)}
    assert "Already on shift: Midtown Wed 03 Mar 14:00–20:00." in text_of(send(admin, path, data, "preview"))
    days = [d.isoformat() for d in (date(2027, 3, 1 + i) for i in range(19)) if d.weekday() < 5]
    before = count(Shift)
    assert send(admin, path, {**data, "planned": days, "keep": days}, "create").status_code == 422
    assert count(Shift) == before


@pytest.mark.parametrize(("data", "field"), [
    ({"weekdays": []}, "weekdays"),
    ({"weekdays": ["7"]}, "weekdays"),
    ({"starts": "16:00", "ends": "08:00"}, "ends"),
    ({"first_day": "2027-03-19", "last_day": "2027-03-01"}, "last_day"),
    ({"last_day": "2028-06-01"}, "last_day"),
    ({"first_day": "someday"}, "first_day"),
    ({"site_id": "0"}, "site_id"),
])
def test_a_bad_pattern_is_refused_beside_its_field(clinic, clinic_clock, admin, data, field):
    response = send(admin, f"/staff/{clinic.nurses[1]}/shifts/pattern",
                    {**WINTER, "site_id": str(clinic.site), **data}, "preview")
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.data.decode()


def test_the_pattern_page_without_its_token_creates_nothing(clinic, clinic_clock, admin):
    before = count(Shift)
    response = admin.post(f"/staff/{clinic.nurses[1]}/shifts/pattern",
                          data={**WINTER, "site_id": str(clinic.site), "action": "create", "keep": ["2027-03-01"]})
    assert response.status_code == 400 and count(Shift) == before


def test_only_the_ticked_days_are_made_and_none_ticked_makes_nothing(clinic, clinic_clock, admin):
    nurse = clinic.nurses[1]
    path = f"/staff/{nurse}/shifts/pattern"
    data = {**WINTER, "site_id": str(clinic.site)}
    before = count(Shift)
    nothing = send(admin, path, data, "create")
    assert nothing.status_code == 422 and "Every shift was left out" in text_of(nothing)
    assert count(Shift) == before
    assert send(admin, path, {**data, "keep": ["2027-03-02", "2027-03-16"]}, "create").status_code == 303
    made = [local(s.starts_at, NY).date() for s in rows(Shift, staff_id=nurse) if s.starts_at.year == 2027]
    assert made == [date(2027, 3, 2), date(2027, 3, 16)]
