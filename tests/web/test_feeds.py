"""Calendar feeds over HTTP: the clinician's page that makes the address, and the feed calendar apps poll."""

from __future__ import annotations

from planner.services.clinic_settings import update_message_settings

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from planner.db.models import ClinicSettings, FeedToken, Room
from planner.domain.discretion import clinical_words_in
from planner.domain.messages import PATIENT
from planner.extensions import db
from planner.services.booking import cancel_session, reschedule_session
from planner.services.couriers import postmark_from
from planner.services.feeds import FeedOwner, expire_idle_patient_feeds, issue_feed_token, revoke_feed_tokens
from planner.services.outbox_view import message_view
from tests.web.clinic_messages import DESK, at, book_iv, book_therapy, calendar, make_reachable, outbox_rows, text_of
from tests.web.conftest import csrf_from, sign_in

PUBLIC_URL = "https://planner.clinic.example"
FEED_URL = re.compile(r'value="(https://planner\.clinic\.example/feeds/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture
def week(app, clinic, clinic_clock, monkeypatch):
    """The small clinic reachable by mail, a public https address, and the clock on the Friday before MONDAY."""
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC_URL)
    make_reachable(clinic)
    return clinic


@pytest.fixture
def prescriber_client(app, client, user_factory, week):
    """A clinician signed in whose account is linked to the clinic's MD (after `client`: fresh `g` per request)."""
    _, email, password = user_factory("clinician", staff_id=week.prescriber)
    client = app.test_client()
    assert sign_in(client, email, password).status_code == 302
    return client


def make_address(client, action: str = "new"):
    """Press a button on My calendar, as the page's form does."""
    page = client.get("/me/calendar")
    return client.post("/me/calendar", data={"action": action, "csrf_token": csrf_from(page.data)})


def new_token(client) -> str:
    """Make a calendar address from the page and return the token in it."""
    response = make_address(client)
    assert response.status_code == 200
    found = FEED_URL.search(response.data.decode())
    assert found, text_of(response)
    return found.group(2)


def feed_of(client, token: str, **headers):
    return client.get(f"/feeds/{token}.ics", headers=headers)


def uids_and_sequences(body: bytes) -> dict[str, int]:
    return {event.uid: event.sequence for event in calendar(body).events}


def uid(session_id: int) -> str:
    return f"session-{session_id}@planner.invalid"  # CALENDAR_UID_DOMAIN of the test config


def live_tokens() -> list[FeedToken]:
    db.session.rollback()
    rows = db.session.scalars(select(FeedToken).where(FeedToken.revoked_at.is_(None))).all()
    db.session.rollback()
    return list(rows)


# --- My calendar ------------------------------------------------------------------------------


def test_a_clinician_makes_an_address_shown_once_in_https_and_webcal_forms_and_stored_only_hashed(prescriber_client):
    first = text_of(prescriber_client.get("/me/calendar"))
    assert "You have no calendar address yet." in first

    response = make_address(prescriber_client)
    assert response.status_code == 200
    page = response.data.decode()
    https, token = FEED_URL.search(page).groups()
    assert len(token) >= 40
    assert f'href="webcal://planner.clinic.example/feeds/{token}.ics"' in page
    assert "shown only this once" in text_of(response)

    (row,) = live_tokens()
    assert row.token_hash != token and token not in row.token_hash
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()

    again = prescriber_client.get("/me/calendar")
    assert token not in again.data.decode()  # shown once: the page cannot show it again, it is not kept
    assert "You have a calendar address, made" in text_of(again)


def test_the_calendar_page_takes_no_post_without_its_csrf_token(prescriber_client):
    response = prescriber_client.post("/me/calendar", data={"action": "new"})
    assert response.status_code == 400
    assert live_tokens() == []


def test_signing_in_is_needed_for_my_calendar(client, week):
    response = client.get("/me/calendar")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_account_not_linked_to_a_staff_member_is_told_why_it_has_no_calendar(signed_in, week):
    reception = signed_in("reception")
    page = reception.get("/me/calendar")
    assert page.status_code == 200
    assert "not linked to a staff member" in text_of(page)
    answer = reception.post("/me/calendar", data={"action": "new", "csrf_token": csrf_from(page.data)})
    assert answer.status_code == 200 and "/feeds/" not in answer.data.decode()
    assert live_tokens() == []


# --- the feed ---------------------------------------------------------------------------------


def test_the_feed_holds_exactly_the_clinicians_booked_sessions_and_no_patient_name(app, client, prescriber_client,
                                                                                   week, clinic_clock):
    mine = [book_iv(week, clinic_clock), book_iv(week, clinic_clock, patient=1, chair=1, nurse=1, start=at(11))]
    cancelled = book_iv(week, clinic_clock, patient=2, start=at(14, 1))
    cancel_session(cancelled, DESK, clinic_clock)
    book_therapy(week, clinic_clock, patient=3)  # the therapist's, not the MD's
    token = new_token(prescriber_client)

    response = feed_of(client, token)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert uids_and_sequences(response.data) == {uid(mine[0]): 0, uid(mine[1]): 0}
    events = {event.uid: event for event in calendar(response.data).events}
    assert events[uid(mine[0])].dtstart == at(9) and events[uid(mine[1])].dtstart == at(11)
    assert b"Patient MRN-" not in response.data  # a clinician's calendar names no patient


def test_the_feed_and_the_emailed_invite_agree_on_uid_and_sequence_before_and_after_a_move(app, client,
                                                                                           prescriber_client, week,
                                                                                           clinic_clock):
    session_id = book_iv(week, clinic_clock)
    reschedule_session(session_id, at(10), DESK, clinic_clock)
    token = new_token(prescriber_client)
    feed = calendar(feed_of(client, token).data).events
    postmark = postmark_from(app.config)
    invites = [(m.id, m.sequence) for m in outbox_rows(session_id=session_id, recipient_kind="staff",
                                                       recipient_id=week.prescriber, kind="invite")]
    assert [sequence for _, sequence in invites] == [0, 1]
    for message_id, sequence in invites:
        ics = message_view(message_id, postmark, clinic_clock).rendered.ics  # what the sender mails
        (invited,) = calendar(ics).events
        assert (invited.uid, invited.sequence) == (uid(session_id), sequence)
    (listed,) = feed
    assert (listed.uid, listed.sequence, listed.dtstart) == (uid(session_id), 1, at(10))


def test_the_feed_answers_304_to_its_own_etag_and_200_with_a_new_etag_once_a_session_moves(client, prescriber_client,
                                                                                          week, clinic_clock):
    session_id = book_iv(week, clinic_clock)
    token = new_token(prescriber_client)
    first = feed_of(client, token)
    etag = first.headers["ETag"]
    # Weak: workers that build the same feed agree on everything but DTSTAMP.
    assert etag.startswith('W/"') and first.headers["Cache-Control"] == "private, no-cache"

    unchanged = feed_of(client, token, **{"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b"" and unchanged.headers["ETag"] == etag
    assert feed_of(client, token, **{"If-None-Match": etag[2:]}).status_code == 304  # a strong echo is fine too
    assert feed_of(client, token, **{"If-None-Match": '"something-else"'}).status_code == 200

    reschedule_session(session_id, at(11), DESK, clinic_clock + timedelta(minutes=5))
    moved = feed_of(client, token, **{"If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["ETag"] != etag
    assert uids_and_sequences(moved.data) == {uid(session_id): 1}
    # The clinic's own name is in the feed: renaming it is a change too, though no session moved.
    update_message_settings({"clinic_name": "Harbour Wellness", "quiet_from": "21:00", "quiet_until": "08:00"},
                            DESK, clinic_clock)
    renamed = feed_of(client, token, **{"If-None-Match": moved.headers["ETag"]})
    assert renamed.status_code == 200 and b"Harbour Wellness" in renamed.data


def test_a_renewed_address_kills_the_old_one_and_stopping_kills_the_new_one(client, prescriber_client, week,
                                                                            clinic_clock):
    book_iv(week, clinic_clock)
    old = new_token(prescriber_client)
    new = new_token(prescriber_client)
    assert old != new
    assert feed_of(client, old).status_code == 404
    assert feed_of(client, new).status_code == 200
    assert len(live_tokens()) == 1

    stopped = make_address(prescriber_client, "revoke")
    assert stopped.status_code == 200 and "You have no calendar address yet." in text_of(stopped)
    assert feed_of(client, new).status_code == 404
    assert live_tokens() == []


@pytest.mark.parametrize("token", [
    pytest.param("abc", id="too-short"),
    pytest.param("a" * 101, id="too-long"),
    pytest.param("a" * 5000, id="far-too-long"),
    pytest.param("Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg", id="well-formed-but-unknown"),
    pytest.param("%00" * 30, id="nul-bytes"),
    pytest.param("a" * 30 + "%00" + "b" * 12, id="a-nul-inside"),
    pytest.param("%FF%FE" * 10 + "abcdef", id="not-utf-8"),
    pytest.param("'%22%3Cscript%3E;--" + "x" * 30, id="quotes-and-markup"),
    pytest.param("..%2F..%2F..%2Fetc%2Fpasswd" + "x" * 20, id="a-path"),
    pytest.param("%E2%80%AE" + "a" * 40, id="a-bidi-control"),
])
def test_an_unknown_or_malformed_token_is_404_never_500(client, week, token):
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.data


def test_a_token_is_case_sensitive(client, prescriber_client, week):
    token = new_token(prescriber_client)
    swapped = token.swapcase()
    assert swapped != token and feed_of(client, swapped).status_code == 404


def test_a_patients_feed_shows_only_their_sessions_with_discreet_words(client, week, clinic_clock):
    theirs = [book_iv(week, clinic_clock), book_therapy(week, clinic_clock, start=at(14, 2))]
    book_iv(week, clinic_clock, patient=1, chair=1, start=at(11))
    token = issue_feed_token(FeedOwner(PATIENT, week.patients[0]), DESK, clinic_clock)
    response = feed_of(client, token)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    parsed = calendar(response.data)
    assert {event.uid for event in parsed.events} == {uid(s) for s in theirs}
    for event in parsed.events:
        for words in (event.summary, event.description or "", event.location or ""):
            assert not clinical_words_in(words), words
    assert not clinical_words_in(response.data.decode())
    assert b"Chair" not in response.data  # rooms are named for what happens in them: patients are not told

    revoke_feed_tokens(FeedOwner(PATIENT, week.patients[0]), DESK, clinic_clock)
    assert feed_of(client, token).status_code == 404


def test_idle_patients_feeds_expire_and_a_patient_with_a_session_ahead_keeps_theirs(client, week, clinic_clock):
    book_iv(week, clinic_clock)
    withdrawn = book_iv(week, clinic_clock, patient=2, chair=1, start=at(11))
    cancel_session(withdrawn, DESK, clinic_clock)
    tokens = {patient: issue_feed_token(FeedOwner(PATIENT, week.patients[patient]), DESK, clinic_clock)
              for patient in (0, 1, 2)}
    assert expire_idle_patient_feeds(clinic_clock) == 2  # nothing booked for patient 1, only a cancelled one for 2
    assert feed_of(client, tokens[0]).status_code == 200
    assert feed_of(client, tokens[1]).status_code == 404
    assert feed_of(client, tokens[2]).status_code == 404


def test_a_clinicians_feed_keeps_titles_and_places_discreet_and_names_the_type_only_when_the_clinic_widened_it(
        client, prescriber_client, week, clinic_clock):
    db.session.execute(update(Room).where(Room.id == week.chairs[0]).values(name="Ketamine Suite"))
    db.session.commit()
    session_id = book_iv(week, clinic_clock)
    token = new_token(prescriber_client)

    def the_event():
        (event,) = calendar(feed_of(client, token).data).events
        assert event.uid == uid(session_id)
        return event

    plain = the_event()
    for words in (plain.summary, plain.description, plain.location):
        assert not clinical_words_in(words), words
    db.session.merge(ClinicSettings(id=1, clinic_name="Midtown Clinic", staff_invites_detailed=True))
    db.session.commit()
    widened = the_event()
    assert not clinical_words_in(widened.summary) and not clinical_words_in(widened.location)
    assert "IV ketamine infusion" in widened.description
