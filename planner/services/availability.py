"""Free windows for a session type at a site."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from planner.db import daycache
from planner.db.windowcache import cached_free_windows, marks_for_search
from planner.db.models import Patient
from planner.db.uow import unit_of_work
from planner.gcpause import gc_paused
from planner.domain.availability import FreeWindow
from planner.domain.errors import InvalidData, Reason

LONGEST_SEARCH = timedelta(days=92)


def find_free_windows(site_id: int, session_type_id: int, first: date, last: date, now: datetime,
                      patient_id: int | None = None) -> list[FreeWindow]:
    """Runs of start times from first to last (site-local dates) at which the session fits."""
    if last < first:
        raise InvalidData([Reason("end_before_start", "The last day comes before the first.", "to")])
    if last - first > LONGEST_SEARCH:
        raise InvalidData([Reason("too_long", "Search at most 92 days at a time.", "to")])
    with unit_of_work(write=False) as session, gc_paused():
        marks = marks_for_search(session, first, last)
        site, stype = daycache.site_and_type(session, site_id, session_type_id, marks)
        unknown = [Reason("unknown", f"No {what} with id {key}.", field)
                   for found, key, field, what in ((site, site_id, "site_id", "site"),
                                                   (stype, session_type_id, "session_type_id", "session type"))
                   if found is None]
        if patient_id is not None and session.get(Patient, patient_id) is None:
            unknown.append(Reason("unknown", f"No patient with id {patient_id}.", "patient_id"))
        if unknown:
            raise InvalidData(unknown)
        return cached_free_windows(session, site, stype, first, last, now, patient_id, marks)
