"""A feed's events one at a time, as a server keeps them between polls: each with its own DTSTAMP, joined into the same file."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from planner.adapters.ical import FeedEvent, feed, feed_calendar, feed_event, zone_years
from tests.unit.test_ical import CLINIC, DOMAIN, STAMP, UTC, WORDS, make_facts, parse


def event(session_id: int = 42, stamp: datetime = STAMP, **facts) -> FeedEvent:
    return FeedEvent(make_facts(session_id=session_id, **facts), **WORDS, stamp=stamp)


def test_each_event_in_a_feed_carries_its_own_sessions_last_change_as_its_dtstamp():
    earlier, later = STAMP - timedelta(days=20, minutes=7), STAMP + timedelta(hours=3)
    body = feed([event(1, earlier), event(2, later, start=datetime(2026, 11, 3, 14, tzinfo=UTC),
                                          end=datetime(2026, 11, 3, 15, tzinfo=UTC))],
                name="n", organizer=CLINIC, uid_domain=DOMAIN)
    assert [item.dtstamp for item in parse(body).events] == [earlier, later]


def test_what_an_event_shows_is_its_vevent_without_the_dtstamp_and_only_the_dtstamp_differs_between_stamps():
    first, shown = feed_event(event(stamp=STAMP), organizer=CLINIC, uid_domain=DOMAIN)
    second, shown_again = feed_event(event(stamp=STAMP + timedelta(days=1)), organizer=CLINIC, uid_domain=DOMAIN)
    assert shown == shown_again and first != second
    assert first.replace(b"DTSTAMP:20261001T120000Z\r\n", b"").removesuffix(b"END:VEVENT\r\n") == shown
    moved, moved_shows = feed_event(replace(event(), facts=replace(event().facts, sequence=1)), organizer=CLINIC,
                                    uid_domain=DOMAIN)
    assert moved_shows != shown  # a new SEQUENCE is something the event shows


def test_a_calendar_of_events_written_one_at_a_time_is_the_feed_of_the_same_events():
    events = [event(1), event(2, timezone="Europe/London"), event(3, start=datetime(2027, 1, 4, 14, tzinfo=UTC),
                                                                   end=datetime(2027, 1, 4, 15, tzinfo=UTC))]
    whole = feed(events, name="Dr A. Rivera", organizer=CLINIC, uid_domain=DOMAIN)
    kept = [feed_event(item, organizer=CLINIC, uid_domain=DOMAIN)[0] for item in events]
    assert feed_calendar(kept, name="Dr A. Rivera", zones=zone_years(item.facts for item in events)) == whole
    assert zone_years(item.facts for item in events) == {"America/New_York": 2026, "Europe/London": 2026}


def test_a_feed_event_is_refused_for_a_cancelled_session_or_a_stamp_without_a_zone():
    with pytest.raises(ValueError, match="cancelled"):
        feed_event(event(cancelled=True), organizer=CLINIC, uid_domain=DOMAIN)
    with pytest.raises(ValueError, match="stamp"):
        feed_event(event(stamp=datetime(2026, 10, 1, 12)), organizer=CLINIC, uid_domain=DOMAIN)
