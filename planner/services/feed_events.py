"""A feed's events, each written once for what it is made of and kept in the process, then joined into the file.

Any change anywhere in the clinic makes every feed's next poll rebuild it (the marks cover the
whole clinic, see feeds.py), and writing a clinician's year of 1,500 events took some 40 ms of the
rebuild's 90 (bench/bench_feed.py). Almost all of those events are the same as last time. So each
VEVENT is kept under everything it is made of: the session's columns that it shows and its last
change (its DTSTAMP), its site's name, phone and zone, its room's and type's names, whose feed it
is in (staff and patients are told different things, see wording.py), the clinic's message
settings and the feed's organizer and UID domain. A rebuild writes only the events not kept, and
any change to one of those inputs is a new key, so a kept event is never stale; an old one is
simply no longer asked for and leaves when the store is full.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from planner.adapters import ical
from planner.db import reads
from planner.domain.wording import calendar_description, calendar_title
from planner.services.notices import Telling, session_facts
from planner.services.rendering import location

# Events kept per process, least recently used out first: every staff feed of a busy clinic (a
# session in three people's feeds is kept once for staff and once for its patient), some 20 MB.
KEPT = 30_000
_lock = threading.Lock()
_kept: OrderedDict[tuple, tuple[bytes, bytes]] = OrderedDict()  # key -> (the VEVENT, digest of what it shows)


@dataclass(frozen=True)
class Written:
    """A feed's file, and a digest of everything it shows but the DTSTAMPs (for its ETag)."""

    body: bytes
    digest: str


def write_feed(sessions: list[reads.FeedSession], places: reads.Places, *, staff: bool, settings: Telling,
               name: str, organizer: tuple[str, str], uid_domain: str) -> Written:
    """The feed of these sessions (in start order), writing only the events not kept from an earlier feed."""
    context = (staff, settings.clinic_name, settings.staff_detailed, organizer, uid_domain)
    keys, zones = [], {}
    for row in sessions:
        site = places.sites[row.site_id]
        if site.timezone not in zones:
            zones[site.timezone] = row.starts_at.year  # the first in start order starts earliest
        # A patient is never told the room or the type (session_facts), so neither is part of their event.
        names = (places.rooms.get(row.room_id), places.types.get(row.session_type_id)) if staff else None
        keys.append((context, row, site, names))
    with _lock:
        found = [_kept.get(key) for key in keys]
        for key, event in zip(keys, found):
            if event is not None:
                _kept.move_to_end(key)
    written = {}
    for index, key in enumerate(keys):
        if found[index] is None:
            found[index] = written[key] = _write(key, settings)
    if written:
        with _lock:
            _kept.update(written)
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    body = ical.feed_calendar([event for event, _ in found], name=name, zones=zones)
    digest = hashlib.sha256(repr((name, sorted(zones.items()))).encode())
    for _, shown in found:
        digest.update(shown)
    return Written(body, digest.hexdigest()[:32])


def _write(key: tuple, settings: Telling) -> tuple[bytes, bytes]:
    """One event's VEVENT, and a digest of what it shows (all of it but the DTSTAMP)."""
    context, row, site, names = key
    staff, _, _, organizer, uid_domain = context
    facts = session_facts(row, site, settings, names)
    event = ical.FeedEvent(facts, calendar_title(facts, staff), calendar_description(facts, staff),
                           location(facts, staff), stamp=row.updated_at)
    vevent, shown = ical.feed_event(event, organizer=organizer, uid_domain=uid_domain)
    return vevent, hashlib.blake2b(shown, digest_size=16).digest()


def forget_all() -> None:
    """Drop every kept event (benchmarks measure a process that has written none)."""
    with _lock:
        _kept.clear()
