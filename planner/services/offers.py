"""Bookable offers for one session: times with a room and a full team that pass every booking rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.db import reads
from planner.domain import clinic as dom
from planner.domain.errors import InvalidData, Reason
from planner.domain.offers import SPREAD, Offer, make_offers, start_times, why_no_times

LONGEST = timedelta(days=6)  # a day or a week: offers are for booking now, not for browsing months
MOST = 100


@dataclass(frozen=True)
class Offers:
    """What was asked (site, type, patient, days) and the offers, best first, or why there are none."""

    site: dom.Site
    session_type: dom.SessionType
    patient: dom.Patient | None
    first: date
    last: date
    offers: list[Offer]
    reasons: list[Reason]
    closer: bool = False  # spread out: asking for every time (more=True) would show times in between

    @property
    def zone(self) -> str:
        """The site's IANA time zone, in which every offer is shown."""
        return self.site.calendar.zone


def find_offers(site_id: int, session_type_id: int, first: date, last: date, now: datetime,
                patient_id: int | None = None, limit: int = 20, more: bool = False) -> Offers:
    """Up to limit offers from first to last (site-local days) that book_session would accept now, best first.

    Spread an hour apart on each day (domain.offers.SPREAD); more=True offers every start time instead.
    """
    problems = []
    if last < first:
        problems.append(Reason("end_before_start", "The last day comes before the first.", "to"))
    elif last - first > LONGEST:
        problems.append(Reason("too_long", "Ask for offers over at most a week (7 days) at a time.", "to"))
    if not 1 <= limit <= MOST:
        problems.append(Reason("out_of_range", f"Ask for 1 to {MOST} offers.", "limit"))
    if problems:
        raise InvalidData(problems)
    with reads.reading() as session:
        patient = reads.patient(session, patient_id) if patient_id is not None else None
        found = reads.search(session, site_id, session_type_id, first, last, now, patient_id)
        unknown = [Reason("unknown", f"No {what} with id {key}.", field)
                   for value, key, field, what in ((found.site, site_id, "site_id", "site"),
                                                   (found.session_type, session_type_id, "session_type_id",
                                                    "session type"),
                                                   (patient if patient_id is not None else True, patient_id,
                                                    "patient_id", "patient")) if value is None]
        if unknown:
            raise InvalidData(unknown)
        site, stype = found.site, found.session_type
        state = reads.for_offers(session, site, first, last, patient_id)
        starts = start_times(found.windows, timedelta(minutes=site.slot_minutes))
        listed = make_offers(stype, state, starts, now, patient, limit, None if more else SPREAD)
        reasons = listed.reasons
        if not starts:
            anyone = reads.search(session, site_id, session_type_id, first, last, now).windows if patient else []
            reasons = ([Reason("patient_busy", "The patient's own sessions leave no time free then (never two at "
                                               "once, and one dose a day).", "patient_id")] if anyone
                       else why_no_times(stype, state, first, last, now))
        return Offers(site, stype, patient, first, last, listed.offers, reasons, listed.closer)
