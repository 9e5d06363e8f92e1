"""The patient's page over HTTP (GET shows, POST acts, kind refusals, private headers) and reception's requests."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select, update

from planner.db.models import AuditEvent, LinkUse, PatientRequest, Session, Site
from planner.domain.calendar import to_utc
from planner.domain.links import sign_link
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session, reschedule_session
from planner.services.patient_page import link_expiry
from tests.factories import MONDAY
from tests.web.conftest import csrf_from

PHONE = "+1 212 555 0100"
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.data.decode()))


def at(hour: int, day_offset: int = 0):
    return to_utc(MONDAY + timedelta(days=day_offset), time(hour), "America/New_York")


@pytest.fixture
def booked(clinic, clinic_clock):
    """An IV session on Monday 23 November at 09:00 in New York, at a site with a phone; the clock is the Friday before."""
    db.session.execute(update(Site).values(phone=PHONE))
    db.session.commit()
    staff = ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[0], "monitoring_clinician"))
    return book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, at(9), clinic.chairs[0], staff),
                        SYSTEM, clinic_clock)


def token_for(app, session_id: int, expires=None) -> str:
    db.session.rollback()
    row = db.session.get(Session, session_id)
    return sign_link(row.id, row.version, expires or link_expiry(row.starts_at), app.config["SECRET_KEY"])


def state(session_id: int) -> tuple:
    """Everything a patient's answer could change, read afresh."""
    db.session.rollback()
    row = db.session.get(Session, session_id)
    counts = [db.session.scalar(select(func.count()).select_from(model)) for model in (LinkUse, PatientRequest,
                                                                                     AuditEvent)]
    return (row.status, row.version, row.confirmed_at, *counts)


def assert_private(response) -> None:
    for name, value in PRIVATE.items():
        assert response.headers.get(name) == value, (name, response.status_code)


# --- the page: shows, never acts ---------------------------------------------------------------


def test_the_page_shows_the_session_its_preparation_and_the_site_phone_and_a_get_changes_nothing(app, client,
                                                                                                   booked):
    token = token_for(app, booked)
    before = state(booked)
    response = client.get(f"/p/{token}")
    assert response.status_code == 200
    page = text_of(response)
    assert "Monday 23 November 2026" in page and "09:00 to 10:45" in page and "New York time (EST)" in page
    assert "Midtown" in page and "solid food for 6 hours" in page and "responsible adult" in page
    assert 'href="tel:+12125550100"' in response.data.decode()
    for action in ("confirm", "cancel", "another-time"):
        assert f'action="/p/{token}/{action}"' in response.data.decode()
    assert "ketamine" not in page.lower() and "infusion" not in page.lower()  # discreet, like every message
    assert client.head(f"/p/{token}").status_code == 200
    assert state(booked) == before
    assert not response.headers.getlist("Set-Cookie")  # nothing to remember a patient by
    assert_private(response)


def test_every_answer_under_the_patient_path_is_private_errors_included(app, client, booked):
    token = token_for(app, booked)
    answers = [client.get(f"/p/{token}"), client.get("/p/not-a-token"), client.post("/p/not-a-token/confirm"),
               client.get(f"/p/{token}/confirm"), client.post(f"/p/{token}/nothing")]
    assert [a.status_code for a in answers] == [200, 404, 404, 405, 404]
    for answer in answers:
        assert_private(answer)


@pytest.mark.parametrize("token", ["not-a-token", "a.b.c.d", "x" * 3000, "1.1.1.%E2%80%AE", "%00"])
def test_a_broken_link_shows_a_kind_page_with_no_data_on_get_and_post(app, client, booked, token):
    before = state(booked)
    for response in (client.get(f"/p/{token}"), client.post(f"/p/{token}/cancel", data={"reason": "x"})):
        assert response.status_code == 404
        page = text_of(response)
        assert "This link does not work" in page and "call the clinic" in page
        assert "Midtown" not in page and PHONE not in page and "November" not in page
    assert state(booked) == before


def test_a_post_with_an_expired_link_says_so_offers_the_site_phone_and_changes_nothing(app, client, booked,
                                                                                       clinic_clock):
    token = token_for(app, booked, expires=clinic_clock - timedelta(minutes=1))
    before = state(booked)
    response = client.post(f"/p/{token}/confirm")
    assert response.status_code == 410
    page = text_of(response)
    assert "This link has expired" in page and "tel:+12125550100" in response.data.decode()
    assert "November" not in page and "09:00" not in page  # nothing of the session itself
    assert state(booked) == before
    assert_private(response)


# --- acting ------------------------------------------------------------------------------------


def test_confirm_redirects_to_the_thanks_and_posting_the_same_link_again_is_refused_kindly(app, client, booked):
    token = token_for(app, booked)
    response = client.post(f"/p/{token}/confirm")
    assert response.status_code == 303 and response.headers["Location"] == f"/p/{token}"
    thanks = client.get(f"/p/{token}")
    assert thanks.status_code == 200 and "Thank you: see you then" in text_of(thanks)
    again = client.post(f"/p/{token}/confirm")
    assert again.status_code == 409
    assert "This link has already been used." in text_of(again) and "Thank you" in text_of(again)
    db.session.rollback()
    assert db.session.get(Session, booked).confirmed_at is not None


def test_cancel_from_the_page_cancels_the_session_and_shows_it_cancelled(app, client, booked):
    token = token_for(app, booked)
    response = client.post(f"/p/{token}/cancel", data={"reason": "Unwell"})
    assert response.status_code == 303
    page = text_of(client.get(f"/p/{token}"))
    assert "Your appointment is cancelled" in page and "tel:+12125550100" in client.get(f"/p/{token}").data.decode()
    db.session.rollback()
    row = db.session.get(Session, booked)
    assert row.status == "cancelled" and "Unwell" in row.note


def test_asking_for_another_time_lands_on_reception_s_list(app, client, clinic, booked, signed_in):
    token = token_for(app, booked)
    assert client.post(f"/p/{token}/another-time", data={"note": "Thursday afternoon"}).status_code == 303
    assert "we have your request" in text_of(client.get(f"/p/{token}"))
    listing = signed_in("reception").get("/requests")
    assert listing.status_code == 200
    page = text_of(listing)
    assert "Patient MRN-1" in page and "Thursday afternoon" in page and "another time" in page
    assert "Mon 23 Nov 09:00 EST" in page and f"/sessions?site_id={clinic.site}&amp;day=2026-11-23" in listing.data.decode()


def test_a_note_too_long_is_refused_with_422_and_nothing_is_written(app, client, booked):
    token = token_for(app, booked)
    before = state(booked)
    response = client.post(f"/p/{token}/another-time", data={"note": "x" * 501})
    assert response.status_code == 422
    assert "Please keep the note under 500 characters." in text_of(response)
    assert "<details class=\"choice\" open>" in response.data.decode()  # the form stays open to fix it
    assert state(booked) == before


def test_a_link_to_a_session_reception_moved_is_outdated_and_its_post_changes_nothing(app, client, booked,
                                                                                      clinic_clock):
    token = token_for(app, booked)
    reschedule_session(booked, at(11), SYSTEM, clinic_clock)
    before = state(booked)
    assert client.get(f"/p/{token}").status_code == 410
    response = client.post(f"/p/{token}/cancel")
    assert response.status_code == 409 and "Your appointment has changed" in text_of(response)
    assert state(booked) == before


# --- reception's list --------------------------------------------------------------------------


def test_the_requests_page_is_for_reception_and_admin_only(client, signed_in):
    assert client.get("/requests").status_code == 302  # to sign in
    assert signed_in("clinician").get("/requests").status_code == 403
    assert signed_in("admin").get("/requests").status_code == 200
    reception = signed_in("reception")
    home = reception.get("/").data.decode()
    assert 'href="/requests"' in home
    assert 'href="/requests"' not in signed_in("clinician").get("/").data.decode()


def test_reception_marks_a_request_done_once(app, client, booked, signed_in):
    token = token_for(app, booked)
    client.post(f"/p/{token}/another-time", data={"note": "mornings"})
    request_id = db.session.scalar(select(PatientRequest.id))
    reception = signed_in("reception")
    listing = reception.get("/requests")
    csrf = csrf_from(listing.data)
    assert reception.post(f"/requests/{request_id}", data={"outcome": "done"}).status_code == 400  # no CSRF token
    done = reception.post(f"/requests/{request_id}", data={"outcome": "done", "csrf_token": csrf})
    assert done.status_code == 303
    after = reception.get("/requests")
    assert f"Request {request_id} marked done." in text_of(after) and "No open requests." in text_of(after)
    again = reception.post(f"/requests/{request_id}", data={"outcome": "withdrawn", "csrf_token": csrf})
    assert again.status_code == 409 and "already resolved" in text_of(again)
    bad = reception.post(f"/requests/{request_id}", data={"outcome": "shredded", "csrf_token": csrf})
    assert bad.status_code == 422
    assert reception.post("/requests/99999", data={"outcome": "done", "csrf_token": csrf}).status_code == 404
    assert reception.post(f"/requests/{'9' * 40}", data={"outcome": "done", "csrf_token": csrf}).status_code == 404
    db.session.rollback()
    assert db.session.get(PatientRequest, request_id).state == "done"
