"""A session's page: what, when, where, who; moving it to an offer, cancelling it with a reason; refusals, roles."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from planner.db.models import AuditEvent, PatientRequest, Session
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session, change_status
from tests.factories import MONDAY
from tests.web.api_client import count
from tests.web.conftest import csrf_from

MONDAY_BEFORE = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
DAY = MONDAY.isoformat()


def book(clinic, patient: int, hour: int = 13, chair: int = 0, nurse: int = 0) -> int:
    """An IV session on MONDAY at hour:00 New York time."""
    from zoneinfo import ZoneInfo

    start = datetime(MONDAY.year, MONDAY.month, MONDAY.day, hour, tzinfo=ZoneInfo("America/New_York"))
    return book_session(SessionOrder(patient, clinic.site, clinic.iv, start, clinic.chairs[chair],
                                     ((clinic.prescriber, "supervising_prescriber"),
                                      (clinic.nurses[nurse], "monitoring_clinician"))), SYSTEM, MONDAY_BEFORE)


@pytest.fixture
def desk(signed_in, clinic_clock):
    return signed_in("reception")


@pytest.fixture
def booked(clinic, clinic_clock):
    return book(clinic, clinic.patients[0])


def row(session_id: int) -> Session:
    db.session.rollback()
    return db.session.get(Session, session_id)


def offer_forms(html: str, action: str) -> list[dict]:
    """Every offer's form posting to action, as the fields a browser would post."""
    forms = []
    for form in re.findall(rf'<form method="post" action="{re.escape(action)}" class="offer-book">(.*?)</form>',
                           html, re.S):
        fields: dict = {}
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form):
            fields.setdefault(name, []).append(value)
        forms.append({k: v if k == "staff" else v[0] for k, v in fields.items()})
    return forms


def csrf(client) -> str:
    """A CSRF token the signed-in client's forms carry."""
    return csrf_from(client.get("/").get_data(as_text=True))


def open_request(session_id: int, patient_id: int, kind: str = "another_time", note: str = "Tuesdays suit me") -> int:
    found = PatientRequest(session_id=session_id, patient_id=patient_id, kind=kind, note=note, state="open",
                           asked_at=MONDAY_BEFORE)
    db.session.add(found)
    db.session.commit()
    return found.id


def test_the_session_page_shows_when_in_site_time_where_team_patient_and_history(desk, clinic, booked):
    response = desk.get(f"/sessions/{booked}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Move to another time" in page and 'data-testid="offer"' not in page  # offers once a day is asked for
    assert "Mon 23 Nov 2026, 13:00–14:45" in page and "EST" in page and "America/New_York" in page
    assert "Midtown" in page or "Chair 1" in page
    assert "Dr Ada Kim" in page and "Rosa Diaz" in page
    assert f'href="/patients/{clinic.patients[0]}"' in page
    assert "<strong>booked</strong> by system" in page


def test_offers_to_move_a_dose_include_its_own_day_but_not_its_own_time(desk, clinic, booked):
    page = desk.get(f"/sessions/{booked}", query_string={"day": DAY}).get_data(as_text=True)
    forms = offer_forms(page, f"/sessions/{booked}/move")
    starts = [f["start"] for f in forms]
    assert starts and all(s.startswith(DAY) for s in starts)  # one dose a day: its own dose does not block it
    assert f"{DAY}T18:00:00+00:00" not in starts  # 13:00 EST, where it already is


def test_moving_to_an_offer_moves_it_through_the_booking_service_with_an_updated_notice(desk, clinic, booked):
    first = offer_forms(desk.get(f"/sessions/{booked}", query_string={"day": DAY}).get_data(as_text=True),
                        f"/sessions/{booked}/move")[0]
    response = desk.post(f"/sessions/{booked}/move", data=first)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/sessions/{booked}")
    moved = row(booked)
    assert moved.starts_at == datetime.fromisoformat(first["start"]) and moved.version == 2 and moved.sequence >= 1
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.entity_id == str(booked))
                             .order_by(AuditEvent.id.desc()).limit(1)) == "session.rescheduled"
    shown = desk.get(f"/sessions/{booked}").get_data(as_text=True)
    assert "Moved." in shown and "<strong>rescheduled</strong>" in shown


def test_an_offer_taken_meanwhile_moves_nothing_and_shows_why_and_fresh_offers(desk, clinic, booked):
    first = offer_forms(desk.get(f"/sessions/{booked}", query_string={"day": DAY}).get_data(as_text=True),
                        f"/sessions/{booked}/move")[0]
    start = datetime.fromisoformat(first["start"])
    staff = tuple((int(s.split(":")[0]), s.split(":")[1]) for s in first["staff"])
    book_session(SessionOrder(clinic.patients[1], clinic.site, clinic.iv, start, int(first["room_id"]), staff),
                 SYSTEM, MONDAY_BEFORE)
    response = desk.post(f"/sessions/{booked}/move", data=first)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was changed: that time is no longer free." in page and "is taken" in page
    assert row(booked).version == 1
    assert offer_forms(page, f"/sessions/{booked}/move")


def test_a_session_already_under_way_cannot_be_moved_or_cancelled_and_says_why(desk, clinic, booked):
    change_status(booked, "cancelled", SYSTEM, MONDAY_BEFORE, "test")
    page = desk.get(f"/sessions/{booked}").get_data(as_text=True)
    assert "Move to another time" not in page and "Cancel this session" not in page
    response = desk.post(f"/sessions/{booked}/move", data={"start": f"{DAY}T15:00:00+00:00", "csrf_token": csrf(desk),
                                                           "staff": [f"{clinic.prescriber}:supervising_prescriber"]})
    assert response.status_code == 409 and "rescheduled" in response.get_data(as_text=True)
    refused = desk.post(f"/sessions/{booked}/cancel", data={"reason": "again", "csrf_token": csrf(desk)})
    assert refused.status_code == 409 and "A session that is cancelled cannot be cancelled." in refused.get_data(
        as_text=True)


def test_cancel_asks_for_a_reason_and_writes_nothing_without_one(desk, booked):
    assert "Why is it cancelled?" in desk.get(f"/sessions/{booked}/cancel").get_data(as_text=True)
    response = desk.post(f"/sessions/{booked}/cancel", data={"reason": "   ", "csrf_token": csrf(desk)})
    assert response.status_code == 422 and "Say why the session is cancelled." in response.get_data(as_text=True)
    assert row(booked).status == "booked"
    too_long = desk.post(f"/sessions/{booked}/cancel", data={"reason": "x" * 600, "csrf_token": csrf(desk)})
    assert too_long.status_code == 422 and row(booked).status == "booked"


def test_cancelling_with_a_reason_cancels_it_and_keeps_the_reason_in_its_history(desk, booked):
    response = desk.post(f"/sessions/{booked}/cancel", data={"reason": "Chair out of service", "csrf_token": csrf(desk)})
    assert response.status_code == 303
    cancelled = row(booked)
    assert cancelled.status == "cancelled" and cancelled.note == "Chair out of service"
    assert count(PatientRequest) == 0
    page = desk.get(f"/sessions/{booked}").get_data(as_text=True)
    assert "Chair out of service" in page and "<strong>cancelled</strong>" in page


def test_a_clinic_cancel_that_needs_a_new_time_is_worked_from_the_requests_list(desk, clinic, booked):
    desk.post(f"/sessions/{booked}/cancel", data={"reason": "Nurse off sick", "new_time": "yes",
                                                     "csrf_token": csrf(desk)})
    ask = db.session.scalar(select(PatientRequest))
    assert ask.kind == "rebook" and ask.state == "open"
    listed = desk.get("/requests").get_data(as_text=True)
    assert "needs a new time" in listed and f"/sessions/{booked}?request={ask.id}" in listed
    page = desk.get(f"/sessions/{booked}", query_string={"request": ask.id}).get_data(as_text=True)
    assert "needs a new time" in page
    first = offer_forms(page, f"/sessions/{booked}/rebook")[0]
    response = desk.post(f"/sessions/{booked}/rebook", data=first)
    assert response.status_code == 303
    new = db.session.scalar(select(Session).where(Session.id != booked))
    assert new.status == "booked" and new.patient_id == clinic.patients[0]
    assert row(booked).status == "cancelled"
    assert db.session.get(PatientRequest, ask.id).state == "done"
    assert "No open requests." in desk.get("/requests").get_data(as_text=True)


def test_finding_a_time_for_a_request_moves_the_session_and_marks_the_request_done_together(desk, clinic, booked):
    ask = open_request(booked, clinic.patients[0])
    listed = desk.get("/requests").get_data(as_text=True)
    assert "Find a time" in listed
    page = desk.get(f"/sessions/{booked}", query_string={"request": ask}).get_data(as_text=True)
    assert "asked for another time" in page and "Tuesdays suit me" in page
    first = offer_forms(page, f"/sessions/{booked}/move")[0]
    assert first["request"] == str(ask)
    assert desk.post(f"/sessions/{booked}/move", data=first).status_code == 303
    assert row(booked).version == 2 and db.session.get(PatientRequest, ask).state == "done"
    assert "No open requests." in desk.get("/requests").get_data(as_text=True)


def test_a_refused_move_leaves_the_request_open(desk, clinic, booked):
    ask = open_request(booked, clinic.patients[0])
    first = offer_forms(desk.get(f"/sessions/{booked}", query_string={"request": ask}).get_data(as_text=True),
                        f"/sessions/{booked}/move")[0]
    start = datetime.fromisoformat(first["start"])
    staff = tuple((int(s.split(":")[0]), s.split(":")[1]) for s in first["staff"])
    book_session(SessionOrder(clinic.patients[1], clinic.site, clinic.iv, start, int(first["room_id"]), staff),
                 SYSTEM, MONDAY_BEFORE)
    assert desk.post(f"/sessions/{booked}/move", data=first).status_code == 409
    assert db.session.get(PatientRequest, ask).state == "open" and row(booked).version == 1


def test_a_request_resolved_meanwhile_moves_nothing_and_says_so(desk, clinic, booked):
    ask = open_request(booked, clinic.patients[0])
    first = offer_forms(desk.get(f"/sessions/{booked}", query_string={"request": ask}).get_data(as_text=True),
                        f"/sessions/{booked}/move")[0]
    desk.post(f"/requests/{ask}", data={"outcome": "withdrawn", "csrf_token": csrf(desk)})
    response = desk.post(f"/sessions/{booked}/move", data=first)
    assert response.status_code == 409 and "already resolved" in response.get_data(as_text=True)
    assert row(booked).version == 1


@pytest.mark.parametrize("path", ["/sessions/999999", "/sessions/99999999999999999999", "/sessions/abc",
                                  "/sessions/0"])
def test_unknown_sessions_are_404_pages(desk, path):
    assert desk.get(path).status_code == 404


@pytest.mark.parametrize("query", [{"day": "tomorrow"}, {"day": "2026-02-30"}, {"day": "99999-01-01"},
                                   {"span": "month"}, {"request": "abc"}, {"request": "9" * 30}])
def test_odd_query_strings_are_422_pages_naming_the_field(desk, booked, query):
    response = desk.get(f"/sessions/{booked}", query_string=query)
    assert response.status_code == 422


@pytest.mark.parametrize("form", [{}, {"start": "noon"}, {"start": "2026-11-23T15:00:00"},
                                  {"start": "2026-11-23T15:00:00+00:00", "staff": ["x:nurse"]},
                                  {"start": "2026-11-23T15:00:00+00:00", "staff": ["1:supervising_prescriber"],
                                   "room_id": "chair"},
                                  {"start": "2026-11-23T15:00:00+00:00", "staff": ["1:supervising_prescriber"],
                                   "request": "x"}])
def test_a_move_that_cannot_be_read_is_a_422_and_moves_nothing(desk, booked, form):
    response = desk.post(f"/sessions/{booked}/move", data={**form, "csrf_token": csrf(desk)})
    assert response.status_code == 422 and row(booked).version == 1


def test_a_move_naming_unknown_staff_is_a_422_not_a_500(desk, booked):
    response = desk.post(f"/sessions/{booked}/move", data={"start": f"{DAY}T15:00:00+00:00", "csrf_token": csrf(desk),
                                                           "staff": ["999999:supervising_prescriber"]})
    assert response.status_code == 422 and row(booked).version == 1


def test_a_clinician_reads_the_page_but_may_not_move_or_cancel(signed_in, clinic_clock, booked, caplog):
    clinician = signed_in("clinician")
    page = clinician.get(f"/sessions/{booked}").get_data(as_text=True)
    assert "Mon 23 Nov 2026" in page and "Move to another time" not in page and "Cancel this session" not in page
    token = csrf(clinician)
    assert clinician.post(f"/sessions/{booked}/move", data={"csrf_token": token}).status_code == 403
    assert clinician.post(f"/sessions/{booked}/cancel", data={"reason": "no", "csrf_token": token}).status_code == 403
    assert clinician.get(f"/sessions/{booked}/cancel").status_code == 403
    assert row(booked).status == "booked"
    assert f"access refused: POST /sessions/{booked}/move" in caplog.text


def test_an_admin_may_move_and_a_stranger_is_sent_to_sign_in(signed_in, client, clinic_clock, booked):
    admin = signed_in("admin")
    assert "Move to another time" in admin.get(f"/sessions/{booked}").get_data(as_text=True)
    response = client.get(f"/sessions/{booked}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_day_view_links_each_session_to_its_page(desk, clinic, booked):
    page = desk.get("/sessions", query_string={"site_id": clinic.site, "day": DAY}).get_data(as_text=True)
    assert f'href="/sessions/{booked}"' in page


def test_a_week_of_offers_lists_times_on_several_days(desk, booked):
    week = desk.get(f"/sessions/{booked}", query_string={"day": DAY, "span": "week"})
    days = {f["start"][:10] for f in offer_forms(week.get_data(as_text=True), f"/sessions/{booked}/move")}
    assert week.status_code == 200 and len(days) == 5  # the clinic's five weekdays on shift


def test_the_board_and_the_patient_page_link_each_session_to_its_page(desk, clinic, booked):
    board = desk.get(f"/sites/{clinic.site}/board", query_string={"day": DAY}).get_data(as_text=True)
    assert f'<a href="/sessions/{booked}">13:00–14:45</a>' in board
    patient = desk.get(f"/patients/{clinic.patients[0]}").get_data(as_text=True)
    assert f'href="/sessions/{booked}"' in patient


def test_a_session_with_an_open_request_says_so_and_links_to_work_it(desk, clinic, booked):
    ask = open_request(booked, clinic.patients[0], note="After 4 pm please")
    page = desk.get(f"/sessions/{booked}").get_data(as_text=True)
    assert "asked for another time" in page and "After 4 pm please" in page
    assert f'href="/sessions/{booked}?request={ask}#move"' in page


def test_offers_shown_before_someone_else_moved_the_session_move_nothing_and_show_it_as_it_is(desk, clinic, booked):
    forms = offer_forms(desk.get(f"/sessions/{booked}", query_string={"day": DAY}).get_data(as_text=True),
                        f"/sessions/{booked}/move")
    assert forms[0]["version"] == "1"
    assert desk.post(f"/sessions/{booked}/move", data=forms[0]).status_code == 303  # the other desk, first
    again = desk.post(f"/sessions/{booked}/move", data=forms[1])  # offers made for version 1
    assert again.status_code == 409 and "The session changed since these offers were shown" in again.get_data(
        as_text=True)
    assert row(booked).version == 2 and row(booked).starts_at == datetime.fromisoformat(forms[0]["start"])


def test_booking_a_new_time_for_a_session_not_waiting_for_one_is_refused_and_books_nothing(desk, clinic, booked):
    form = offer_forms(desk.get(f"/sessions/{booked}", query_string={"day": DAY}).get_data(as_text=True),
                       f"/sessions/{booked}/move")[0]
    response = desk.post(f"/sessions/{booked}/rebook", data=form)
    assert response.status_code == 409 and "no longer waiting for a new time" in response.get_data(as_text=True)
    garbled = desk.post(f"/sessions/{booked}/rebook", data={**form, "start": "soon"})
    assert garbled.status_code == 422 and count(Session) == 1


def test_a_request_about_a_session_that_can_no_longer_move_says_so_and_offers_nothing(desk, clinic, booked):
    ask = open_request(booked, clinic.patients[0])
    change_status(booked, "cancelled", SYSTEM, MONDAY_BEFORE, "clinic closed")
    page = desk.get(f"/sessions/{booked}", query_string={"request": ask}).get_data(as_text=True)
    assert "the session is cancelled and cannot be moved now" in page and 'data-testid="offer"' not in page


def test_a_course_dose_waiting_to_be_replanned_is_booked_back_into_its_course_from_the_requests_list(
        desk, course_clinic, clinic_clock):
    from planner.services.course_booking import book_course
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course
    from tests.factories import booking_order, ready_patient

    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), clinic_clock)
    course = book_course(booking_order(proposal, patient), SYSTEM, clinic_clock)
    third = db.session.scalar(select(Session.id).where(Session.course_id == course, Session.dose_number == 3,
                                                       Session.purpose == "dose"))
    desk.post(f"/sessions/{third}/cancel", data={"reason": "Chair out of service", "new_time": "yes",
                                                 "csrf_token": csrf(desk)})
    ask = db.session.scalar(select(PatientRequest))
    assert (ask.kind, ask.state) == ("replan", "open")
    listed = desk.get("/requests").get_data(as_text=True)
    assert f"/courses/{course}/replan" in listed and f"/sessions/{third}?request={ask.id}" in listed
    page = desk.get(f"/sessions/{third}", query_string={"request": ask.id}).get_data(as_text=True)
    assert "waiting to be re-planned" in page and "puts this dose back in the course" in page
    first = offer_forms(page, f"/sessions/{third}/rebook")[0]
    response = desk.post(f"/sessions/{third}/rebook", data=first)
    assert response.status_code == 303
    db.session.rollback()
    back = db.session.scalar(select(Session).where(Session.course_id == course, Session.dose_number == 3,
                                                   Session.purpose == "dose", Session.status == "booked"))
    assert back is not None and back.id != third
    assert db.session.get(PatientRequest, ask.id).state == "done"
    assert "No open requests." in desk.get("/requests").get_data(as_text=True)
