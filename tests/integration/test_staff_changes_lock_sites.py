"""A change to a person who is not on a dose's team still holds against a booking made at that moment.

A dose relies on an ACLS holder on site, whoever that is (domain.md, presence.py). The booking
locks its site and team; the change to the ACLS holder must wait for it, or the booking must wait
for the change: never both decide on what the other has not written yet. Each test stops the
change between its read of the sessions it could break and its write, books the dose from another
thread meanwhile, and lets the change go on after a moment. With the lock the booking waits and
is then refused; without it (the bug this guards) the booking lands in that moment and the change
still commits, leaving the dose without an ACLS holder on site.
"""

from __future__ import annotations

import threading
from datetime import datetime, time, timezone

import pytest
from sqlalchemy import delete, func, select

from planner.db.models import Credential, Session, Shift, Staff
from planner.domain.calendar import to_utc
from planner.domain.errors import BookingRefused, CoverBroken
from planner.extensions import db
from planner.services import SYSTEM, cover
from planner.services.booking import SessionOrder, book_session
from planner.services.clinic_setup import create_time_off
from planner.services.inputs import TimeOffIn
from planner.services.staff_edits import revoke_credential, withdraw_shift
from planner.services.staff_members import deactivate_staff
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
NY = "America/New_York"
NINE = to_utc(f.MONDAY, time(9), NY)
# How long the change waits, stopped mid-way, for a booking that does not wait for it.
MOMENT = 0.5


def _esketamine_relying_on_an_acls_nurse(clinic):
    """An esketamine dose whose team holds no ACLS; Ivy Chen RN, on shift and on no team, is the holder."""
    dr = f.make_staff("Dr Omar Reyes", ["MD"], f.credentials("licence", "rems_training", "bls"))
    f.make_shift(dr, clinic.site, f.MONDAY)
    ivy = f.make_staff("Ivy Chen RN", ["RN"], f.credentials("licence", "acls"))
    shift = f.make_shift(ivy, clinic.site, f.MONDAY)
    db.session.execute(delete(Shift).where(Shift.staff_id == clinic.prescriber))  # Dr Kim (ACLS) is away
    db.session.commit()
    order = SessionOrder(clinic.patients[0], clinic.site, clinic.esketamine, NINE, clinic.chairs[0],
                         ((dr, "supervising_prescriber"), (clinic.nurses[0], "monitoring_clinician")))
    return ivy, shift, order


def _withdraw_her_shift(ivy, shift):
    withdraw_shift(ivy, shift, SYSTEM, NOW)


def _her_day_off(ivy, _shift):
    create_time_off(ivy, TimeOffIn(starts_at=to_utc(f.MONDAY, time(0), NY), ends_at=to_utc(f.MONDAY, time(23), NY),
                                   reason="sick"), SYSTEM, NOW)


def _revoke_her_acls(ivy, _shift):
    credential = db.session.scalar(select(Credential.id).where(Credential.staff_id == ivy, Credential.kind == "acls"))
    revoke_credential(ivy, credential, SYSTEM, NOW)


def _deactivate_her(ivy, _shift):
    deactivate_staff(ivy, SYSTEM, NOW)


CHANGES = {"a withdrawn shift": _withdraw_her_shift, "time off": _her_day_off,
           "a revoked ACLS": _revoke_her_acls, "deactivation": _deactivate_her}


def _booked_while_stopped(app, monkeypatch, order: SessionOrder, change) -> list[str]:
    """Make the change, booking the order from another thread while the change is stopped mid-way.

    The booking's outcome: ["booked"], or the codes it was refused with.
    """
    outcome: list[str] = []
    read_the_sessions = cover._booked

    def book_meanwhile():
        with app.app_context():
            try:
                book_session(order, SYSTEM, NOW)
                outcome.append("booked")
            except BookingRefused as refused:
                outcome.extend(sorted(reason.code for reason in refused.reasons))
            finally:
                db.session.remove()

    booking = threading.Thread(target=book_meanwhile)

    def stopped_mid_change(*args):
        found = read_the_sessions(*args)
        booking.start()
        booking.join(MOMENT)  # a booking that does not wait for the change's lock lands now
        return found

    monkeypatch.setattr(cover, "_booked", stopped_mid_change)
    change()
    booking.join(30)
    return outcome


@pytest.mark.parametrize("change", CHANGES)
def test_a_dose_booked_while_its_acls_holder_is_changed_is_refused_not_left_uncovered(app, clinic, monkeypatch,
                                                                                      change):
    ivy, shift, order = _esketamine_relying_on_an_acls_nurse(clinic)
    outcome = _booked_while_stopped(app, monkeypatch, order, lambda: CHANGES[change](ivy, shift))
    assert outcome == ["no_acls_on_site"]
    assert db.session.scalar(select(func.count()).select_from(Session)) == 0


def test_deactivating_the_only_acls_holder_on_site_is_refused_with_the_dose_named(app, clinic):
    ivy, _shift, order = _esketamine_relying_on_an_acls_nurse(clinic)
    session_id = book_session(order, SYSTEM, NOW)
    with pytest.raises(CoverBroken) as refused:
        deactivate_staff(ivy, SYSTEM, NOW)
    [broken] = refused.value.reasons
    assert broken.session_id == session_id and "ACLS" in broken.message
    db.session.rollback()
    assert db.session.get(Staff, ivy).active


def test_deactivating_an_acls_holder_is_allowed_when_another_is_on_site(app, clinic):
    ivy, _shift, order = _esketamine_relying_on_an_acls_nurse(clinic)
    f.make_shift(f.make_staff("Noor Ali RN", ["RN"], f.credentials("licence", "acls")), clinic.site, f.MONDAY)
    book_session(order, SYSTEM, NOW)
    deactivate_staff(ivy, SYSTEM, NOW)
    db.session.rollback()
    assert not db.session.get(Staff, ivy).active


def test_a_booking_that_waited_for_a_nurses_time_off_judges_by_it(app, clinic, monkeypatch):
    # The booking reads what it names (and the clinic's set-up) before its lock; after waiting on
    # the lock for the time off to commit, it must judge by the time off, not by what it read first.
    nurse = clinic.nurses[0]
    order = SessionOrder(clinic.patients[0], clinic.site, clinic.iv, NINE, clinic.chairs[0],
                         ((clinic.prescriber, "supervising_prescriber"), (nurse, "monitoring_clinician")))
    outcome = _booked_while_stopped(app, monkeypatch, order, lambda: _her_day_off(nurse, None))
    assert outcome == ["staff_on_leave"]
    assert db.session.scalar(select(func.count()).select_from(Session)) == 0
