"""A small clinic whose two prescribers each gave an esketamine dose on factories.MONDAY: two REMS forms owed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

import planner.clock
from planner.domain.calendar import to_utc
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session, change_status
from tests import factories as f

NY = "America/New_York"
BEFORE_DUE = to_utc(f.MONDAY + timedelta(days=3), time(10), NY)      # Thursday: both forms still in time
AFTER_DUE = to_utc(f.MONDAY + timedelta(days=8), time(0, 1), NY)     # the next Tuesday 00:01: both overdue


@dataclass
class RemsClinic:
    clinic: object
    other_prescriber: int
    sessions: list[int]  # [Dr Ada Kim's, Dr Ben Ode's]


def give_esketamine(clinic, patient: int, prescriber: int, chair: int, hour: int = 9) -> int:
    """Book an esketamine dose on MONDAY and walk it to fulfilled; returns its session id."""
    start = to_utc(f.MONDAY, time(hour), NY)
    session_id = book_session(SessionOrder(patient, clinic.site, clinic.esketamine, start, clinic.chairs[chair],
                                           ((prescriber, "supervising_prescriber"),
                                            (clinic.nurses[chair % 2], "monitoring_clinician"))),
                              SYSTEM, datetime(2026, 11, 20, tzinfo=timezone.utc))
    change_status(session_id, "arrived", SYSTEM, start - timedelta(minutes=15), escort_confirmed=True)
    change_status(session_id, "in_progress", SYSTEM, start)
    change_status(session_id, "fulfilled", SYSTEM, start + timedelta(hours=3))
    return session_id


def rems_clinic(clinic) -> RemsClinic:
    """Dr Ada Kim (the small clinic's prescriber) and Dr Ben Ode each owe one form."""
    other = f.make_staff("Dr Ben Ode", ["MD"])
    f.make_shift(other, clinic.site, f.MONDAY)
    first = give_esketamine(clinic, clinic.patients[0], clinic.prescriber, 0)
    second = give_esketamine(clinic, clinic.patients[1], other, 1)
    return RemsClinic(clinic, other, [first, second])


def set_clock(monkeypatch, moment: datetime) -> None:
    """The edges' clock (planner.clock.now) at a fixed moment."""
    monkeypatch.setattr(planner.clock, "now", lambda: moment)
