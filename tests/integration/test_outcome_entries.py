"""Outcome entries on both databases: scored by the product, corrected by superseding (audited), the course's trend."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from planner.db.models import AuditEvent, OutcomeEntry, Session
from planner.domain.errors import InvalidData, LinkRefused
from planner.domain.links import sign_link
from planner.extensions import db
from planner.services import SYSTEM, Actor
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.outcome_entries import EntryRefused, enter_from_link, enter_outcome
from planner.services.outcome_inputs import OutcomeIn
from planner.services.outcome_view import course_outcomes
from planner.services.patient_page import link_expiry
from tests.factories import booking_order, ready_patient

NURSE = Actor("nurse@clinic.example", None, "10.0.0.9")
LATER = datetime(2026, 12, 20, 12, tzinfo=timezone.utc)


@pytest.fixture
def course(course_clinic, clinic_clock):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), clinic_clock)
    return book_course(booking_order(proposal, patient), SYSTEM, clinic_clock)


def doses(course_id: int) -> list[Session]:
    db.session.rollback()
    return list(db.session.scalars(select(Session).where(Session.course_id == course_id, Session.purpose == "dose")
                                   .order_by(Session.starts_at)))


def phq9(total: int) -> list[int]:
    items = [0] * 9
    for k in range(8):
        items[k] = min(3, total - sum(items))
    return items


def test_entries_are_scored_by_the_product_and_the_trend_reads_progress_from_the_baseline_before_dose_1(course):
    first, later = doses(course)[0], doses(course)[3]
    patient = first.patient_id
    enter_outcome(patient, OutcomeIn(measure="phq9", items=phq9(20), taken_at=first.starts_at - timedelta(days=3),
                                     course_id=course), NURSE, LATER)
    # The last score before dose 1 is not the baseline: the first one is.
    enter_outcome(patient, OutcomeIn(measure="phq9", items=phq9(18), taken_at=first.starts_at - timedelta(hours=1),
                                     session_id=first.id), NURSE, LATER)
    done = enter_outcome(patient, OutcomeIn(measure="phq9", items=phq9(8), taken_at=later.starts_at,
                                            session_id=later.id), NURSE, LATER)
    assert (done.score.total, done.score.band, done.course_id) == (8, "mild", course)  # the session's course
    found = course_outcomes(course)
    (series,) = found.series
    assert [p.total for p in series.points] == [20, 18, 8] and series.baseline.total == 20
    assert series.progress.words == "PHQ-9 down 60% from baseline 20: response; not yet remission"
    assert found.first_dose_at == first.starts_at and len(found.doses) == len(doses(course))
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "outcome.entered")) == 3


def test_a_correction_supersedes_the_entry_both_are_kept_audited_and_an_entry_is_corrected_once(course):
    patient = doses(course)[0].patient_id
    wrong = enter_outcome(patient, OutcomeIn(measure="gad7", items=[3] * 7, course_id=course), NURSE, LATER)
    right = enter_outcome(patient, OutcomeIn(measure="gad7", items=[1] * 7, course_id=course,
                                             supersedes=wrong.entry_id), NURSE, LATER)
    found = course_outcomes(course)
    assert {e.id: e.superseded_by for e in found.entries} == {wrong.entry_id: right.entry_id, right.entry_id: None}
    assert [p.total for p in found.series[0].points] == [7]  # only the correction counts
    corrected = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "outcome.corrected")).one()
    assert corrected.details["supersedes"] == wrong.entry_id and corrected.actor == NURSE.label
    assert (corrected.details["before"]["total"], corrected.details["after"]["total"]) == (21, 7)
    with pytest.raises(EntryRefused):
        enter_outcome(patient, OutcomeIn(measure="gad7", items=[2] * 7, course_id=course, supersedes=wrong.entry_id),
                      NURSE, LATER)
    with pytest.raises(InvalidData) as other_measure:
        enter_outcome(patient, OutcomeIn(measure="phq9", items=[0] * 9, supersedes=right.entry_id), NURSE, LATER)
    assert other_measure.value.problems[0].field == "supersedes"
    assert db.session.scalar(select(func.count()).select_from(OutcomeEntry)) == 2


def test_an_entry_naming_another_patient_s_session_or_a_future_time_is_refused_and_nothing_is_written(course):
    other = ready_patient("READY-2")
    first = doses(course)[0]
    for given, field in ((OutcomeIn(measure="pain", items=[4], session_id=first.id), "session_id"),
                         (OutcomeIn(measure="pain", items=[4], course_id=course), "course_id"),
                         (OutcomeIn(measure="pain", items=[4], taken_at=LATER + timedelta(hours=1)), "taken_at"),
                         (OutcomeIn(measure="pain", items=[12]), "items[0]")):
        with pytest.raises(InvalidData) as refused:
            enter_outcome(other, given, NURSE, LATER)
        assert refused.value.problems[0].field == field
    assert db.session.scalar(select(func.count()).select_from(OutcomeEntry)) == 0


def test_the_patient_answers_from_their_link_once_per_appointment_and_an_outdated_link_answers_nothing(app, course,
                                                                                                      clinic_clock):
    first = doses(course)[0]
    secret = app.config["SECRET_KEY"]
    token = sign_link(first.id, first.version, link_expiry(first.starts_at), secret)
    done = enter_from_link(token, secret, "phq9", [1] * 8 + [2], clinic_clock, "10.1.1.1")
    assert done.score.flags == ("self_harm_item",) and done.course_id == course
    row = db.session.get(OutcomeEntry, done.entry_id)
    assert (row.entered_by, row.source, row.session_id, row.taken_at) == ("patient via link", "patient_link",
                                                                          first.id, clinic_clock)
    with pytest.raises(EntryRefused):
        enter_from_link(token, secret, "phq9", [0] * 9, clinic_clock)
    enter_from_link(token, secret, "pain", [3], clinic_clock)  # another measure, the same appointment
    stale = sign_link(first.id, first.version - 1 or 99, link_expiry(first.starts_at), secret)
    with pytest.raises(LinkRefused):
        enter_from_link(stale, secret, "gad7", [0] * 7, clinic_clock)
    with pytest.raises(LinkRefused):
        enter_from_link(token, secret, "gad7", [0] * 7, first.starts_at)  # expired when the dose begins
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutcomeEntry)) == 2


def test_the_database_itself_keeps_one_link_answer_per_appointment_and_measure(course, clinic_clock):
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    first = doses(course)[0]
    row = {"patient_id": first.patient_id, "course_id": course, "session_id": first.id, "measure": "phq9",
           "items": [0] * 9, "total": 0, "taken_at": clinic_clock, "source": "patient_link",
           "entered_by": "patient via link", "created_at": clinic_clock}
    db.session.execute(insert(OutcomeEntry), [row, {**row, "source": "staff", "entered_by": "nurse"}])
    db.session.commit()
    # Two taps of "Send" that both passed the service's check: the second is refused by the index.
    with pytest.raises(IntegrityError):
        db.session.execute(insert(OutcomeEntry), [row])
        db.session.commit()
    db.session.rollback()
