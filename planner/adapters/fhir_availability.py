"""A site's availability as FHIR R4 Schedule and Slot resources.

One Schedule per site (id `site-<id>`), whose actor is the site's Location. Its Slots over a span:
- free: every start time at which a session of a type could be booked now, with a room and a full
  team (the offers' own test), one Slot per type and start, `serviceType` naming the type;
- busy: every session booked there that holds a room and staff.
A site has several rooms and teams, so a free Slot may overlap a busy one: free says "a session of
this type can still start here then", busy says "a session takes place here then".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from planner.adapters.fhir_common import instant, ours, reference
from planner.domain.errors import InvalidData, Reason

_SCHEDULE_ID = re.compile(r"site-([1-9][0-9]{0,9})")
SCHEDULE_ID_PATTERN = r"^site-[1-9][0-9]{0,9}$"


@dataclass(frozen=True)
class SitePlace:
    """A site as its Schedule names it."""

    id: int
    name: str
    zone: str
    active: bool


@dataclass(frozen=True)
class ServiceKind:
    """A session type as a Slot's serviceType and appointmentType name it."""

    id: int
    key: str
    name: str
    kind: str


_PREFIXES = {"ge": (0, "from"), "gt": (1, "from"), "lt": (0, "to"), "le": (1, "to")}


def date_bounds(values: list[str], widest: timedelta) -> tuple[date, date]:
    """FHIR date search values (ge/gt/le/lt then YYYY-MM-DD) as the first day and the day after the last.

    Dates, not instants: days of the schedule's own site, as the offers take them. gt and le name a
    whole day (gt2026-03-09 starts on the 10th, le2026-03-15 takes the 15th in). Both a lower and an
    upper bound are needed, at most widest apart; anything else is InvalidData on `start`.
    """
    bounds: dict[str, date] = {}
    for value in values:
        prefix, text = value[:2], value[2:]
        if prefix not in _PREFIXES:
            raise InvalidData([Reason("bad_prefix", "Begin each start value with ge, gt, le or lt, then a "
                                                    "date (start=ge2026-03-09&start=lt2026-03-16).", "start")])
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise InvalidData([Reason("bad_date", f"{text!r} is not a date YYYY-MM-DD.", "start")]) from None
        if not 1900 <= day.year <= 2100:  # as every date the API takes (services/inputs.Day)
            raise InvalidData([Reason("out_of_range", "Give a date from 1900-01-01 to 2100-12-31.", "start")])
        shift, side = _PREFIXES[prefix]
        if side in bounds:
            raise InvalidData([Reason("twice", f"Give one {'lower' if side == 'from' else 'upper'} bound.", "start")])
        bounds[side] = day + timedelta(days=shift)
    if set(bounds) != {"from", "to"}:
        raise InvalidData([Reason("unbounded", "Give a lower bound (ge or gt) and an upper bound (lt or le) for "
                                               "start: slots are listed over at most a week.", "start")])
    first, end = bounds["from"], bounds["to"]
    if end <= first:
        raise InvalidData([Reason("end_before_start", "The upper bound of start is not after the lower one.", "start")])
    if end - first > widest:
        raise InvalidData([Reason("too_long", f"Ask for slots over at most {widest.days} days at a time.", "start")])
    return first, end


def schedule_id(site_id: int) -> str:
    """The id of a site's Schedule."""
    return f"site-{site_id}"


def site_of_schedule(key: str) -> int | None:
    """The site id a Schedule id names, or None when it names none of ours."""
    found = _SCHEDULE_ID.fullmatch(key)
    site_id = int(found.group(1)) if found else None
    return site_id if site_id is not None and site_id < 2**31 else None  # a row id is a 32-bit integer


def schedule(site: SitePlace, services: list[ServiceKind]) -> dict:
    """The site's Schedule: its Location as actor, the session types it can take as serviceType."""
    found: dict = {
        "resourceType": "Schedule",
        "id": schedule_id(site.id),
        "active": site.active,
        "actor": [reference("Location", f"site-{site.id}", site.name)],
        "comment": f"{site.name}: free slots per session type and busy slots per booked session; times in "
                   f"{site.zone} with their UTC offset.",
    }
    if services:
        found["serviceType"] = [ours("session-type", s.key, s.name) for s in services]
    return found


def free_slot(site: SitePlace, service: ServiceKind, start: datetime, end: datetime, room: str | None) -> dict:
    """A start time at which a session of this type can be booked now."""
    return free_slots(site, service, [(start, end, room)])[0]


def free_slots(site: SitePlace, service: ServiceKind, found: list[tuple[datetime, datetime, str | None]]) -> list[dict]:
    """free_slot for each (start, end, room) of one type: a week at a busy site is thousands of them.

    The parts every Slot of the type shares (schedule, serviceType, appointmentType) are made once,
    one dict each that every Slot holds; they are only ever written out as JSON.
    """
    shared = {"schedule": reference("Schedule", schedule_id(site.id), site.name),
              "serviceType": [ours("session-type", service.key, service.name)],
              "appointmentType": ours("session-kind", service.kind)}
    prefix = f"site-{site.id}-type-{service.id}-"
    slots = []
    for start, end, room in found:
        slot = {"resourceType": "Slot", "id": prefix + _stamp(start), "schedule": shared["schedule"],
                "status": "free", "start": instant(start, site.zone), "end": instant(end, site.zone),
                "serviceType": shared["serviceType"], "appointmentType": shared["appointmentType"]}
        if room:
            slot["comment"] = f"For example in {room}"
        slots.append(slot)
    return slots


def busy_slot(site: SitePlace, session_id: int, start: datetime, end: datetime) -> dict:
    """The time a booked session takes at the site (what it is and who it is for stay out of a schedule)."""
    return busy_slots(site, [(session_id, start, end)])[0]


def busy_slots(site: SitePlace, found: list[tuple[int, datetime, datetime]]) -> list[dict]:
    """busy_slot for each (session id, start, end), their schedule reference made once and shared."""
    schedule_ref = reference("Schedule", schedule_id(site.id), site.name)
    return [{"resourceType": "Slot", "id": f"site-{site.id}-session-{session_id}", "schedule": schedule_ref,
             "status": "busy", "start": instant(start, site.zone), "end": instant(end, site.zone)}
            for session_id, start, end in found]


@lru_cache(maxsize=4096)
def _stamp(moment: datetime) -> str:
    # A FHIR id takes letters, digits, '-' and '.': the UTC instant, compact. (Kept: the same few
    # hundred start times recur across types and searches.)
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ")
