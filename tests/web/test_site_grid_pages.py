"""A site's day grid (/sites/<id>/grid): blocks placed by time and room, the team's load, closed and DST days, access."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from planner.db.models import Closure
from planner.domain.calendar import to_utc
from planner.extensions import db
from planner.services.site_grid import site_grid
from tests.factories import MONDAY, make_shift
from tests.web.test_my_day_pages import ZONE, place
from tests.web.test_pages import text_of

FALL_BACK = date(2026, 11, 1)       # New York: 01:00-02:00 happens twice
SPRING_FORWARD = date(2027, 3, 14)  # New York: 02:00-03:00 never happens
NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


@pytest.mark.parametrize("role", ["reception", "clinician", "admin"])
def test_every_staff_role_reads_the_grid_with_each_session_in_its_room_and_hour(clinic, signed_in, role):
    first = place(clinic, to_utc(MONDAY, time(9), ZONE))
    place(clinic, to_utc(MONDAY, time(9, 30), ZONE), patient=1)
    response = signed_in(role).get(f"/sites/{clinic.site}/grid?day={MONDAY}")
    assert response.status_code == 200
    html, page = response.get_data(True), text_of(response)
    assert "Grid · Midtown · Monday 23 November 2026" in page
    # Shifts begin at 08:00, so the grid's first row is 08:00: 09:00 is 4 quarters down (row 1 is the heading).
    assert f'href="/sessions/{first}"' in html
    assert 'style="grid-row: 6 / span 7; grid-column: 2;"' in html    # Chair 1, 09:00-10:45
    assert 'style="grid-row: 8 / span 7; grid-column: 3;"' in html    # Chair 2, 09:30-11:15
    assert "09:00–10:45 Patient MRN-1 Chair 1 IV ketamine infusion Dr Ada Kim (supervising prescriber); " \
           "Rosa Diaz (monitoring clinician)" in page


def test_the_load_beside_the_grid_counts_each_persons_patients_at_once_against_their_limit(clinic, signed_in):
    place(clinic, to_utc(MONDAY, time(9), ZONE))
    place(clinic, to_utc(MONDAY, time(9, 30), ZONE), patient=1)
    place(clinic, to_utc(MONDAY, time(10), ZONE), patient=2)
    page = text_of(signed_in("clinician").get(f"/sites/{clinic.site}/grid?day={MONDAY}"))
    # 09:00-10:45, 09:30-11:15, 10:00-11:45: two at once in the 09:00 hour, three in the 10:00, two in the 11:00.
    # The prescriber may carry 4; the nurse 2, so the 10:00 hour is over her limit (written round the booking rules).
    assert "Dr Ada Kim supervising prescriber 4 2 3 2 Rosa Diaz monitoring clinician 2 2 full 3 over 2 full" in page


def test_a_closed_day_is_shown_closed_with_its_reason(clinic, signed_in):
    db.session.add(Closure(site_id=clinic.site, day=MONDAY, reason="Staff training"))
    db.session.commit()
    page = text_of(signed_in("reception").get(f"/sites/{clinic.site}/grid?day={MONDAY}"))
    assert "Closed The site is closed on Monday 23 November 2026: Staff training." in page


def test_a_day_with_no_sessions_or_shifts_says_so(clinic, signed_in):
    page = text_of(signed_in("reception").get(f"/sites/{clinic.site}/grid?day={MONDAY - timedelta(days=7)}"))
    assert "No sessions and no shifts on this day." in page


def test_the_fall_back_day_has_25_hours_and_a_session_across_the_repeated_hour_spans_it(clinic, signed_in):
    make_shift(clinic.prescriber, clinic.site, FALL_BACK, "00:00", "06:00")
    start = datetime(2026, 11, 1, 4, 30, tzinfo=timezone.utc)  # 00:30 EDT; ends 02:30 EST, 3 real hours later
    place(clinic, start, 180)
    found = site_grid(clinic.site, FALL_BACK, NOW)
    assert len(found.hours) == 25
    response = signed_in("clinician").get(f"/sites/{clinic.site}/grid?day={FALL_BACK}")
    page = text_of(response)
    assert "This day has 25 hours: the clocks go back." in page
    assert "00:00 EDT 01:00 EDT 01:00 EST 02:00 EST" in page
    assert 'style="grid-row: 4 / span 12; grid-column: 2;"' in response.get_data(True)


def test_the_spring_forward_day_has_23_hours_and_no_two_oclock(clinic, signed_in):
    make_shift(clinic.prescriber, clinic.site, SPRING_FORWARD, "01:00", "05:00")
    found = site_grid(clinic.site, SPRING_FORWARD, NOW)
    assert len(found.hours) == 23
    page = text_of(signed_in("clinician").get(f"/sites/{clinic.site}/grid?day={SPRING_FORWARD}"))
    assert "This day has 23 hours: the clocks go forward." in page
    assert "01:00 EST 03:00 EDT 04:00 EDT" in page


def test_the_day_view_and_the_board_link_to_the_grid(clinic, signed_in):
    client = signed_in("reception")
    grid = f'href="/sites/{clinic.site}/grid?day={MONDAY}"'
    assert grid in client.get(f"/sessions?site_id={clinic.site}&day={MONDAY}").get_data(True)
    assert grid in client.get(f"/sites/{clinic.site}/board?day={MONDAY}").get_data(True)


def test_bad_day_is_a_422_and_an_unknown_site_a_404(clinic, signed_in):
    client = signed_in("reception")
    response = client.get(f"/sites/{clinic.site}/grid?day=2026-02-30", headers={"Accept": "application/json"})
    assert response.status_code == 422 and response.get_json()["fields"][0]["field"] == "day"
    assert client.get(f"/sites/{clinic.site + 99}/grid").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(clinic, client):
    response = client.get(f"/sites/{clinic.site}/grid")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
