"""The REMS duties' pure rules: enrolment before the dose's local day; the monitoring form's due day and overdue moment."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from planner.domain.rems import FORM_DUE_DAYS, enrolment_reasons, esketamine_reasons, form_due, is_overdue
from tests.unit.builders import esketamine, iv_infusion, make_site

SESSION_DAY = date(2026, 6, 15)


def test_a_patient_enrolled_on_the_sessions_day_may_be_dosed_and_one_enrolled_the_day_after_may_not():
    assert enrolment_reasons(SESSION_DAY, SESSION_DAY) == []
    assert [r.code for r in enrolment_reasons(SESSION_DAY + timedelta(days=1), SESSION_DAY)] == [
        "patient_not_rems_enrolled"]
    assert [r.code for r in enrolment_reasons(None, SESSION_DAY)] == ["patient_not_rems_enrolled"]


def test_an_uncertified_site_and_a_missing_enrolment_are_both_named_and_an_iv_type_needs_neither():
    site = make_site(esketamine_certified=False)
    assert [r.code for r in esketamine_reasons(esketamine(), site, None, SESSION_DAY)] == [
        "site_not_rems_certified", "patient_not_rems_enrolled"]
    assert esketamine_reasons(iv_infusion(), site, None, SESSION_DAY) == []


def test_the_form_is_due_by_the_end_of_the_seventh_local_day_after_the_session():
    due = form_due(date(2026, 11, 24), "America/New_York")  # a Tuesday
    assert FORM_DUE_DAYS == 7
    assert due.due_on == date(2026, 12, 1)  # the next Tuesday
    assert due.due_at == datetime(2026, 12, 2, 5, tzinfo=timezone.utc)  # Wednesday 00:00 EST


def test_the_due_day_ends_at_local_midnight_across_the_spring_clock_change_in_new_york_and_london():
    # New York springs forward on Sun 8 Mar 2026: a Mon 2 Mar session's form is due Mon 9 Mar, ending 04:00 UTC (EDT).
    assert form_due(date(2026, 3, 2), "America/New_York").due_at == datetime(2026, 3, 10, 4, tzinfo=timezone.utc)
    # London springs forward on Sun 29 Mar 2026: due Tue 31 Mar, ending at midnight BST, 23:00 UTC the day before.
    london = form_due(date(2026, 3, 24), "Europe/London")
    assert (london.due_on, london.due_at) == (date(2026, 3, 31), datetime(2026, 3, 31, 23, tzinfo=timezone.utc))


def test_an_open_form_is_overdue_from_the_instant_its_due_day_ends_and_a_done_one_never_is():
    due = form_due(SESSION_DAY, "Europe/London").due_at
    assert not is_overdue("open", due, due - timedelta(microseconds=1))
    assert is_overdue("open", due, due)
    assert not is_overdue("done", due, due + timedelta(days=30))
