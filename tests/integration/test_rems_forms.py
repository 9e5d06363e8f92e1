"""The REMS patient monitoring form: owed when an esketamine dose is given, due in 7 site days, marked done, reopened."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from planner.db.models import AuditEvent, MonitoringForm
from planner.domain.calendar import to_utc
from planner.domain.errors import InvalidData, InvalidTransition, NotFound, StatusRefused
from planner.extensions import db
from planner.services import SYSTEM, Actor
from planner.services.accounts import create_user
from planner.services.booking import SessionOrder, book_session, change_status
from planner.services.checkin_vitals import review_held_dose
from planner.services.rems_forms import mark_done, owe_monitoring_form, reopen
from planner.services.rems_view import FormFilter, form_counts, form_history, monitoring_forms
from tests import factories as f

NY = "America/New_York"
BOOKED_AT = datetime(2026, 10, 1, 12, tzinfo=timezone.utc)
NURSE = Actor("rosa@clinic.example")


def order(clinic, stype: int, day: date, hour: int = 9, patient: int | None = None, chair: int = 0) -> SessionOrder:
    return SessionOrder(patient or clinic.patients[0], clinic.site, stype, to_utc(day, time(hour), NY),
                        clinic.chairs[chair], ((clinic.prescriber, "supervising_prescriber"),
                                               (clinic.nurses[chair % 2], "monitoring_clinician")))


def give(session_id: int, day: date, hour: int = 9) -> None:
    """Walk a session through check-in, the dose and its end on its own day."""
    change_status(session_id, "arrived", SYSTEM, to_utc(day, time(hour - 1, 45), NY), escort_confirmed=True)
    change_status(session_id, "in_progress", SYSTEM, to_utc(day, time(hour), NY))
    change_status(session_id, "fulfilled", SYSTEM, to_utc(day, time(hour + 2, 45), NY))


def forms() -> list[MonitoringForm]:
    db.session.rollback()
    found = db.session.scalars(select(MonitoringForm).order_by(MonitoringForm.id)).all()
    db.session.rollback()
    return list(found)


def on_shift(clinic, day: date) -> None:
    for person in (clinic.prescriber, *clinic.nurses):
        f.make_shift(person, clinic.site, day)


def test_a_form_is_owed_when_an_esketamine_dose_is_fulfilled_due_by_the_end_of_the_seventh_day(clinic):
    session_id = book_session(order(clinic, clinic.esketamine, f.MONDAY), SYSTEM, BOOKED_AT)
    change_status(session_id, "arrived", SYSTEM, to_utc(f.MONDAY, time(8, 45), NY), escort_confirmed=True)
    change_status(session_id, "in_progress", SYSTEM, to_utc(f.MONDAY, time(9), NY))
    assert forms() == []  # the dose is under way: the form is owed once the session has ended
    change_status(session_id, "fulfilled", SYSTEM, to_utc(f.MONDAY, time(11, 45), NY))
    [form] = forms()
    assert (form.session_id, form.prescriber_id, form.site_id, form.state) == (
        session_id, clinic.prescriber, clinic.site, "open")
    assert form.due_on == f.MONDAY + timedelta(days=7)
    assert form.due_at == to_utc(f.MONDAY + timedelta(days=8), time(0), NY)  # the next Monday ends at midnight
    db.session.rollback()
    owed = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "rems_form.owed"))
    assert owed == 1


def test_no_form_is_owed_for_an_iv_infusion_or_a_dose_held_then_cancelled(clinic):
    iv = book_session(order(clinic, clinic.iv, f.MONDAY), SYSTEM, BOOKED_AT)
    give(iv, f.MONDAY)
    held = book_session(order(clinic, clinic.esketamine, f.MONDAY, 13, clinic.patients[1], chair=1), SYSTEM, BOOKED_AT)
    change_status(held, "arrived", SYSTEM, to_utc(f.MONDAY, time(12, 45), NY), escort_confirmed=True)
    change_status(held, "held", SYSTEM, to_utc(f.MONDAY, time(12, 50), NY), "BP 150/95")
    change_status(held, "cancelled", SYSTEM, to_utc(f.MONDAY, time(13, 30), NY), "blood pressure 165/100")
    assert forms() == []


def test_a_dose_held_then_given_owes_its_form_once(clinic):
    held = book_session(order(clinic, clinic.esketamine, f.MONDAY), SYSTEM, BOOKED_AT)
    change_status(held, "arrived", SYSTEM, to_utc(f.MONDAY, time(8, 45), NY), escort_confirmed=True)
    change_status(held, "held", SYSTEM, to_utc(f.MONDAY, time(8, 50), NY), "BP 150/95")
    # Only the prescriber's review lets a held dose go on (domain.md, the check-in gate).
    prescriber = create_user("ada@clinic.example", "Ada Kim", "clinician", "correct horse battery", clinic.prescriber,
                             now=BOOKED_AT)
    review_held_dose(held, "clear", "repeat 136/86", Actor("ada@clinic.example", prescriber),
                     to_utc(f.MONDAY, time(9, 30), NY))
    change_status(held, "fulfilled", SYSTEM, to_utc(f.MONDAY, time(12), NY))
    assert [form.session_id for form in forms()] == [held]


def test_owing_a_form_twice_for_one_session_writes_one_and_a_second_fulfilment_is_refused(clinic):
    from planner.db.models import Session
    from planner.db.uow import unit_of_work

    session_id = book_session(order(clinic, clinic.esketamine, f.MONDAY), SYSTEM, BOOKED_AT)
    give(session_id, f.MONDAY)
    with pytest.raises(InvalidTransition):  # fulfilled is final: the lifecycle has no second fulfilment
        change_status(session_id, "fulfilled", SYSTEM, to_utc(f.MONDAY, time(15), NY))
    first = forms()[0].id
    with unit_of_work() as session:
        assert owe_monitoring_form(session, session.get(Session, session_id), NY, SYSTEM,
                                   to_utc(f.MONDAY, time(16), NY)) == first
        session.commit()
    assert [form.id for form in forms()] == [first]


def test_the_due_day_is_counted_in_the_sites_wall_time_across_the_autumn_clock_change(clinic):
    # Wed 28 Oct 2026 in New York: the clocks fall back on Sun 1 Nov, so the due day ends at
    # 05:00 UTC (midnight EST), not 04:00 (midnight EDT), and seven days later is Wed 4 Nov.
    day = date(2026, 10, 28)
    on_shift(clinic, day)
    session_id = book_session(order(clinic, clinic.esketamine, day, 15), SYSTEM, BOOKED_AT)
    give(session_id, day, 15)
    [form] = forms()
    assert form.due_on == date(2026, 11, 4)
    assert form.due_at == datetime(2026, 11, 5, 5, tzinfo=timezone.utc)


def test_a_form_is_overdue_from_the_first_instant_after_its_due_day_by_the_clock(clinic):
    session_id = book_session(order(clinic, clinic.esketamine, f.MONDAY), SYSTEM, BOOKED_AT)
    give(session_id, f.MONDAY)
    due_at = forms()[0].due_at
    before, after = due_at - timedelta(seconds=1), due_at
    assert [row.overdue for row in monitoring_forms(FormFilter(), before)] == [False]
    assert [row.overdue for row in monitoring_forms(FormFilter(), after)] == [True]
    assert monitoring_forms(FormFilter(overdue=True), before) == []
    assert [row.session_id for row in monitoring_forms(FormFilter(overdue=True), after)] == [session_id]
    assert (form_counts(before).open, form_counts(before).overdue) == (1, 0)
    assert (form_counts(after).open, form_counts(after).overdue) == (1, 1)


def test_marking_a_form_done_keeps_who_and_when_and_leaves_the_open_list(clinic):
    session_id = book_session(order(clinic, clinic.esketamine, f.MONDAY), SYSTEM, BOOKED_AT)
    give(session_id, f.MONDAY)
    form_id = forms()[0].id
    at = to_utc(f.MONDAY + timedelta(days=2), time(10), NY)
    done = mark_done(form_id, NURSE, at)
    assert (done.state, done.done_at, done.done_by) == ("done", at, NURSE.label)
    again = mark_done(form_id, SYSTEM, at + timedelta(hours=1))  # a second click changes nothing
    assert (again.done_at, again.done_by) == (at, NURSE.label)
    assert monitoring_forms(FormFilter(), at) == []
    assert [row.done_by for row in monitoring_forms(FormFilter(state="done"), at)] == [NURSE.label]
    assert [step.action for step in form_history(form_id)] == ["owed", "done"]


def test_reopening_a_done_form_needs_a_reason_and_is_audited_with_who_had_marked_it(clinic):
    session_id = book_session(order(clinic, clinic.esketamine, f.MONDAY), SYSTEM, BOOKED_AT)
    give(session_id, f.MONDAY)
    form_id = forms()[0].id
    at = to_utc(f.MONDAY + timedelta(days=1), time(10), NY)
    with pytest.raises(StatusRefused):
        reopen(form_id, "not sent", SYSTEM, at)  # still open: nothing to undo
    mark_done(form_id, NURSE, at)
    with pytest.raises(InvalidData) as blank:
        reopen(form_id, "   ", SYSTEM, at)
    assert blank.value.problems[0].field == "reason"
    reopened = reopen(form_id, "Marked on the wrong patient", Actor("admin@clinic.example"), at + timedelta(hours=1))
    assert (reopened.state, reopened.done_at, reopened.done_by) == ("open", None, None)
    steps = form_history(form_id)
    assert [(s.action, s.reason) for s in steps] == [("owed", ""), ("done", ""),
                                                     ("reopened", "Marked on the wrong patient")]
    db.session.rollback()
    details = db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == "rems_form.reopened"))
    assert details["done_by"] == NURSE.label
    with pytest.raises(NotFound):
        mark_done(form_id + 1000, NURSE, at)


def test_the_list_filters_by_prescriber_and_site(clinic):
    other = f.make_staff("Dr Ben Ode", ["MD"])
    f.make_shift(other, clinic.site, f.MONDAY)
    first = book_session(order(clinic, clinic.esketamine, f.MONDAY), SYSTEM, BOOKED_AT)
    second = book_session(SessionOrder(clinic.patients[1], clinic.site, clinic.esketamine,
                                       to_utc(f.MONDAY, time(9), NY), clinic.chairs[1],
                                       ((other, "supervising_prescriber"), (clinic.nurses[1], "monitoring_clinician"))),
                          SYSTEM, BOOKED_AT)
    give(first, f.MONDAY)
    give(second, f.MONDAY)
    now = to_utc(f.MONDAY, time(13), NY)
    assert [r.session_id for r in monitoring_forms(FormFilter(prescriber_id=other), now)] == [second]
    assert [r.prescriber_name for r in monitoring_forms(FormFilter(prescriber_id=clinic.prescriber), now)] == [
        "Dr Ada Kim"]
    assert len(monitoring_forms(FormFilter(site_id=clinic.site), now)) == 2
    assert monitoring_forms(FormFilter(site_id=clinic.site + 1), now) == []


def test_two_desks_fulfilling_one_dose_at_once_owe_one_form_and_the_second_is_refused(app, clinic):
    session_id = book_session(order(clinic, clinic.esketamine, f.MONDAY), SYSTEM, BOOKED_AT)
    change_status(session_id, "arrived", SYSTEM, to_utc(f.MONDAY, time(8, 45), NY), escort_confirmed=True)
    change_status(session_id, "in_progress", SYSTEM, to_utc(f.MONDAY, time(9), NY))
    db.session.rollback()
    barrier, outcomes = threading.Barrier(2), []

    def fulfil():
        with app.app_context():
            barrier.wait()
            try:
                change_status(session_id, "fulfilled", SYSTEM, to_utc(f.MONDAY, time(11, 45), NY))
                outcomes.append("fulfilled")
            except InvalidTransition:
                outcomes.append("refused")
            finally:
                db.session.remove()

    desks = [threading.Thread(target=fulfil) for _ in range(2)]
    for desk in desks:
        desk.start()
    for desk in desks:
        desk.join(timeout=30)
    assert sorted(outcomes) == ["fulfilled", "refused"]
    assert len(forms()) == 1
