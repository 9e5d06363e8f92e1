"""Editing, withdrawing and revoking shifts, time off and credentials never leaves a booked session uncovered.

Each rule: a refused case (CoverBroken naming the session, nothing written) and a safe control.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from planner.db import queries
from planner.db.models import AuditEvent, Credential, Shift, TimeOff
from planner.domain.calendar import to_utc
from planner.domain.errors import BookingRefused, CoverBroken, InvalidData
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session, cancel_session
from planner.services.change_inputs import CredentialChange, ShiftChange, TimeOffChange
from planner.services.clinic_setup import create_shift, create_time_off
from planner.services.inputs import ShiftIn, TimeOffIn
from planner.services.offers import find_offers
from planner.services.staff_edits import (
    change_credential, change_shift, change_time_off, revoke_credential, withdraw_shift, withdraw_time_off,
)
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)  # the Friday before factories.MONDAY
NY = "America/New_York"


def at(hour: int, day: date = f.MONDAY) -> datetime:
    return to_utc(day, time(hour), NY)


def iv_at(clinic, hour: int, nurse: int = 0, patient: int = 0, day: date = f.MONDAY) -> int:
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, at(hour, day),
                                     clinic.chairs[patient % 3], ((clinic.prescriber, "supervising_prescriber"),
                                                                  (clinic.nurses[nurse], "monitoring_clinician"))),
                        SYSTEM, NOW)


def shift_of(staff_id: int, day: date = f.MONDAY) -> Shift:
    db.session.rollback()
    return db.session.scalars(select(Shift).where(Shift.staff_id == staff_id, Shift.starts_at >= at(0, day),
                                                  Shift.starts_at < at(23, day))).one()


def fresh(model, key: int):
    db.session.rollback()
    return db.session.get(model, key)


def credential_of(staff_id: int, kind: str) -> Credential:
    db.session.rollback()
    return db.session.scalars(select(Credential).where(Credential.staff_id == staff_id, Credential.kind == kind)).one()


def audit(action: str) -> list[dict]:
    db.session.rollback()
    return db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == action)).all()


def refused_names(refused, session_id: int) -> None:
    (reason,) = refused.value.reasons
    assert reason.message.startswith(f"Session {session_id} (IV ketamine infusion, Mon 23 Nov 2026 09:00 at Midtown):")


# --- shifts: edit, withdraw, re-instate -----------------------------------------------------------

@pytest.mark.parametrize("change, breaks", [
    ({"ends_at": at(10)}, True),                          # ends before the 09:00 session's observation does
    ({"starts_at": at(9, f.MONDAY) + timedelta(minutes=30)}, True),  # begins after the session begins
    ({"ends_at": at(12)}, False),                         # shortened, still covers 09:00-10:45
    ({"starts_at": at(7), "ends_at": at(16)}, False),     # moved, still covers
])
def test_a_shift_edit_is_refused_only_when_it_uncovers_a_booked_session(clinic, change, breaks):
    booked = iv_at(clinic, 9)
    shift = shift_of(clinic.nurses[0])
    before = (shift.starts_at, shift.ends_at)
    if breaks:
        with pytest.raises(CoverBroken) as refused:
            change_shift(clinic.nurses[0], shift.id, ShiftChange(**change), SYSTEM, NOW)
        refused_names(refused, booked)
        assert "Rosa Diaz (RN) is not on shift" in refused.value.reasons[0].message
        assert (fresh(Shift, shift.id).starts_at, fresh(Shift, shift.id).ends_at) == before
        assert audit("shift.changed") == []
    else:
        change_shift(clinic.nurses[0], shift.id, ShiftChange(**change), SYSTEM, NOW)
        row = fresh(Shift, shift.id)
        assert (row.starts_at, row.ends_at) == (change.get("starts_at", before[0]), change.get("ends_at", before[1]))
        (details,) = audit("shift.changed")
        assert set(details["before"]) == set(details["after"]) == set(change)


def test_withdrawing_a_shift_under_a_booked_session_is_refused_and_a_free_one_is_kept_as_withdrawn(clinic):
    booked = iv_at(clinic, 9)
    with pytest.raises(CoverBroken) as refused:
        withdraw_shift(clinic.nurses[0], shift_of(clinic.nurses[0]).id, SYSTEM, NOW)
    refused_names(refused, booked)
    assert shift_of(clinic.nurses[0]).withdrawn_at is None
    other = shift_of(clinic.nurses[1]).id
    withdraw_shift(clinic.nurses[1], other, SYSTEM, NOW)
    assert fresh(Shift, other).withdrawn_at == NOW  # kept, with the moment it was taken back
    change_shift(clinic.nurses[1], other, ShiftChange(withdrawn=True), SYSTEM, NOW + timedelta(hours=1))
    withdraw_shift(clinic.nurses[1], other, SYSTEM, NOW + timedelta(hours=2))
    assert fresh(Shift, other).withdrawn_at == NOW  # withdrawn again: the first moment stays
    assert audit("shift.withdrawn") == [{"before": {"withdrawn_at": None}, "after": {"withdrawn_at": "2026-11-20T12:00:00Z"}}]


def test_a_withdrawn_shift_counts_nowhere_and_re_instating_it_brings_it_back(clinic):
    nurse = clinic.nurses[1]
    shift = shift_of(nurse).id
    withdraw_shift(nurse, shift, SYSTEM, NOW)
    # Not booked with her, not offered with her, not on the day view.
    with pytest.raises(BookingRefused) as refused:
        iv_at(clinic, 9, nurse=1)
    assert [r.code for r in refused.value.reasons] == ["staff_off_shift"]
    offers = find_offers(clinic.site, clinic.iv, f.MONDAY, f.MONDAY, NOW, clinic.patients[0], limit=100).offers
    assert offers and not any(m.staff_id == nurse for o in offers for m in o.team)
    on_duty = queries.shifts_overlapping(db.session, {clinic.site: (at(0), at(23))})[clinic.site]
    assert nurse not in {row.staff_id for row in on_duty}
    # Another shift over the same hours may now be added; the old one cannot come back over it.
    replacement = create_shift(nurse, ShiftIn(site_id=clinic.site, starts_at=at(8), ends_at=at(14)), SYSTEM, NOW)
    with pytest.raises(InvalidData) as clash:
        change_shift(nurse, shift, ShiftChange(withdrawn=False), SYSTEM, NOW)
    assert [p.code for p in clash.value.problems] == ["shift_overlap"]
    withdraw_shift(nurse, replacement, SYSTEM, NOW)
    change_shift(nurse, shift, ShiftChange(withdrawn=False), SYSTEM, NOW)
    assert fresh(Shift, shift).withdrawn_at is None
    assert iv_at(clinic, 9, nurse=1)
    assert len(audit("shift.reinstated")) == 1


def test_a_search_made_before_a_shift_is_withdrawn_is_not_reused_after_it(clinic):
    from planner.services.availability import find_free_windows

    tuesday = f.MONDAY + timedelta(days=1)
    # Sam is off all Tuesday: Tuesday's doses rest on Rosa's shift alone.
    create_time_off(clinic.nurses[1], TimeOffIn(starts_at=at(0, tuesday), ends_at=at(23, tuesday)), SYSTEM, NOW)
    assert find_free_windows(clinic.site, clinic.iv, tuesday, tuesday, NOW)  # read, and kept for the next search
    withdraw_shift(clinic.nurses[0], shift_of(clinic.nurses[0], tuesday).id, SYSTEM, NOW)
    assert find_free_windows(clinic.site, clinic.iv, tuesday, tuesday, NOW) == []
    change_time_off(clinic.nurses[1], db.session.scalar(select(TimeOff.id)), TimeOffChange(withdrawn=True), SYSTEM, NOW)
    assert find_free_windows(clinic.site, clinic.iv, tuesday, tuesday, NOW)  # Sam is back, and counted


@pytest.mark.parametrize("change, field", [
    ({"withdrawn": True}, "withdrawn"),                          # under way: give it an earlier end instead
    ({"starts_at": at(9, f.MONDAY - timedelta(days=3))}, "starts_at"),  # its start is kept
    ({"ends_at": at(6, f.MONDAY - timedelta(days=3)) + timedelta(minutes=30)}, "ends_at"),  # no end in the past
])
def test_a_shift_under_way_keeps_its_past(clinic, change, field):
    friday = f.MONDAY - timedelta(days=3)  # NOW is 07:00 in New York that Friday
    shift = create_shift(clinic.nurses[0], ShiftIn(site_id=clinic.site, starts_at=at(6, friday),
                                                   ends_at=at(14, friday)), SYSTEM, NOW)
    with pytest.raises(InvalidData) as refused:
        change_shift(clinic.nurses[0], shift, ShiftChange(**change), SYSTEM, NOW)
    assert field in {p.field for p in refused.value.problems}
    # Control: ending it earlier, but not before now, is an edit like any other.
    change_shift(clinic.nurses[0], shift, ShiftChange(ends_at=at(10, friday)), SYSTEM, NOW)
    assert fresh(Shift, shift).ends_at == at(10, friday)


# --- time off: edit, withdraw, re-instate ----------------------------------------------------------

def test_time_off_moved_over_a_booked_session_is_refused_and_moved_clear_of_it_is_accepted(clinic):
    booked = iv_at(clinic, 9)
    leave = create_time_off(clinic.nurses[0], TimeOffIn(starts_at=at(13), ends_at=at(17)), SYSTEM, NOW)
    with pytest.raises(CoverBroken) as refused:
        change_time_off(clinic.nurses[0], leave, TimeOffChange(starts_at=at(10)), SYSTEM, NOW)
    refused_names(refused, booked)
    assert "is on leave during the session" in refused.value.reasons[0].message
    assert fresh(TimeOff, leave).starts_at == at(13)
    change_time_off(clinic.nurses[0], leave, TimeOffChange(starts_at=at(11), reason="dentist"), SYSTEM, NOW)
    assert (fresh(TimeOff, leave).starts_at, fresh(TimeOff, leave).reason) == (at(11), "dentist")


def test_withdrawn_time_off_frees_the_person_and_re_instating_it_goes_through_the_same_check(clinic):
    nurse = clinic.nurses[0]
    leave = create_time_off(nurse, TimeOffIn(starts_at=at(7), ends_at=at(12)), SYSTEM, NOW)
    with pytest.raises(BookingRefused):
        iv_at(clinic, 9)
    withdraw_time_off(nurse, leave, SYSTEM, NOW)
    assert fresh(TimeOff, leave).withdrawn_at == NOW
    booked = iv_at(clinic, 9)  # she is free again
    with pytest.raises(CoverBroken) as refused:
        change_time_off(nurse, leave, TimeOffChange(withdrawn=False), SYSTEM, NOW)  # undo: now over her session
    refused_names(refused, booked)
    assert fresh(TimeOff, leave).withdrawn_at == NOW
    cancel_session(booked, SYSTEM, NOW)
    change_time_off(nurse, leave, TimeOffChange(withdrawn=False), SYSTEM, NOW)
    assert fresh(TimeOff, leave).withdrawn_at is None


# --- credentials: edit, revoke, re-instate --------------------------------------------------------

@pytest.mark.parametrize("change, breaks", [
    ({"expires_on": date(2026, 11, 22)}, True),    # lapses the day before the Monday dose
    ({"revoked_on": date(2026, 11, 23)}, True),    # revoked from the day of the dose
    ({"expires_on": date(2026, 11, 23)}, False),   # still valid on the day of the dose
    ({"revoked_on": date(2026, 11, 24)}, False),   # revoked from the day after
    ({"number": "RN-778"}, False),
])
def test_a_credential_change_is_refused_only_while_a_booked_dose_depends_on_it(clinic, change, breaks):
    booked = iv_at(clinic, 9)
    bls = credential_of(clinic.nurses[0], "bls")
    if breaks:
        with pytest.raises(CoverBroken) as refused:
            change_credential(clinic.nurses[0], bls.id, CredentialChange(**change), SYSTEM, NOW)
        refused_names(refused, booked)
        assert "has no valid BLS on 23 Nov 2026" in refused.value.reasons[0].message
        assert (fresh(Credential, bls.id).expires_on, fresh(Credential, bls.id).revoked_on) == (f.FAR_AHEAD, None)
    else:
        change_credential(clinic.nurses[0], bls.id, CredentialChange(**change), SYSTEM, NOW)
        row = fresh(Credential, bls.id)
        assert {key: getattr(row, key) for key in change} == change


def test_a_revoked_credential_is_refused_while_a_dose_depends_on_it_then_revoked_and_no_longer_counts(clinic):
    booked = iv_at(clinic, 9)
    bls = credential_of(clinic.nurses[0], "bls").id
    with pytest.raises(CoverBroken) as refused:
        revoke_credential(clinic.nurses[0], bls, SYSTEM, NOW + timedelta(days=2))  # from Sunday: Monday's dose
    refused_names(refused, booked)
    cancel_session(booked, SYSTEM, NOW)
    revoke_credential(clinic.nurses[0], bls, SYSTEM, NOW + timedelta(days=2))
    assert fresh(Credential, bls).revoked_on == date(2026, 11, 22)  # kept, with the date it ended
    with pytest.raises(BookingRefused) as refused_booking:
        iv_at(clinic, 9)
    assert [r.code for r in refused_booking.value.reasons] == ["credential_not_valid"]
    # Undo: re-instating it is an edit like any other.
    change_credential(clinic.nurses[0], bls, CredentialChange(revoked_on=None), SYSTEM, NOW)
    assert iv_at(clinic, 9)
    assert [e["after"] for e in audit("credential.revoked")] == [{"revoked_on": "2026-11-22"}]


def test_a_revoked_credential_is_not_listed_as_lapsing_and_does_not_hide_an_older_one_that_does(clinic):
    nurse = clinic.nurses[1]
    old = f.make_credential(nurse, "acls", date(2024, 1, 1), date(2026, 12, 15))
    newer = f.make_credential(nurse, "acls", date(2026, 11, 1), date(2028, 12, 15))
    lapsing = {(c.staff_id, c.kind) for c in queries.credentials_expiring(db.session, date(2027, 1, 19))}
    assert (nurse, "acls") not in lapsing  # renewed by the newer one
    revoke_credential(nurse, newer, SYSTEM, NOW)
    lapsing = {(c.staff_id, c.kind, c.expires_on) for c in queries.credentials_expiring(db.session, date(2027, 1, 19))}
    assert (nurse, "acls", date(2026, 12, 15)) in lapsing
    revoke_credential(nurse, old, SYSTEM, NOW)
    lapsing = {(c.staff_id, c.kind) for c in queries.credentials_expiring(db.session, date(2027, 1, 19))}
    assert (nurse, "acls") not in lapsing


def test_another_persons_shift_is_not_found_under_this_one(clinic):
    from planner.domain.errors import NotFound

    with pytest.raises(NotFound):
        withdraw_shift(clinic.nurses[0], shift_of(clinic.nurses[1]).id, SYSTEM, NOW)
    assert shift_of(clinic.nurses[1]).withdrawn_at is None


def test_the_database_lets_a_shift_replace_a_withdrawn_one_but_not_bring_it_back_over_it(clinic):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    old = shift_of(clinic.nurses[0]).id
    db.session.execute(update(Shift).where(Shift.id == old).values(withdrawn_at=NOW))
    # Written around the application: migration 0009's guard counts live shifts only.
    db.session.execute(Shift.__table__.insert().values(staff_id=clinic.nurses[0], site_id=clinic.site,
                                                       starts_at=at(8), ends_at=at(12)))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(update(Shift).where(Shift.id == old).values(withdrawn_at=None))
        db.session.flush()
    db.session.rollback()


def test_re_checking_many_sessions_from_one_day_snapshot_says_what_one_snapshot_each_says(clinic):
    from planner.db import reads
    from planner.db.models import Session
    from planner.domain.booking import check_session

    tuesday = f.MONDAY + timedelta(days=1)
    for hour, nurse, patient, day in ((9, 0, 0, f.MONDAY), (9, 1, 1, f.MONDAY), (11, 0, 2, f.MONDAY),
                                      (14, 1, 3, f.MONDAY), (9, 0, 4, tuesday)):
        iv_at(clinic, hour, nurse=nurse, patient=patient, day=day)
    db.session.rollback()
    # A change in this transaction (not committed): Rosa off Monday morning, Sam's credential gone.
    db.session.add(TimeOff(staff_id=clinic.nurses[0], starts_at=at(7), ends_at=at(10)))
    db.session.execute(Credential.__table__.update().where(Credential.staff_id == clinic.nurses[1])
                       .values(revoked_on=date(2026, 11, 1)))
    db.session.flush()
    booked = reads.booked_requests(db.session, Session.id > 0)
    together = reads.for_rechecking(db.session, [request for _, request in booked])
    for (key, request), state in zip(booked, together):
        alone = reads.for_booking(db.session, request, own_changes=True)
        assert check_session(request, state, NOW, key) == check_session(request, alone, NOW, key)
    codes = [sorted({r.code for r in check_session(request, state, NOW, key)}) for (key, request), state
             in zip(booked, together)]
    # Monday 09:00: Dr Kim is the one BLS holder left on site (Rosa away, Sam's BLS gone), so both doses then
    # lack the second BLS holder too (domain.md, "who must be on site").
    assert codes == [["no_second_bls_on_site", "staff_on_leave"], ["credential_not_valid", "no_second_bls_on_site"],
                     [], ["credential_not_valid"], []]
    db.session.rollback()
