"""The staff pages: the clinic overview and a site's day, in each site's wall time."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session, cancel_session
from tests import factories as f
from tests.web.conftest import ALL_WEEK, days_from_now

EARLY = datetime(2026, 1, 1, tzinfo=timezone.utc)


def text_of(response) -> str:
    """The page as text with tags removed and blanks folded, for reading like a person would."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.data.decode())).replace("&ndash;", "–")


@pytest.fixture
def reception(signed_in):
    return signed_in("reception")


def small_site(zone: str, days: list[date]) -> dict:
    """A site in zone open every day, a chair, an MD and an RN on shift on the given local days."""
    site = f.make_site(name=f"Site {zone}", timezone=zone, hours=ALL_WEEK)
    chair = f.make_room(site)
    md, rn = f.make_staff("Dr Ada Kim", ["MD"]), f.make_staff("Rosa Diaz", ["RN"], f.credentials("licence", "bls"))
    for day in days:
        for person in (md, rn):
            f.make_shift(person, site, day, "07:00", "21:00", zone=zone)
    return {"site": site, "chair": chair, "prescriber": md, "nurse": rn, "zone": zone,
            "iv": f.make_session_type(f.IV_DOSING)}


def book_iv(place: dict, day: date, at: str, patient: int) -> int:
    """An IV session at place booked for a local wall time, with its MD and RN."""
    start = datetime.combine(day, time.fromisoformat(at), tzinfo=ZoneInfo(place["zone"]))
    staff = ((place["prescriber"], "supervising_prescriber"), (place["nurse"], "monitoring_clinician"))
    return book_session(SessionOrder(patient, place["site"], place["iv"], start, place["chair"], staff), SYSTEM, EARLY)


# --- the overview -----------------------------------------------------------------------------


def test_the_overview_shows_today_s_session_in_the_site_s_wall_time(reception, clinic_today):
    page = text_of(reception.get("/"))
    assert "Harbour Clinic" in page and clinic_today.zone in page
    assert f"today is {clinic_today.today:%A %d %B %Y}" in page
    row = re.search(r"13:00–14:45 (.*?) booked", page)
    assert row, page
    assert row.group(1).split() == ("Jordan Avery IV ketamine infusion Chair 1 Dr Ada Kim · supervising prescriber "
                                    "Rosa Diaz · monitoring clinician").split()


def test_the_overview_lists_rooms_with_capabilities_and_who_is_on_shift(reception, clinic_today):
    page = text_of(reception.get("/"))
    assert "Chair 1 infusion chair infusion pump and monitor pulse oximeter" in page
    assert "Therapy Room therapy office therapy setting" in page
    assert "Dr Ada Kim MD 08:00–18:00" in page and "Rosa Diaz RN 08:00–18:00" in page


def test_the_overview_shows_a_cancelled_session_as_cancelled(reception, clinic_today):
    cancel_session(clinic_today.session, SYSTEM, EARLY)
    page = reception.get("/").data.decode()
    assert 'class="badge status-cancelled">cancelled<' in page


def test_credentials_lapsing_within_60_days_are_amber_and_within_30_red(reception, clinic_today):
    zone = clinic_today.zone

    def staff_with_licence(name: str, days: int, **more) -> int:
        return f.make_staff(name, ["RN"], [{"kind": "licence", "issued_on": f.LONG_AGO,
                                            "expires_on": days_from_now(days, zone)}], **more)

    staff_with_licence("Ann Twenty", 20)
    staff_with_licence("Ben Thirty", 30)
    staff_with_licence("Cai ThirtyOne", 31)
    staff_with_licence("Dee Sixty", 60)
    staff_with_licence("Eli SixtyOne", 61)
    staff_with_licence("Fay Lapsed", -5)
    staff_with_licence("Gus Gone", 10, active=False)
    renewed = staff_with_licence("Hal Renewed", 12)
    f.make_credential(renewed, "licence", f.LONG_AGO, days_from_now(400, zone))

    page = reception.get("/").data.decode()
    rows = re.findall(r'<tr class="warn-(\w+)">\s*<td[^>]*>([^<]+)</td>', page)
    assert rows == [("red", "Fay Lapsed"), ("red", "Ann Twenty"), ("red", "Ben Thirty"),
                    ("amber", "Cai ThirtyOne"), ("amber", "Dee Sixty")]
    assert "expired 5 d ago" in page and ">20 d<" in page


def test_an_empty_clinic_says_so(reception):
    page = text_of(reception.get("/"))
    assert "No sites are set up yet." in page and "No credential lapses in the next 60 days." in page


def test_names_are_escaped_not_run(reception):
    site = small_site("America/New_York", [date(2026, 11, 23)])
    patient = f.make_patient("MRN-X", name="<script>alert(1)</script>")
    book_iv(site, date(2026, 11, 23), "09:00", patient)
    page = reception.get(f"/sessions?site_id={site['site']}&day=2026-11-23").data.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- the day view -----------------------------------------------------------------------------


def test_the_day_view_shows_one_site_s_day_and_links_to_its_neighbours(reception, clinic_today):
    day = clinic_today.today.isoformat()
    response = reception.get(f"/sessions?site_id={clinic_today.site}&day={day}")
    assert response.status_code == 200
    page = text_of(response)
    assert "13:00–14:45" in page and "Jordan Avery" in page
    html = response.data.decode()
    assert f"day={date.fromordinal(clinic_today.today.toordinal() - 1).isoformat()}" in html
    assert f"day={date.fromordinal(clinic_today.today.toordinal() + 1).isoformat()}" in html
    other = text_of(reception.get(f"/sessions?site_id={clinic_today.site}&day=2030-01-07"))
    assert "No sessions on this day." in other and "Jordan Avery" not in other


def test_the_day_view_defaults_to_the_first_site_s_today(reception, clinic_today):
    page = text_of(reception.get("/sessions"))
    assert f"Harbour Clinic · {clinic_today.today:%A %d %B %Y}" in page and "Jordan Avery" in page


@pytest.mark.parametrize("zone, short_day, monday", [
    ("America/New_York", date(2026, 3, 8), date(2026, 3, 9)),
    ("Europe/Berlin", date(2026, 3, 29), date(2026, 3, 30)),
])
def test_across_a_dst_change_each_session_shows_on_its_own_local_day_at_its_wall_time(reception, zone, short_day,
                                                                                      monday):
    site = small_site(zone, [short_day, monday])
    book_iv(site, short_day, "19:00", f.make_patient("MRN-1"))
    book_iv(site, monday, "07:00", f.make_patient("MRN-2"))
    sunday = text_of(reception.get(f"/sessions?site_id={site['site']}&day={short_day}"))
    assert "19:00–20:45 Patient MRN-1" in sunday and "MRN-2" not in sunday
    after = text_of(reception.get(f"/sessions?site_id={site['site']}&day={monday}"))
    assert "07:00–08:45 Patient MRN-2" in after and "MRN-1" not in after
    assert "Dr Ada Kim MD 07:00–21:00" in after


@pytest.mark.parametrize("query, status, message", [
    ("day=2026-13-01", 422, "day must be a date"),
    ("day=2026-02-30", 422, "day must be a date"),
    ("day=tomorrow", 422, "day must be a date"),
    ("day=20261123", 422, "day must be a date"),
    ("day=1800-01-01", 422, "day must be a date"),
    ("day=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-01-01", 422, "day must be a date"),
    ("site_id=abc", 422, "site_id must be a site"),
    ("site_id=-1", 422, "site_id must be a site"),
    ("site_id=%C2%B2", 422, "site_id must be a site"),
    ("site_id=999", 404, "No site with id 999."),
    ("site_id=99999999999999999999999", 404, "No site with id"),
])
def test_odd_query_parameters_get_a_clear_page_not_a_500(reception, clinic_today, query, status, message):
    response = reception.get(f"/sessions?{query}")
    assert response.status_code == status
    assert response.mimetype == "text/html" and message in text_of(response)


def test_the_day_view_without_sites_says_so(reception):
    response = reception.get("/sessions?day=2026-11-23")
    assert response.status_code == 200 and "No sites are set up yet." in text_of(response)


def test_an_unknown_page_gets_the_html_error_page_with_the_nav(reception):
    response = reception.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Not found." in text_of(response) and "Sign out" in text_of(response)
