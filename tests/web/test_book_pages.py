"""Reception's /book page: find the patient, see offers in site time, book one, a stale offer, bad input."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from planner.db.models import Session
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests.factories import MONDAY
from tests.web.api_client import count
from tests.web.conftest import csrf_from

DAY = MONDAY.isoformat()
MONDAY_BEFORE = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


@pytest.fixture
def desk(signed_in, clinic_clock):
    return signed_in("reception")


def offers_page(desk, clinic, **params):
    query = {"patient": clinic.patients[0], "session_type_id": clinic.iv, "site_id": clinic.site, "day": DAY,
             "span": "day", **params}
    return desk.get("/book", query_string=query)


def offer_forms(html: str) -> list[dict]:
    """Every offer's booking form as the fields a browser would post."""
    forms = []
    for form in re.findall(r'<form method="post" action="/book" class="offer-book">(.*?)</form>', html, re.S):
        fields: dict = {}
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form):
            fields.setdefault(name, []).append(value)
        forms.append({k: v if k == "staff" else v[0] for k, v in fields.items()})
    return forms


def test_a_receptionist_finds_a_patient_by_name_or_mrn(desk, clinic):
    page = desk.get("/book", query_string={"q": "mrn-2"}).get_data(as_text=True)
    assert f'href="/book?patient={clinic.patients[1]}"' in page and "Patient MRN-2" in page
    assert "No patient's name or MRN contains “nobody”" in desk.get("/book?q=nobody").get_data(as_text=True)


def test_offers_show_time_with_zone_room_team_and_why_first(desk, clinic):
    response = offers_page(desk, clinic)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "9 offers" in page and "America/New_York" in page and ">EST<" in page
    assert "08:00–09:45" in page and "09:00–10:45" in page and "08:15–10:00" not in page and "Chair 1" in page
    assert "Dr Ada Kim <span class=\"muted\">· supervising prescriber" in page
    assert "<strong>Why first:</strong> Earliest free time on Mon 23 Nov" in page
    assert "Next free time an hour or more later" in page


def test_more_times_shows_every_free_start_and_a_way_back_to_the_spread_list(desk, clinic):
    spread = offers_page(desk, clinic).get_data(as_text=True)
    more = re.search(r'<a href="([^"]*more=1[^"]*)#offers-heading">More times', spread)
    assert more is not None
    page = desk.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "20 offers" in page and "08:15–10:00" in page and "Fewer times, an hour or more apart" in page
    assert len(offer_forms(page)) == 20 and offer_forms(page)[1]["start"].startswith("2026-11-23T13:15")


def test_booking_an_offer_lands_on_the_booked_session(desk, clinic):
    first = offer_forms(offers_page(desk, clinic).get_data(as_text=True))[0]
    response = desk.post("/book", data=first)
    assert response.status_code == 303
    shown = desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "Session booked" in shown and "Monday 23 November 2026, 08:00–09:45" in shown
    assert "Chair 1" in shown and "Rosa Diaz" in shown and "America/New_York" in shown
    assert count(Session) == 1
    booked = db.session.scalar(select(Session))
    # From the confirmation, reception goes on to the session itself or to the patient's page.
    assert f'href="/sessions/{booked.id}">Open the session' in shown
    assert f'href="/patients/{booked.patient_id}">' in shown


def test_a_stale_offer_says_so_and_shows_fresh_offers(desk, clinic):
    first = offer_forms(offers_page(desk, clinic).get_data(as_text=True))[0]
    book_session(SessionOrder(clinic.patients[1], clinic.site, clinic.iv, datetime.fromisoformat(first["start"]),
                              int(first["room_id"]), tuple((int(s.split(":")[0]), s.split(":")[1])
                                                           for s in first["staff"])), SYSTEM, MONDAY_BEFORE)
    response = desk.post("/book", data=first)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was booked: that time is no longer free." in page
    assert "Chair 1 is taken Mon 23 Nov 08:00–09:45 by another session." in page
    fresh = offer_forms(page)
    assert fresh and fresh[0]["room_id"] != first["room_id"]
    assert count(Session) == 1


def test_a_closed_day_shows_no_offers_and_the_reason(desk, clinic):
    page = offers_page(desk, clinic, day="2026-11-28").get_data(as_text=True)
    assert "No offers" in page and "Midtown is closed on Sat 28 Nov." in page


@pytest.mark.parametrize("params, status, text", [
    ({"patient": "abc"}, 422, "not a patient&#39;s number"),
    ({"patient": str(2**64)}, 422, "not a patient&#39;s number"),
    ({"patient": "99999"}, 404, "No patient with id 99999"),
    ({"day": "someday"}, 422, "Give a date like 2026-11-23."),
    ({"day": "2026-02-30"}, 422, "Give a date like 2026-11-23."),
    ({"session_type_id": "x"}, 422, "Pick a session type."),
    ({"site_id": "99999"}, 422, "No site with id 99999."),
    ({"span": "year"}, 422, "Pick a day or a week."),
])
def test_odd_query_strings_get_a_clear_page_never_a_500(desk, clinic, params, status, text):
    response = offers_page(desk, clinic, **params)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)


def test_a_tampered_offer_is_422_and_books_nothing(desk, clinic):
    first = offer_forms(offers_page(desk, clinic).get_data(as_text=True))[0]
    for change in ({"start": "tomorrow"}, {"staff": ["1:captain"]}, {"room_id": "x"}, {"patient": "0"}):
        assert desk.post("/book", data={**first, **change}).status_code == 422
    assert count(Session) == 0


def test_an_offer_without_its_csrf_token_is_refused(desk, clinic):
    first = offer_forms(offers_page(desk, clinic).get_data(as_text=True))[0]
    first.pop("csrf_token")
    assert desk.post("/book", data=first).status_code == 400
    assert count(Session) == 0


def test_a_clinician_may_not_book_from_offers(signed_in, clinic, clinic_clock):
    clinician = signed_in("clinician")
    assert clinician.get(f"/book?patient={clinic.patients[0]}").status_code == 403


def test_the_page_opens_on_the_patients_home_site_and_todays_date(desk, clinic):
    page = desk.get(f"/book?patient={clinic.patients[0]}").get_data(as_text=True)
    assert 'value="2026-11-20"' in page and "Pick a session type" in page
    assert csrf_from(offers_page(desk, clinic).get_data(as_text=True))


@pytest.mark.parametrize("path", ["/book/booked/99999", "/book/booked/abc", f"/book/booked/{2**64}"])
def test_a_booked_session_that_does_not_exist_is_404(desk, clinic, path):
    assert desk.get(path).status_code == 404


def test_a_search_for_like_wildcards_matches_them_literally(desk, clinic):
    for text in ("%", "_", "MRN%1"):
        assert "No patient's name or MRN contains" in desk.get("/book", query_string={"q": text}).get_data(as_text=True)


def test_a_week_of_offers_covers_each_open_day(desk, clinic):
    page = offers_page(desk, clinic, span="week").get_data(as_text=True)
    for day in ("Mon 23 Nov", "Tue 24 Nov", "Wed 25 Nov", "Thu 26 Nov", "Fri 27 Nov"):
        assert f'<span class="offer-day">{day}</span>' in page
    assert "Sat 28 Nov" not in page
