"""Free windows for a session type at a site."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from planner.db import reads
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
    with reads.reading() as session:
        unknown = []
        if patient_id is not None and reads.patient(session, patient_id) is None:
            unknown.append(Reason("unknown", f"No patient with id {patient_id}.", "patient_id"))
        found = reads.search(session, site_id, session_type_id, first, last, now, patient_id)
        unknown = [Reason("unknown", f"No {what} with id {key}.", field)
                   for value, key, field, what in ((found.site, site_id, "site_id", "site"),
                                                   (found.session_type, session_type_id, "session_type_id",
                                                    "session type")) if value is None] + unknown
        if unknown:
            raise InvalidData(unknown)
        return found.windows
