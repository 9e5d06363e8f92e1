"""A site's availability as FHIR R4 Schedule and Slots, from the same reads and checks the offers use."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from planner.adapters.fhir_availability import (
    ServiceKind, SitePlace, busy_slots, date_bounds, free_slots, schedule, site_of_schedule,
)
from planner.adapters.fhir_common import searchset
from planner.db import fhir_rows, reads
from planner.domain import clinic as dom
from planner.domain.calendar import day_start
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.domain.offers import bookable_starts, start_times
from planner.services.offers import LONGEST

# The widest span of one Slot search: a week, as the offers. Each free slot is checked as an offer
# is (a room and a full team that booking accepts), which is the cost to bound.
WIDEST = LONGEST + timedelta(days=1)


def slot_days(values: list[str]) -> tuple[date, date]:
    """The Slot search's start bounds as the first day and the day after the last, at most a week apart."""
    return date_bounds(values, WIDEST)


def site_schedules(site_id: int, base: str, self_link: str) -> dict:
    """The site's Schedule in a searchset Bundle; NotFound for no such site."""
    with reads.reading() as session:
        site = reads.site(session, site_id)
        if site is None:
            raise NotFound("site", site_id)
        services = _services(session, site)
    return searchset([schedule(_place(site), services)], base, self_link)


def schedule_slots(key: str, first: date, end: date, now: datetime, base: str, self_link: str,
                   service_type: str | None = None) -> dict:
    """Free and busy Slots of a Schedule from first to the day before end (site-local days), in a searchset Bundle.

    Free: every start time find_offers(more=True) would offer now, per session type (or only the type
    whose key is service_type). Busy: every session at the site that holds its place.
    """
    site_id = site_of_schedule(key)
    with reads.reading() as session:
        site = reads.site(session, site_id) if site_id is not None else None
        if site is None:
            raise NotFound("schedule", key)
        services = _services(session, site)
        if service_type is not None:
            services = [s for s in services if s.key == service_type]
            if not services:
                raise InvalidData([Reason("unknown", f"{site.name} takes no session type {service_type!r}.",
                                          "service-type")])
        last = end - timedelta(days=1)
        place = _place(site)
        state = reads.for_offers(session, site, first, last)
        slots = []
        types = reads.session_types(session)
        for service in services:
            stype = types[service.key]
            starts = start_times(reads.search(session, site.id, stype.id, first, last, now).windows,
                                 timedelta(minutes=site.slot_minutes))
            # Every start, no spread, no per-day share cut short: the offers with more=True, all of them.
            free = [(start, until, state.rooms[room].name if room is not None else None)
                    for start, until, room in bookable_starts(stype, state, starts, now)]
            slots += [(at[0], 1, slot) for at, slot in zip(free, free_slots(place, service, free))]
        begins, ends = day_start(first, site.calendar.zone), day_start(end, site.calendar.zone)
        busy = [(s.id, s.window.start, s.window.end) for s in state.sessions
                if s.site_id == site.id and begins <= s.window.start < ends]
        slots += [(at[1], 0, slot) for at, slot in zip(busy, busy_slots(place, busy))]
        # The week's snapshot goes before the collector runs again (when the read ends): it would
        # otherwise scan those tens of thousands of objects once more just before they are freed.
        del state
        # In time order (instants, not their local text), busy before free at the same start.
        slots.sort(key=lambda found: (found[0], found[1], found[2]["id"]))
        return searchset([slot for _, _, slot in slots], base, self_link)


def _place(site: dom.Site) -> SitePlace:
    # The site as the FHIR mapping names it, from the clinic's set-up already read (no second read).
    return SitePlace(site.id, site.name, site.calendar.zone, site.active)


def _services(session, site: dom.Site) -> list[ServiceKind]:
    """The session types in use that this site may take (esketamine only where it is certified)."""
    in_use = fhir_rows.active_type_ids(session)
    return [ServiceKind(t.id, t.key, t.name, t.kind)
            for t in sorted(reads.session_types(session).values(), key=lambda t: t.id)
            if t.id in in_use and (site.esketamine_certified or not t.is_esketamine)]

