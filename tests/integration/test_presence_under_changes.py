"""The ACLS holder a dose relies on need not be in its team: their time off, shift or credential is checked too.

An esketamine prescriber needs no ACLS (the floor asks for REMS training); the dose is safe only
because Ivy Chen RN, on shift and in no role, holds ACLS. A change to her set-up over the dose is
refused naming it, with nothing written; the same change away from it is accepted (the control).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import delete, select

from planner.db.models import Credential, Shift, TimeOff
from planner.domain.calendar import to_utc
from planner.domain.errors import CoverBroken
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from planner.services.change_inputs import ShiftChange
from planner.services.clinic_setup import create_time_off
from planner.services.inputs import TimeOffIn
from planner.services.staff_edits import change_shift, revoke_credential
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
NY = "America/New_York"


@pytest.fixture
def esketamine_dose(clinic):
    """Dr Reyes (no ACLS) supervises, Rosa Diaz monitors, Ivy Chen (ACLS, no role) is on site; Dr Kim is not."""
    db.session.execute(delete(Shift).where(Shift.staff_id == clinic.prescriber))
    db.session.commit()
    reyes = f.make_staff("Dr Omar Reyes", ["MD"], f.credentials("licence", "rems_training", "bls"))
    ivy = f.make_staff("Ivy Chen RN", ["RN"], f.credentials("licence", "acls"))
    for person in (reyes, ivy):
        for day in f.week_of(f.MONDAY):
            f.make_shift(person, clinic.site, day)
    booked = book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.esketamine,
                                       to_utc(f.MONDAY, time(9), NY), clinic.chairs[0],
                                       ((reyes, "supervising_prescriber"), (clinic.nurses[0], "monitoring_clinician"))),
                          SYSTEM, NOW)
    return booked, ivy


def _time_off(ivy: int, day: date):
    create_time_off(ivy, TimeOffIn(starts_at=to_utc(day, time(8), NY), ends_at=to_utc(day, time(13), NY)), SYSTEM, NOW)


def _shift_ends_at_ten(ivy: int, day: date):
    shift = db.session.scalar(select(Shift.id).where(Shift.staff_id == ivy, Shift.starts_at == to_utc(day, time(8), NY)))
    db.session.rollback()
    change_shift(ivy, shift, ShiftChange(ends_at=to_utc(day, time(10), NY)), SYSTEM, NOW)


def _revoke_acls(ivy: int, day: date):
    credential = db.session.scalar(select(Credential.id).where(Credential.staff_id == ivy, Credential.kind == "acls"))
    db.session.rollback()
    revoke_credential(ivy, credential, SYSTEM, datetime.combine(day, time(12), timezone.utc))


CHANGES = {"time off": _time_off, "a shorter shift": _shift_ends_at_ten, "a revoked ACLS": _revoke_acls}


def _state(ivy: int) -> tuple:
    db.session.rollback()
    shifts = db.session.execute(select(Shift.starts_at, Shift.ends_at).where(Shift.staff_id == ivy)
                                .order_by(Shift.starts_at)).all()
    leave = db.session.scalars(select(TimeOff.id).where(TimeOff.staff_id == ivy)).all()
    revoked = db.session.scalars(select(Credential.revoked_on).where(Credential.staff_id == ivy)).all()
    return tuple(shifts), tuple(leave), tuple(revoked)


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_to_the_only_acls_holder_on_site_over_a_dose_is_refused_naming_it(esketamine_dose, change):
    booked, ivy = esketamine_dose
    before = _state(ivy)
    with pytest.raises(CoverBroken) as refused:
        CHANGES[change](ivy, f.MONDAY)
    (broken,) = refused.value.reasons
    assert broken.message.startswith(f"Session {booked} (Esketamine nasal spray, Mon 23 Nov 2026 09:00 at Midtown)")
    assert "ACLS" in broken.message
    assert _state(ivy) == before


@pytest.mark.parametrize("change", CHANGES)
def test_the_same_change_after_the_dose_is_accepted(esketamine_dose, change):
    booked, ivy = esketamine_dose
    before = _state(ivy)
    CHANGES[change](ivy, f.MONDAY + timedelta(days=1))
    assert _state(ivy) != before
