"""The demo clinic as a newcomer meets it: `seed-demo` moves it to the current week, so today is busy."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from planner import clock
from planner.db.reads import fresh as rows
from planner.db.models import Session, Site
from planner.domain.calendar import local
from planner.domain.lifecycle import holds_place
from planner.extensions import db

SUNDAY = datetime(2026, 11, 29, 7, tzinfo=timezone.utc)          # both sites closed; the demo's own week
WEDNESDAY = datetime(2027, 3, 10, 15, tzinfo=timezone.utc)      # New York's clocks change that Sunday
SATURDAY = datetime(2027, 6, 12, 14, tzinfo=timezone.utc)       # only Brooklyn Heights opens


def seed_demo_at(app, monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)
    result = app.test_cli_runner().invoke(args=["planner", "seed-demo"])
    assert result.exit_code == 0, result.output
    db.session.rollback()  # see what the command committed


def session_days() -> set[tuple[int, date]]:
    """(site id, the site's local day) of every session that still takes place."""
    zones = dict(db.session.execute(select(Site.id, Site.timezone)).all())
    return {(s.site_id, local(s.starts_at, zones[s.site_id]).date())
            for s in db.session.scalars(select(Session)) if holds_place(s.status)}


@pytest.mark.parametrize("moment", [SUNDAY, WEDNESDAY, SATURDAY], ids=["sunday", "wednesday", "saturday"])
def test_a_freshly_seeded_demo_has_sessions_on_every_open_day_from_today_for_a_week(app, monkeypatch, moment):
    seed_demo_at(app, monkeypatch, moment)
    busy = session_days()
    for site_id in db.session.scalars(select(Site.id)):
        calendar = rows.site_rules(db.session, site_id).calendar
        today = calendar.local_day(moment)
        open_days = [today + timedelta(days=n) for n in range(7)
                     if calendar.open_intervals(today + timedelta(days=n), today + timedelta(days=n))]
        assert len(open_days) >= 4  # closures and weekends aside, the sites do open that week
        assert [day for day in open_days if (site_id, day) not in busy] == []


def test_on_an_open_weekday_both_sites_have_sessions_today(app, monkeypatch):
    seed_demo_at(app, monkeypatch, WEDNESDAY)
    busy = session_days()
    sites = dict(db.session.execute(select(Site.name, Site.id)).all())
    assert (sites["Brooklyn Heights"], date(2027, 3, 10)) in busy
    assert (sites["Camden"], date(2027, 3, 10)) in busy


def test_the_demo_queues_invites_and_reminders_for_what_is_still_ahead_and_nothing_for_the_past(app, monkeypatch):
    from planner.db.models import ClinicSettings, OutboxMessage

    seed_demo_at(app, monkeypatch, WEDNESDAY)
    messages = db.session.scalars(select(OutboxMessage)).all()
    starts = dict(db.session.execute(select(Session.id, Session.starts_at)).all())
    assert {m.kind for m in messages} >= {"invite", "reminder-24h", "reminder-2h"}
    assert all(starts[m.session_id] > WEDNESDAY for m in messages)
    assert {m.recipient_kind for m in messages if m.kind == "invite"} == {"patient", "staff"}
    assert db.session.get(ClinicSettings, 1).clinic_name == "Demo Clinic"


def test_the_demo_records_its_week_so_far_as_fulfilled_so_nothing_is_a_no_show(app, monkeypatch):
    from planner.services.no_shows import mark_no_shows

    seed_demo_at(app, monkeypatch, WEDNESDAY)
    past = db.session.scalars(select(Session).where(Session.ends_at <= WEDNESDAY)).all()
    assert past and {s.status for s in past} <= {"fulfilled", "cancelled"}
    assert mark_no_shows(WEDNESDAY) == 0


def test_each_esketamine_dose_the_demo_records_as_given_owes_one_rems_monitoring_form(app, monkeypatch):
    from planner.db.models import MonitoringForm, SessionType

    seed_demo_at(app, monkeypatch, WEDNESDAY)
    given = set(db.session.scalars(select(Session.id).join(SessionType, SessionType.id == Session.session_type_id)
                                   .where(Session.status == "fulfilled", SessionType.route == "intranasal",
                                          SessionType.kind.in_(("dosing", "booster")))))
    owed = db.session.scalars(select(MonitoringForm.session_id)).all()
    assert given and sorted(owed) == sorted(given)
