"""The daily coverage check: a session that lost cover makes one alert, which resolves when cover is back."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import delete, insert, select

from planner.db.models import CoverageAlert, Credential, TimeOff
from planner.domain.calendar import to_utc
from planner.extensions import db
from planner.jobs import run_job
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from planner.services.coverage import coverage_day
from planner.db import reads
from planner.services.coverage_check import check_coverage
from tests import factories as f
from tests.factories import MONDAY

BOOKED_AT = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
CHECK_AT = datetime(2026, 11, 21, 6, tzinfo=timezone.utc)  # the Saturday before MONDAY: its sessions are ahead
NINE = to_utc(MONDAY, time(9), "America/New_York")


def book(clinic, nurse=0, start=NINE, patient=0):
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, start, clinic.chairs[patient],
                                     ((clinic.prescriber, "supervising_prescriber"),
                                      (clinic.nurses[nurse], "monitoring_clinician"))), SYSTEM, BOOKED_AT)


def alerts():
    db.session.rollback()
    return db.session.execute(select(CoverageAlert.key, CoverageAlert.resolved_at)
                              .order_by(CoverageAlert.id)).all()


def leave_written_straight_into_the_table(staff_id, start, end):
    """Time off as an old database holds it: no API, no cover check."""
    db.session.execute(insert(TimeOff).values(staff_id=staff_id, starts_at=start, ends_at=end, reason="sick"))
    db.session.commit()


def test_a_nurses_leave_written_into_the_table_makes_one_alert_and_removing_it_resolves_it(clinic):
    session_id = book(clinic)
    assert check_coverage(CHECK_AT).opened == 0
    leave_written_straight_into_the_table(clinic.nurses[0], NINE - timedelta(hours=1), NINE + timedelta(hours=8))
    first = check_coverage(CHECK_AT)
    second = check_coverage(CHECK_AT + timedelta(hours=1))
    assert (first.opened, second.opened, second.still_open) == (1, 0, 1)
    assert alerts() == [(f"session:{session_id}", None)]
    [shown] = reads.open_alerts(db.session)
    assert shown.session_id == session_id and "Rosa Diaz (RN) is on leave" in shown.message
    db.session.execute(delete(TimeOff))
    db.session.commit()
    later = CHECK_AT + timedelta(hours=2)
    assert check_coverage(later).resolved == 1
    [(key, resolved_at)] = alerts()
    assert key == f"session:{session_id}" and resolved_at == later
    assert reads.open_alerts(db.session) == []


def test_a_session_beyond_14_days_or_with_its_cover_intact_makes_no_alert(clinic):
    book(clinic, nurse=1)
    uncovered = book(clinic, nurse=0, patient=1)
    leave_written_straight_into_the_table(clinic.nurses[0], NINE - timedelta(hours=1), NINE + timedelta(hours=8))
    assert check_coverage(NINE - timedelta(days=15)).opened == 0  # the Monday is more than 14 days away
    report = check_coverage(CHECK_AT)
    assert report.opened == 1 and [key for key, _ in alerts()] == [f"session:{uncovered}"]  # the other nurse's is fine


def test_a_credential_lapsing_within_60_then_30_days_is_one_alert_at_a_time(clinic):
    holder = f.make_staff("Dr Lee Ward", ["MD"], f.credentials("licence", "bls"))
    acls = f.make_credential(holder, "acls", date(2025, 1, 1), date(2027, 1, 31))
    assert check_coverage(datetime(2026, 11, 20, tzinfo=timezone.utc)).opened == 0
    assert check_coverage(datetime(2026, 12, 2, tzinfo=timezone.utc)).opened == 1
    assert check_coverage(datetime(2026, 12, 3, tzinfo=timezone.utc)).opened == 0
    report = check_coverage(datetime(2027, 1, 1, tzinfo=timezone.utc))
    assert (report.opened, report.resolved) == (1, 1)  # the 30-day alert replaces the 60-day one
    assert [(key, resolved is None) for key, resolved in alerts()] == [(f"credential:{acls}:60d", False),
                                                                     (f"credential:{acls}:30d", True)]


def test_a_credential_lapsing_under_a_booked_session_is_an_uncovered_session(clinic):
    session_id = book(clinic)
    # The prescriber's ACLS is renewed late: a credential row that lapsed before the session, and nothing after it.
    db.session.execute(Credential.__table__.update().where(Credential.staff_id == clinic.prescriber,
                                                           Credential.kind == "acls")
                       .values(expires_on=MONDAY - timedelta(days=1)))
    db.session.commit()
    check_coverage(CHECK_AT)
    keys = [key for key, _ in alerts()]
    assert f"session:{session_id}" in keys
    [uncovered] = [a for a in reads.open_alerts(db.session) if a.session_id == session_id]
    assert "no valid ACLS" in uncovered.message


def test_the_job_and_the_command_run_the_check(app, clinic, clinic_clock, caplog):
    caplog.set_level("INFO", logger="planner.jobs")
    book(clinic)
    leave_written_straight_into_the_table(clinic.nurses[0], NINE - timedelta(hours=1), NINE + timedelta(hours=8))
    run_job(app, "coverage-check", check_coverage)
    assert "job coverage-check done: 1 opened, 0 still open, 0 resolved" in caplog.text
    result = app.test_cli_runner().invoke(args=["planner", "check-coverage"])
    assert result.exit_code == 0 and "Coverage check: 0 opened, 1 still open, 0 resolved." in result.output


def test_the_coverage_day_counts_a_dose_and_lists_the_credential_it_depends_on(clinic):
    session_id = book(clinic)
    db.session.execute(Credential.__table__.update().where(Credential.staff_id == clinic.prescriber,
                                                           Credential.kind == "acls")
                       .values(expires_on=date(2027, 1, 15)))
    db.session.commit()
    lapsing = db.session.scalar(select(Credential.id).where(Credential.staff_id == clinic.prescriber,
                                                            Credential.kind == "acls"))
    day = coverage_day(clinic.site, MONDAY, BOOKED_AT)
    assert len(day.quarters) == 96
    assert max(q.load for q in day.quarters) == 1 and [d.id for d in day.dosing] == [session_id]
    [risk] = [c for c in day.credentials if c.credential.id == lapsing]
    assert [(s.id, s.role, s.after_expiry) for s in risk.sessions] == [(session_id, "supervising_prescriber", False)]


def statements_of(call) -> int:
    """How many statements call() sends (transaction control left out), the driver's own reads included."""
    from sqlalchemy import event

    from planner.db.reads import sql

    seen: list[str] = []

    def note(_conn, _cursor, statement, *_):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    sql.watchers.append(seen.append)
    try:
        call()
    finally:
        sql.watchers.remove(seen.append)
        event.remove(db.engine, "before_cursor_execute", note)
    return len(seen)


def test_the_check_and_the_page_read_a_site_in_the_same_few_statements_however_many_sessions_it_has(clinic):
    def book_on(day_offset, patient):
        start = NINE + timedelta(days=day_offset)
        return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, start,
                                         clinic.chairs[patient], ((clinic.prescriber, "supervising_prescriber"),
                                                                  (clinic.nurses[patient], "monitoring_clinician"))),
                            SYSTEM, BOOKED_AT)

    def measure():
        check_coverage(CHECK_AT)  # warm: the kept configuration is read once per change
        coverage_day(clinic.site, MONDAY, BOOKED_AT)
        return statements_of(lambda: check_coverage(CHECK_AT)), statements_of(
            lambda: coverage_day(clinic.site, MONDAY + timedelta(days=1), BOOKED_AT))

    book_on(0, 0)
    book_on(1, 1)
    few = measure()
    for day in (1, 2, 3, 4):
        book_on(day, 0)
    for day in (2, 3):
        book_on(day, 1)
    assert measure() == few
    assert few[0] <= 8 and few[1] <= 10, few
