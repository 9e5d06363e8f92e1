"""A feed rebuilt after a change from what the process kept is the feed as things now stand: nothing stale, nothing leaked.

Each test polls first, so that the process keeps the feed, its events and its owner's sessions,
then changes something and polls again, as a calendar app does.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

import planner.clock
from planner.db.models import ClinicSettings, Room
from planner.domain.discretion import clinical_words_in
from planner.domain.messages import PATIENT, STAFF
from planner.extensions import db
from planner.services.booking import cancel_session, reschedule_session
from planner.services.feeds import FeedOwner, forget_kept_feeds, issue_feed_token
from tests.web.clinic_messages import DESK, at, book_iv, book_therapy, calendar


def feed_of(client, token: str, **headers):
    return client.get(f"/feeds/{token}.ics", headers=headers)


def token_for(kind: str, owner_id: int, now) -> str:
    return issue_feed_token(FeedOwner(kind, owner_id), DESK, now)


def events_of(response) -> dict:
    return {event.uid: event for event in calendar(response.data).events}


def uid(session_id: int) -> str:
    return f"session-{session_id}@planner.invalid"  # CALENDAR_UID_DOMAIN of the test config


def fresh(client, token: str):
    """The feed as a process that kept nothing serves it."""
    forget_kept_feeds()
    return feed_of(client, token)


def test_a_feed_rebuilt_after_a_move_is_byte_for_byte_the_feed_built_from_nothing(client, clinic, clinic_clock):
    sessions = [book_iv(clinic, clinic_clock, patient=day, start=at(9, day)) for day in range(3)]
    token = token_for(STAFF, clinic.prescriber, clinic_clock)
    assert feed_of(client, token).status_code == 200  # the process now keeps it

    reschedule_session(sessions[1], at(11, 1), DESK, clinic_clock)
    rebuilt = feed_of(client, token)
    events = events_of(rebuilt)
    assert events[uid(sessions[1])].dtstart == at(11, 1) and events[uid(sessions[1])].sequence == 1
    assert [events[uid(s)].sequence for s in (sessions[0], sessions[2])] == [0, 0]
    from_nothing = fresh(client, token)
    assert rebuilt.data == from_nothing.data and rebuilt.headers["ETag"] == from_nothing.headers["ETag"]


def test_a_room_renamed_shows_in_the_next_feed_though_no_session_changed(client, clinic, clinic_clock):
    book_iv(clinic, clinic_clock)
    token = token_for(STAFF, clinic.prescriber, clinic_clock)
    before = feed_of(client, token)
    (event,) = events_of(before).values()
    assert "Chair 1" in event.location

    db.session.execute(update(Room).where(Room.id == clinic.chairs[0]).values(name="Bay 7"))
    db.session.commit()
    after = feed_of(client, token, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    (event,) = events_of(after).values()
    assert "Bay 7" in event.location and "Bay 7" in event.summary and b"Chair 1" not in after.data


def test_a_cancelled_session_leaves_the_next_feed(client, clinic, clinic_clock):
    kept = book_iv(clinic, clinic_clock)
    gone = book_iv(clinic, clinic_clock, patient=1, chair=1, nurse=1, start=at(11))
    token = token_for(STAFF, clinic.prescriber, clinic_clock)
    before = feed_of(client, token)
    assert set(events_of(before)) == {uid(kept), uid(gone)}

    cancel_session(gone, DESK, clinic_clock)
    after = feed_of(client, token, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and set(events_of(after)) == {uid(kept)}
    assert uid(gone).encode() not in after.data


def test_a_change_to_another_clinicians_session_on_the_same_day_leaves_this_feed_as_it_was(client, clinic,
                                                                                        clinic_clock):
    book_iv(clinic, clinic_clock)
    theirs = book_therapy(clinic, clinic_clock, patient=3)  # the therapist's, the same day
    mine, others = token_for(STAFF, clinic.prescriber, clinic_clock), token_for(STAFF, clinic.therapist, clinic_clock)
    before, their_before = feed_of(client, mine), feed_of(client, others)

    reschedule_session(theirs, at(16), DESK, clinic_clock)
    their_after = feed_of(client, others, **{"If-None-Match": their_before.headers["ETag"]})
    assert their_after.status_code == 200  # the change was real, and on this feed's day
    assert feed_of(client, mine, **{"If-None-Match": before.headers["ETag"]}).status_code == 304
    after = feed_of(client, mine)
    assert after.data == before.data and after.headers["ETag"] == before.headers["ETag"]


@pytest.mark.parametrize("first", [STAFF, PATIENT])
def test_a_patients_feed_never_shows_the_staff_wording_of_the_same_session_whichever_was_built_first(
        client, clinic, clinic_clock, first):
    db.session.merge(ClinicSettings(id=1, clinic_name="Midtown Clinic", staff_invites_detailed=True))
    db.session.commit()
    session_id = book_iv(clinic, clinic_clock)
    tokens = {STAFF: token_for(STAFF, clinic.prescriber, clinic_clock),
              PATIENT: token_for(PATIENT, clinic.patients[0], clinic_clock)}
    second = PATIENT if first == STAFF else STAFF
    bodies = {kind: feed_of(client, tokens[kind]) for kind in (first, second)}

    (staff_event,) = events_of(bodies[STAFF]).values()
    (patient_event,) = events_of(bodies[PATIENT]).values()
    assert staff_event.uid == patient_event.uid == uid(session_id)
    assert "IV ketamine infusion" in staff_event.description and "Chair 1" in staff_event.description
    assert b"IV ketamine infusion" not in bodies[PATIENT].data and b"Chair" not in bodies[PATIENT].data
    assert not clinical_words_in(bodies[PATIENT].data.decode())


def test_a_session_leaves_the_feed_once_the_window_has_moved_past_it(client, clinic, clinic_clock, monkeypatch):
    early = book_iv(clinic, clinic_clock)
    later = book_iv(clinic, clinic_clock, patient=1, start=at(9, 4))
    token = token_for(STAFF, clinic.prescriber, clinic_clock)
    assert set(events_of(feed_of(client, token))) == {uid(early), uid(later)}

    # The window reaches 31 whole UTC days back: 35 days on, Monday's session is out and Friday's still in.
    monkeypatch.setattr(planner.clock, "now", lambda: clinic_clock + timedelta(days=35))
    moved = feed_of(client, token)
    assert set(events_of(moved)) == {uid(later)}
    assert moved.data == fresh(client, token).data
