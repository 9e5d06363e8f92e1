"""Esketamine REMS duties: enrolment before a dose, and the patient monitoring form after each one (domain.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.domain.calendar import day_start
from planner.domain.clinic import SessionType, Site
from planner.domain.errors import Reason

# Spravato REMS (REG): a patient monitoring form is due within 7 calendar days after each session.
FORM_DUE_DAYS = 7
OPEN, DONE = "open", "done"
FORM_STATES = (OPEN, DONE)


def esketamine_reasons(session_type: SessionType, site: Site, enrolled_on: date | None, day: date) -> list[Reason]:
    """Why an esketamine dose cannot be given here on this local day: the site is not certified, or the patient not enrolled."""
    if not session_type.is_esketamine:
        return []
    reasons = []
    if not site.esketamine_certified:
        reasons.append(Reason("site_not_rems_certified", f"{site.name} is not certified to give esketamine (REMS).",
                              "site_id"))
    return reasons + enrolment_reasons(enrolled_on, day)


def enrolment_reasons(enrolled_on: date | None, session_day: date) -> list[Reason]:
    """Why an esketamine dose on this local day cannot be given to the patient: not enrolled on or before it."""
    if enrolled_on is None or enrolled_on > session_day:
        return [Reason("patient_not_rems_enrolled",
                       "The patient is not enrolled in the esketamine REMS before this session.", "patient_id")]
    return []


@dataclass(frozen=True)
class FormDue:
    """When a monitoring form falls due: the last local day it may be sent, and the instant that day ends."""

    due_on: date
    due_at: datetime  # the first instant after due_on, in UTC: overdue from then on


def form_due(session_day: date, zone: str) -> FormDue:
    """The form is due by the end of the 7th calendar day after the session's local day, in the site's zone.

    The session's own day is day 0, so a Tuesday session's form is due by the end of the next
    Tuesday. The day ends at the site's next local midnight (found in the zone, not by adding
    24 hours: a day across a DST change lasts 23 or 25 hours).
    """
    due_on = session_day + timedelta(days=FORM_DUE_DAYS)
    return FormDue(due_on, day_start(due_on + timedelta(days=1), zone))


def is_overdue(state: str, due_at: datetime, now: datetime) -> bool:
    """An open form is overdue once its due day has ended in the site's zone."""
    return state == OPEN and now >= due_at
