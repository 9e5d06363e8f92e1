"""The coverage page of a site's day and the overview's coverage alerts: who sees them, bad input, what they say."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import insert

from planner.db.models import TimeOff
from planner.domain.calendar import to_utc
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from planner.services.coverage_check import check_coverage
from tests.factories import MONDAY
from tests.web.test_pages import text_of

NINE = to_utc(MONDAY, time(9), "America/New_York")
BOOKED_AT = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def book(clinic, patient=0, nurse=0):
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, NINE, clinic.chairs[patient],
                                     ((clinic.prescriber, "supervising_prescriber"),
                                      (clinic.nurses[nurse], "monitoring_clinician"))), SYSTEM, BOOKED_AT)


def nurse_off_in_the_table(clinic, nurse=0):
    """The nurse's time off as an old database holds it: written around the API and its cover check."""
    db.session.execute(insert(TimeOff).values(staff_id=clinic.nurses[nurse], starts_at=NINE - timedelta(hours=1),
                                              ends_at=NINE + timedelta(hours=8), reason="sick"))
    db.session.commit()


@pytest.mark.parametrize("role", ["reception", "clinician", "admin"])
def test_every_staff_role_reads_a_sites_coverage_for_a_day(clinic, clinic_clock, signed_in, role):
    book(clinic)
    response = signed_in(role).get(f"/sites/{clinic.site}/coverage?day={MONDAY}")
    assert response.status_code == 200
    page = text_of(response)
    assert "Coverage · Midtown · Monday 23 November 2026" in page
    assert "Every dosing window is covered, with room to spare." in page
    assert "America/New_York (EST)" in page


def test_signed_out_visitors_are_sent_to_sign_in(clinic, client):
    response = client.get(f"/sites/{clinic.site}/coverage?day={MONDAY}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("day", ["2026-13-01", "tomorrow", "1800-01-01", "2026-11-23x", "9" * 40])
def test_a_day_that_is_no_date_is_a_422_naming_the_field(clinic, signed_in, day):
    response = signed_in("clinician").get(f"/sites/{clinic.site}/coverage", query_string={"day": day},
                                          headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert response.get_json()["fields"] == [{"field": "day", "message": "not a date like 2026-11-23"}]


def test_an_unknown_site_is_a_404(clinic, signed_in):
    assert signed_in("clinician").get(f"/sites/{clinic.site + 99}/coverage?day={MONDAY}").status_code == 404
    assert signed_in("clinician").get("/sites/99999999999/coverage").status_code == 404


def test_both_nurses_off_sick_under_a_dose_shows_a_gap_from_nine_and_the_table_says_so(clinic, clinic_clock, signed_in):
    session_id = book(clinic)
    nurse_off_in_the_table(clinic, nurse=0)
    nurse_off_in_the_table(clinic, nurse=1)
    page = text_of(signed_in("clinician").get(f"/sites/{clinic.site}/coverage?day={MONDAY}"))
    assert "1 dosing session lost its own cover (listed below). 1 gap and 0 stretches at the limit." in page
    assert f"Session {session_id} · IV ketamine infusion · 09:00–10:45 booked Lost cover Rosa Diaz (RN) is on leave" \
        in page
    assert "Gap 09:00–10:45: 1 dosing for monitoring capacity 0; no second BLS holder on site" in page
    assert "09:00 EST 1 4 0 no second BLS holder Gap" in page  # the table row beside the chart


def test_two_doses_with_one_nurse_left_are_at_the_limit(clinic, clinic_clock, signed_in):
    book(clinic, patient=0, nurse=0)
    book(clinic, patient=1, nurse=1)
    nurse_off_in_the_table(clinic, nurse=1)
    page = text_of(signed_in("clinician").get(f"/sites/{clinic.site}/coverage?day={MONDAY}"))
    assert "1 dosing session lost its own cover (listed below). 0 gaps and 1 stretch at the limit." in page
    assert "At the limit 09:00–10:45: 2 dosing, capacity all taken" in page


def test_the_fall_back_day_has_25_hours_and_names_both_one_oclocks(clinic, clinic_clock, signed_in):
    page = text_of(signed_in("clinician").get(f"/sites/{clinic.site}/coverage?day=2026-11-01"))
    assert "This day has 25 hours: the clocks go back." in page
    spring = text_of(signed_in("clinician").get(f"/sites/{clinic.site}/coverage?day=2026-03-08"))
    assert "This day has 23 hours: the clocks go forward." in spring


def test_a_lapsing_credential_lists_the_sessions_that_need_it(clinic, clinic_clock, signed_in):
    from planner.db.models import Credential

    session_id = book(clinic)
    db.session.execute(Credential.__table__.update().where(Credential.staff_id == clinic.prescriber,
                                                           Credential.kind == "acls")
                       .values(expires_on=MONDAY + timedelta(days=20)))
    db.session.commit()
    page = text_of(signed_in("clinician").get(f"/sites/{clinic.site}/coverage?day={MONDAY}"))
    assert f"Dr Ada Kim ACLS 2026-12-13 23 d Session {session_id} Mon 23 Nov 09:00 EST as supervising prescriber" \
        in page


def test_the_overview_shows_the_admin_the_open_alerts_with_a_link_and_reception_none(clinic, clinic_clock, signed_in):
    session_id = book(clinic)
    nurse_off_in_the_table(clinic)
    check_coverage(clinic_clock)
    admin = signed_in("admin").get("/").data.decode()
    assert 'data-testid="coverage-alerts"' in admin and f'href="/sessions/{session_id}"' in admin
    assert f"/sites/{clinic.site}/coverage?day=" in admin
    reception = signed_in("reception").get("/").data.decode()
    assert 'data-testid="coverage-alerts"' not in reception and "Open coverage alerts" not in reception
    assert f"/sites/{clinic.site}/coverage?day=" in reception


def test_the_day_view_links_to_the_days_coverage(clinic, clinic_clock, signed_in):
    page = signed_in("reception").get(f"/sessions?site_id={clinic.site}&day={MONDAY}").data.decode()
    assert f'href="/sites/{clinic.site}/coverage?day={MONDAY}"' in page


def test_the_chart_shows_the_staffed_hours_on_whole_local_hours_and_its_scale_reaches_the_highest_figure():
    from datetime import date

    from planner.domain.calendar import local
    from planner.domain.coverage import coverage_curve
    from planner.web.coverage_chart import chart, shown
    from tests.unit.builders import at, make_shift, make_site, make_staff, span

    day = date(2026, 11, 1)  # the fall-back day: 100 quarters
    staff = [make_staff(1, "Dr Adams", ("MD",), shifts=(make_shift("08:30", "17:00", day),))]
    quarters = coverage_curve(make_site(), day, [span(at(10, day=day), 105)] * 5, staff)
    cut = shown(quarters, "America/New_York")
    assert f"{local(cut[0].span.start, 'America/New_York'):%H:%M}" == "07:00"  # an hour before 08:30, on the hour
    assert f"{local(cut[-1].span.end, 'America/New_York'):%H:%M}" == "18:00"
    drawn = chart(cut, "America/New_York")
    assert max(value for _, value in drawn.ticks) >= 5 and len(drawn.bars) == len(cut)
    assert [label for _, label in drawn.hours][:3] == ["07", "08", "09"]
    assert sum(bar.state == "gap" for bar in drawn.bars) == 7  # 5 doses, no nurse: every dosing quarter
