"""The scheduler's no-show job: a session nobody checked in for is marked, through the one status path."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from planner.db.models import Session
from planner.domain.calendar import to_utc
from planner.extensions import db
from planner.jobs import build_scheduler
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session, change_status
from planner.services.no_shows import mark_no_shows
from tests.factories import MONDAY

BOOKED_AT = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
NINE = to_utc(MONDAY, time(9), "America/New_York")


def book(clinic, patient=0, chair=0, start=NINE):
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, start, clinic.chairs[chair],
                                     ((clinic.prescriber, "supervising_prescriber"),
                                      (clinic.nurses[chair % 2], "monitoring_clinician"))), SYSTEM, BOOKED_AT)


def status(session_id):
    db.session.rollback()
    return db.session.get(Session, session_id).status


def test_a_session_nobody_checked_in_for_is_a_no_show_an_hour_after_its_end_and_not_before(clinic):
    missed, came = book(clinic), book(clinic, patient=1, chair=1)
    change_status(came, "arrived", SYSTEM, NINE, escort_confirmed=True)
    end = NINE + timedelta(hours=1, minutes=45)
    assert mark_no_shows(end + timedelta(minutes=59)) == 0
    assert mark_no_shows(end + timedelta(hours=1)) == 1
    assert (status(missed), status(came)) == ("no_show", "arrived")
    assert mark_no_shows(end + timedelta(hours=2)) == 0  # already done: nothing twice


def test_the_scheduler_runs_the_outbox_every_30_seconds_beside_the_other_jobs(app):
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"send-outbox", "no-shows", "expire-feeds", "credential-expiry",
                         "coverage-check", "consent-expiry"}
    assert jobs["send-outbox"].trigger.interval == timedelta(seconds=30)
    assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())
