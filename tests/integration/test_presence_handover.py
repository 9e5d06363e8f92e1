"""An ACLS handover within one dose window, table-driven through the booking service and the cover check.

An esketamine dose on Monday 09:00-11:30 at Midtown: Dr Reyes supervises (REMS trained, no ACLS),
Rosa Diaz monitors (BLS); Dr Kim is away. Ivy Chen RN holds ACLS until the handover, Jon Ward RN
from it. An exact handover keeps an ACLS holder on site at every instant (booked, and a change
that keeps it exact is accepted); a minute between them is refused, as a booking and as a change.
"""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest
from sqlalchemy import delete, select

from planner.db.models import Shift
from planner.domain.calendar import to_utc
from planner.domain.errors import BookingRefused, CoverBroken
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from planner.services.change_inputs import ShiftChange
from planner.services.staff_edits import change_shift
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
NY = "America/New_York"


def handover(clinic, ivy_until: str, jon_from: str) -> tuple[SessionOrder, int]:
    db.session.execute(delete(Shift).where(Shift.staff_id == clinic.prescriber))
    db.session.commit()
    reyes = f.make_staff("Dr Omar Reyes", ["MD"], f.credentials("licence", "rems_training", "bls"))
    f.make_shift(reyes, clinic.site, f.MONDAY)
    ivy = f.make_staff("Ivy Chen RN", ["RN"], f.credentials("licence", "acls"))
    jon = f.make_staff("Jon Ward RN", ["RN"], f.credentials("licence", "acls"))
    f.make_shift(ivy, clinic.site, f.MONDAY, "08:00", ivy_until)
    f.make_shift(jon, clinic.site, f.MONDAY, jon_from, "18:00")
    order = SessionOrder(clinic.patients[0], clinic.site, clinic.esketamine, to_utc(f.MONDAY, time(9), NY),
                         clinic.chairs[0], ((reyes, "supervising_prescriber"), (clinic.nurses[0], "monitoring_clinician")))
    return order, ivy


BOOKINGS = {
    "an exact handover at 10:00": ("10:00", "10:00", None),
    "overlapping shifts": ("10:30", "09:45", None),
    "a one-minute gap": ("09:59", "10:00", "no_acls_on_site"),
    "nobody after Ivy leaves at 11:00 before the observation ends": ("11:00", "11:45", "no_acls_on_site"),
}


@pytest.mark.parametrize("case", BOOKINGS)
def test_a_dose_with_an_acls_handover_is_booked_only_when_no_instant_is_left_without_a_holder(clinic, case):
    ivy_until, jon_from, code = BOOKINGS[case]
    order, _ = handover(clinic, ivy_until, jon_from)
    if code is None:
        assert book_session(order, SYSTEM, NOW) > 0
        return
    with pytest.raises(BookingRefused) as refused:
        book_session(order, SYSTEM, NOW)
    assert code in {r.code for r in refused.value.reasons}


@pytest.mark.parametrize(("ends", "refused"), [("10:00", False), ("09:59", True)])
def test_shortening_the_first_holders_shift_is_refused_only_when_it_opens_a_gap_in_the_handover(clinic, ends, refused):
    order, ivy = handover(clinic, "10:15", "10:00")
    booked = book_session(order, SYSTEM, NOW)
    shift = db.session.scalar(select(Shift.id).where(Shift.staff_id == ivy))
    db.session.rollback()
    change = ShiftChange(ends_at=to_utc(f.MONDAY, time.fromisoformat(ends), NY))
    if not refused:
        change_shift(ivy, shift, change, SYSTEM, NOW)
        return
    with pytest.raises(CoverBroken) as broken:
        change_shift(ivy, shift, change, SYSTEM, NOW)
    assert f"Session {booked}" in str([r.message for r in broken.value.reasons])
    db.session.rollback()
    assert db.session.get(Shift, shift).ends_at.replace(tzinfo=timezone.utc) == to_utc(f.MONDAY, time(10, 15), NY)
