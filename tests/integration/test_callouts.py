"""A call-out applied: time off and every repair commit together, a stale preview writes nothing, people are told."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select, update

from planner.db.models import (
    AuditEvent, Callout, CoverageAlert, OutboxMessage, Patient, PatientRequest, SessionStaff, Staff, TimeOff,
)
from planner.domain.calendar import to_utc
from planner.domain.callouts import GAP, MOVE, REASSIGN
from planner.domain.errors import InvalidData
from planner.extensions import db
from planner.services import Actor
from planner.services.booking import SessionOrder, book_session
from planner.services.callouts import CalloutStale, apply_callout, preview_callout
from planner.services.coverage_check import check_coverage
from tests.factories import MONDAY

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)  # the Friday before
ADMIN = Actor("admin@example.org")


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return to_utc(MONDAY + timedelta(days=days), time(hour, minute), "America/New_York")


AWAY = (at(7), at(19))


@pytest.fixture
def reachable(clinic):
    db.session.execute(update(Patient).values(consented_channels=["email"]))
    for staff_id in [clinic.prescriber, *clinic.nurses]:
        db.session.execute(update(Staff).where(Staff.id == staff_id).values(email=f"staff{staff_id}@example.org"))
    db.session.commit()
    return clinic


def iv(c, patient: int, chair: int, nurse: int, hour: int = 9) -> int:
    return book_session(SessionOrder(c.patients[patient], c.site, c.iv, at(hour), c.chairs[chair],
                                     ((c.prescriber, "supervising_prescriber"), (nurse, "monitoring_clinician"))),
                        ADMIN, NOW)


def team(session_id: int) -> set[tuple[int, str]]:
    found = set(db.session.execute(select(SessionStaff.staff_id, SessionStaff.role)
                                   .where(SessionStaff.session_id == session_id)).all())
    db.session.rollback()
    return found


def sent(session_id: int) -> None:
    db.session.execute(update(OutboxMessage).where(OutboxMessage.session_id == session_id,
                                                   OutboxMessage.kind == "invite").values(state="sent", sent_at=NOW))
    db.session.commit()


def staff_messages(session_id: int) -> set[tuple[int, str]]:
    rows = db.session.execute(select(OutboxMessage.recipient_id, OutboxMessage.kind)
                              .where(OutboxMessage.session_id == session_id, OutboxMessage.recipient_kind == "staff",
                                     OutboxMessage.sequence > 0)).all()
    db.session.rollback()
    return set(rows)


def test_a_call_out_reassigns_the_lost_role_with_the_time_off_and_tells_both_nurses(reachable):
    c = reachable
    rosa, sam = c.nurses
    session_id = iv(c, 0, 0, rosa)
    sent(session_id)
    preview = preview_callout(rosa, *AWAY, NOW)
    [repair] = preview.repairs
    assert (repair.session_id, repair.action) == (session_id, REASSIGN)
    applied = apply_callout(rosa, *AWAY, "Flu", preview.token, ADMIN, NOW)
    assert team(session_id) == {(c.prescriber, "supervising_prescriber"), (sam, "monitoring_clinician")}
    assert staff_messages(session_id) >= {(rosa, "cancel"), (sam, "invite")}
    leave = db.session.scalars(select(TimeOff).where(TimeOff.staff_id == rosa)).one()
    assert (leave.kind, leave.reason, leave.starts_at, leave.ends_at) == ("call-out", "Flu", *AWAY)
    kept = db.session.get(Callout, applied.callout_id)
    assert kept.repairs[0]["action"] == REASSIGN and kept.time_off_id == leave.id
    assert any("Sam Lee" in line and "invite" in line for line in kept.told)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"callout.applied", "time_off.created", "session.restaffed"} <= actions


def test_a_reassignment_keeps_the_patients_open_request_for_another_time_open(reachable):
    c = reachable
    rosa = c.nurses[0]
    session_id = iv(c, 0, 0, rosa)
    db.session.add(PatientRequest(session_id=session_id, patient_id=c.patients[0], asked_at=NOW))
    db.session.commit()
    preview = preview_callout(rosa, *AWAY, NOW)
    apply_callout(rosa, *AWAY, "", preview.token, ADMIN, NOW)
    assert db.session.scalars(select(PatientRequest.state)).all() == ["open"]


def test_a_preview_gone_stale_writes_nothing_and_brings_the_fresh_preview(reachable):
    c = reachable
    rosa, sam = c.nurses
    session_id = iv(c, 0, 0, rosa)
    preview = preview_callout(rosa, *AWAY, NOW)
    assert preview.repairs[0].action == REASSIGN
    # Meanwhile Sam takes two patients at 09:00: she can take no third.
    iv(c, 1, 1, sam)
    iv(c, 2, 2, sam)
    with pytest.raises(CalloutStale) as stale:
        apply_callout(rosa, *AWAY, "Flu", preview.token, ADMIN, NOW)
    assert stale.value.fresh.token != preview.token
    assert stale.value.fresh.repairs[0].action != REASSIGN
    assert (rosa, "monitoring_clinician") in team(session_id)
    assert db.session.scalars(select(TimeOff)).all() == [] and db.session.scalars(select(Callout)).all() == []


def test_a_session_no_one_can_take_moves_and_its_patient_gets_an_updated_invite(reachable):
    c = reachable
    rosa, sam = c.nurses
    first, second = iv(c, 0, 0, rosa), iv(c, 1, 1, rosa)
    iv(c, 2, 2, sam)  # Sam can take one more patient at 09:00, not two
    sent(first), sent(second)
    preview = preview_callout(rosa, *AWAY, NOW)
    assert sorted(r.action for r in preview.repairs) == [MOVE, REASSIGN]
    apply_callout(rosa, *AWAY, "", preview.token, ADMIN, NOW)
    moved = next(r for r in preview.repairs if r.action == MOVE)
    patient_invites = db.session.execute(select(OutboxMessage.kind).where(
        OutboxMessage.session_id == moved.session_id, OutboxMessage.recipient_kind == "patient",
        OutboxMessage.kind == "invite", OutboxMessage.sequence == 1)).all()
    assert patient_invites
    assert all(rosa not in {s for s, _ in team(r.session_id)} for r in preview.repairs)


def test_a_session_left_as_a_gap_at_the_admins_choice_stays_booked_and_is_an_open_alert(reachable):
    c = reachable
    rosa = c.nurses[0]
    session_id = iv(c, 0, 0, rosa)
    preview = preview_callout(rosa, *AWAY, NOW, {session_id: GAP})
    assert preview.repairs[0].action == GAP
    apply_callout(rosa, *AWAY, "Flu", preview.token, ADMIN, NOW, {session_id: GAP})
    assert (rosa, "monitoring_clinician") in team(session_id)
    alert = db.session.scalars(select(CoverageAlert).where(CoverageAlert.session_id == session_id)).one()
    assert alert.resolved_at is None and "called out" in alert.message
    db.session.rollback()
    # The daily check finds the same gap (the nurse on leave during it): the alert stays open, not doubled.
    report = check_coverage(NOW)
    assert (report.opened, report.resolved) == (0, 0)
    alert = db.session.scalars(select(CoverageAlert).where(CoverageAlert.session_id == session_id)).one()
    assert alert.resolved_at is None and "on leave" in alert.message


def test_a_choice_that_differs_from_the_preview_is_refused_as_stale(reachable):
    c = reachable
    rosa = c.nurses[0]
    session_id = iv(c, 0, 0, rosa)
    preview = preview_callout(rosa, *AWAY, NOW)
    with pytest.raises(CalloutStale):
        apply_callout(rosa, *AWAY, "", preview.token, ADMIN, NOW, {session_id: GAP})
    assert db.session.scalars(select(TimeOff)).all() == []


@pytest.mark.parametrize("starts, ends, field", [
    (at(19), at(7), "ends_at"),
    (at(7), at(7, days=15), "ends_at"),
    (at(7).replace(tzinfo=None), at(19), "starts_at"),
])
def test_a_span_that_makes_no_sense_is_refused_naming_the_field(clinic, starts, ends, field):
    with pytest.raises(InvalidData) as bad:
        preview_callout(clinic.nurses[0], starts, ends, NOW)
    assert [p.field for p in bad.value.problems] == [field]


def test_an_unknown_staff_member_is_refused_naming_the_field(clinic):
    with pytest.raises(InvalidData) as bad:
        preview_callout(9999, *AWAY, NOW)
    assert bad.value.problems[0].field == "staff_id"
