"""iCalendar files for sessions: emailed invites (iTIP REQUEST and CANCEL) and subscription feeds.

The adapter writes only the words its caller gives it (title, description, location) and the
facts' times: what a message may say is the wording's decision (see `SessionFacts`), so nothing
here can leak a drug, route or diagnosis, or a room named for one, that the caller did not show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration

from planner.adapters import lines
from planner.adapters.vtimezone import vtimezone
from planner.domain.messages import SessionFacts

PRODID = "-//planner//Clinic sessions//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
METHODS = (REQUEST, CANCEL)

# The day before, at the session's own time of day: the preparation (a driver home, fasting from
# the night before) has to start then, an alarm an hour ahead is too late to act on, and a
# nominal day (-P1D, not -PT24H) keeps the alarm at a sensible hour across a DST change. The
# outbox reminders (72 h, 24 h, 2 h) are the main channel; this one also works offline and for a
# patient who turned mail and SMS reminders off.
DEFAULT_ALARM = timedelta(days=1)

# Apple and Outlook honour a refresh hint (REFRESH-INTERVAL is RFC 7986, X-PUBLISHED-TTL the older
# name they read); Google polls on its own schedule whatever the file says.
FEED_REFRESH = timedelta(minutes=15)


@dataclass(frozen=True)
class FeedEvent:
    """One session in a subscription feed, with the words the caller chose for it and its DTSTAMP."""

    facts: SessionFacts
    title: str
    description: str
    location: str
    stamp: datetime  # aware: when the session last changed (see feed_event)


def uid(session_id: int, domain: str) -> str:
    """The one UID a session has forever, in every invite, cancellation and feed."""
    return f"session-{session_id}@{domain}"


def invite(
    facts: SessionFacts,
    *,
    method: str,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
    title: str,
    description: str,
    location: str,
    stamp: datetime,
    uid_domain: str,
    alarm_before: timedelta | None = DEFAULT_ALARM,
) -> bytes:
    """An iTIP message (METHOD REQUEST or CANCEL) about one session for one attendee, as .ics bytes.

    `organizer` and `attendee` are (name, email). A CANCEL carries the facts' SEQUENCE, which the
    caller makes higher than the last REQUEST's (RFC 5546: a lower one is ignored as stale).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    event = _event(facts, title=title, description=description, location=location, stamp=stamp,
                   uid_domain=uid_domain)
    # RFC 5546: a REQUEST asks each attendee for a reply (RSVP); a CANCEL asks none, and cancels
    # the whole event for its attendee only with STATUS:CANCELLED.
    event.add("STATUS", "CONFIRMED" if method == REQUEST else "CANCELLED")
    event.add("ORGANIZER", _address(organizer))
    event.add("ATTENDEE", _address(attendee, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION",
                                   rsvp=True if method == REQUEST else None))
    if alarm_before is not None and method == REQUEST:
        event.add_component(_alarm(title, alarm_before))
    calendar = _calendar(method=method)
    _add_zones(calendar, zone_years([facts]))
    calendar.add_component(event)
    return calendar.to_ical()


def feed(events: Iterable[FeedEvent], *, name: str, organizer: tuple[str, str], uid_domain: str) -> bytes:
    """A subscription calendar (webcal) of sessions, agreeing with the invites on UID and SEQUENCE.

    The same events give the same bytes (each DTSTAMP is its event's own `stamp`, not the time of
    the request), so an ETag of what the file shows stays valid between polls.
    """
    # Cancelled sessions are left out rather than sent with STATUS:CANCELLED: a subscribed
    # calendar mirrors the file on every poll, so an event that is gone from it disappears in
    # Google, Apple and Outlook alike, whereas apps differ on a kept STATUS:CANCELLED event (some
    # strike it through, some show it as if it were on).
    kept = [event for event in events if not event.facts.cancelled]
    return feed_calendar([feed_event(item, organizer=organizer, uid_domain=uid_domain)[0] for item in kept],
                         name=name, zones=zone_years(item.facts for item in kept))


def feed_event(item: FeedEvent, *, organizer: tuple[str, str], uid_domain: str) -> tuple[bytes, bytes]:
    """One VEVENT of a feed, whole, and the same without its DTSTAMP (what it shows, for an ETag).

    A caller may keep the VEVENT and reuse it while nothing it is made of changes. Its DTSTAMP is
    the event's own `stamp`, the session's last change. RFC 5545 (3.8.7.2) makes DTSTAMP the last
    revision of the component only in an object without METHOD; in one with METHOD, as a feed
    (PUBLISH) is, it is when the object was made. That would change every event on every poll and
    make no two workers' files alike; the session's last change rises only when the session
    changes, which is what iTIP orders two copies of an event with the same SEQUENCE by (RFC 5546,
    2.1.5), and it is the same in every worker.
    """
    facts = item.facts
    if facts.cancelled:
        raise ValueError("a feed leaves cancelled sessions out")
    zone = ZoneInfo(facts.timezone)
    # icalendar spends about 0.3 ms on each VEVENT, 0.5 s for a clinician's year, ten times the
    # feed's budget. So icalendar writes the calendar, its zones and the lines every event shares
    # (ORGANIZER, STATUS, ...) once, and each event adds only its own few lines, escaped and folded
    # by `lines` as RFC 5545 says; the tests parse both kinds of file back with another library and
    # find the same events.
    shown = b"".join((
        b"BEGIN:VEVENT\r\n",
        lines.text("UID", uid(facts.session_id, uid_domain)),
        b"SEQUENCE:%d\r\n" % facts.sequence,
        lines.local_time("DTSTART", facts.start.astimezone(zone), facts.timezone),
        lines.local_time("DTEND", facts.end.astimezone(zone), facts.timezone),
        _words("SUMMARY", item.title),
        _words("DESCRIPTION", item.description),
        _words("LOCATION", item.location),
        _feed_shared_lines(organizer),
    ))
    return shown + lines.utc_time("DTSTAMP", _utc(item.stamp)) + b"END:VEVENT\r\n", shown


# A feed's titles, descriptions and places repeat from event to event (one per site and room).
_words = lru_cache(maxsize=1024)(lines.text)


def feed_calendar(vevents: Iterable[bytes], *, name: str, zones: Mapping[str, int]) -> bytes:
    """A subscription calendar around VEVENTs written by feed_event.

    `zones` maps each TZID the events use to the first (UTC) year one of them starts in, as
    zone_years gives it: RFC 5545 wants a VTIMEZONE for each TZID.
    """
    head, tail = _feed_frame(name, tuple(sorted(zones.items())))
    return head + b"".join(vevents) + tail


def zone_years(facts: Iterable[SessionFacts]) -> dict[str, int]:
    """Each zone the sessions use, with the first year one of them starts in."""
    first_years: dict[str, int] = {}
    for item in facts:
        # The UTC year, not the local one: they differ only around New Year, and the VTIMEZONE's
        # observances begin a year before the year it is asked for.
        year = item.start.year
        first_years[item.timezone] = min(year, first_years.get(item.timezone, year))
    return first_years


@lru_cache(maxsize=256)
def _feed_frame(name: str, zones: tuple[tuple[str, int], ...]) -> tuple[bytes, bytes]:
    """A feed's calendar lines and VTIMEZONEs before its events, and its end after them (kept: they rarely change)."""
    calendar = _calendar(method="PUBLISH")
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("REFRESH-INTERVAL", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(FEED_REFRESH))  # an X- property is text unless typed
    _add_zones(calendar, dict(zones))
    head, tail = calendar.to_ical().rsplit(b"END:VCALENDAR", 1)
    return head, b"END:VCALENDAR" + tail


@lru_cache(maxsize=64)
def _feed_shared_lines(organizer: tuple[str, str]) -> bytes:
    """The content lines every VEVENT of a feed carries after its own, written once by icalendar."""
    prototype = Event()
    # RFC 5546 wants an ORGANIZER in a PUBLISH; no ATTENDEE, since a feed invites nobody and would
    # otherwise list patients in a clinician's calendar. No VALARM either: each app applies its own
    # alert settings to a subscribed calendar, and 1,500 alarms are noise.
    prototype.add("ORGANIZER", _address(organizer))
    prototype.add("STATUS", "CONFIRMED")
    _add_shared(prototype)
    return prototype.to_ical().removeprefix(b"BEGIN:VEVENT\r\n").removesuffix(b"END:VEVENT\r\n")


def _calendar(*, method: str) -> Calendar:
    """An empty VCALENDAR with the properties every file carries."""
    # Built by hand rather than with Calendar.new(), which adds a random UID to the calendar and so
    # would make the same feed different bytes on every request.
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    # A feed says METHOD:PUBLISH, as Google's and Exchange's own published calendars do (RFC 5546:
    # a calendar posted for anyone to read, asking no replies); an invite says REQUEST or CANCEL.
    calendar.add("METHOD", method)
    return calendar


def _add_zones(calendar: Calendar, first_years: Mapping[str, int]) -> None:
    """One VTIMEZONE per zone the events use (RFC 5545 requires one for each TZID)."""
    for tzid in sorted(first_years):
        calendar.add_component(vtimezone(tzid, first_years[tzid]))


def _event(facts: SessionFacts, *, title: str, description: str, location: str, stamp: datetime,
           uid_domain: str) -> Event:
    """The VEVENT of a session in an invite, before the lines that depend on the method."""
    zone = ZoneInfo(facts.timezone)
    event = Event()
    event.add("UID", uid(facts.session_id, uid_domain))
    event.add("SEQUENCE", facts.sequence)
    event.add("DTSTAMP", _utc(stamp))
    # Wall time in the site's zone with its TZID, not UTC: a session shown in a calendar set to
    # another zone still converts right, and one at the site reads as the clinic booked it.
    event.add("DTSTART", facts.start.astimezone(zone))
    event.add("DTEND", facts.end.astimezone(zone))
    event.add("SUMMARY", title)
    event.add("DESCRIPTION", description)
    event.add("LOCATION", location)
    _add_shared(event)
    return event


def _add_shared(event: Event) -> None:
    """The properties every session's VEVENT has, in invites and feeds alike."""
    event.add("TRANSP", "OPAQUE")
    # PRIVATE: Outlook and Exchange hide the details from colleagues who can see this calendar.
    event.add("CLASS", "PRIVATE")


def _utc(stamp: datetime) -> datetime:
    """An aware moment in UTC; a naive one would silently be read as the server's local time."""
    if stamp.tzinfo is None:
        raise ValueError("stamp must be an aware datetime")
    return stamp.astimezone(timezone.utc)


def _address(person: tuple[str, str], **parameters) -> vCalAddress:
    """A mailto: calendar address with the person's name as CN."""
    name, email = person
    return vCalAddress.new(email, cn=name, **parameters)


def _alarm(title: str, before: timedelta) -> Alarm:
    """A display alarm `before` the start, saying no more than the event's own title."""
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", title)
    alarm.add("TRIGGER", -before)
    return alarm
