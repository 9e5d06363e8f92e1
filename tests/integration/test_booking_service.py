"""Booking, moving and cancelling sessions through the services, on the real database."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from planner.db.models import AuditEvent, Session
from planner.domain.calendar import to_utc
from planner.domain.errors import BatchRefused, BookingRefused, InvalidTransition
from planner.extensions import db
from planner.services import Actor
from planner.services.booking import SessionOrder, book_session, book_sessions, cancel_session, reschedule_session
from tests.factories import MONDAY

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
RECEPTION = Actor("reception@example.org")


def at(hour: int, minute: int = 0, day_offset: int = 0):
    return to_utc(MONDAY + timedelta(days=day_offset), time(hour, minute), "America/New_York")


def iv_order(clinic, patient=0, chair=0, nurse=0, start=None):
    return SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, start or at(9), clinic.chairs[chair],
                        ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[nurse], "monitoring_clinician")))


def count_sessions() -> int:
    return db.session.scalar(select(func.count()).select_from(Session))


def test_a_safe_iv_session_is_booked_with_its_staff_and_an_audit_event(clinic):
    session_id = book_session(iv_order(clinic), RECEPTION, NOW)
    row = db.session.get(Session, session_id)
    assert row.status == "booked" and row.version == 1
    assert row.starts_at == at(9) and row.ends_at == at(10, 45)
    assert {(p.staff_id, p.role) for p in row.staff} == {(clinic.prescriber, "supervising_prescriber"),
                                                         (clinic.nurses[0], "monitoring_clinician")}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_id == str(session_id)))
    assert event.action == "session.booked" and event.actor == "reception@example.org"


def test_the_same_chair_cannot_be_booked_twice(clinic):
    book_session(iv_order(clinic), RECEPTION, NOW)
    with pytest.raises(BookingRefused) as refused:
        book_session(iv_order(clinic, patient=1, nurse=1, start=at(10)), RECEPTION, NOW)
    assert [r.code for r in refused.value.reasons] == ["room_taken"]
    assert count_sessions() == 1


def test_a_third_patient_for_one_nurse_is_refused_with_the_ratio(clinic):
    book_session(iv_order(clinic, patient=0, chair=0), RECEPTION, NOW)
    book_session(iv_order(clinic, patient=1, chair=1), RECEPTION, NOW)
    with pytest.raises(BookingRefused) as refused:
        book_session(iv_order(clinic, patient=2, chair=2), RECEPTION, NOW)
    assert [r.code for r in refused.value.reasons] == ["staff_over_capacity"]


def test_a_batch_is_all_or_nothing(clinic):
    orders = [iv_order(clinic, patient=0, chair=0), iv_order(clinic, patient=1, chair=0)]
    with pytest.raises(BatchRefused) as refused:
        book_sessions(orders, RECEPTION, NOW)
    assert list(refused.value.refusals) == [1]
    assert count_sessions() == 0


def test_rescheduling_raises_the_version_and_frees_the_old_time(clinic):
    first = book_session(iv_order(clinic), RECEPTION, NOW)
    assert reschedule_session(first, at(13), RECEPTION, NOW) == 2
    book_session(iv_order(clinic, patient=1, nurse=1, start=at(9)), RECEPTION, NOW)
    row = db.session.get(Session, first)
    assert row.starts_at == at(13)
    assert {p.starts_at for p in row.staff} == {at(13)}


def test_a_cancelled_session_releases_the_chair_and_cannot_be_cancelled_again(clinic):
    first = book_session(iv_order(clinic), RECEPTION, NOW)
    assert cancel_session(first, RECEPTION, NOW, "patient unwell") == 2
    book_session(iv_order(clinic, patient=1), RECEPTION, NOW)
    with pytest.raises(InvalidTransition):
        cancel_session(first, RECEPTION, NOW)
