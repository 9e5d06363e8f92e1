"""`flask planner load-scenario | export-scenario | seed-demo` through the real command line."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from planner import clock
from planner.db.models import Session, Site, User
from planner.extensions import db
from planner.services.accounts import password_matches
from tests.integration.test_scenario_load import _unknown_room, small_scenario


def run(app, *args):
    return app.test_cli_runner().invoke(args=["planner", *args])


def count(model) -> int:
    db.session.rollback()  # see what the command committed
    return db.session.scalar(select(func.count()).select_from(model))


def write(tmp_path, data, name="clinic.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


def test_load_scenario_prints_what_it_loaded(app, tmp_path):
    result = run(app, "load-scenario", write(tmp_path, small_scenario()))
    assert result.exit_code == 0, result.output
    assert "Loaded clinic.json: 2 sites, 3 rooms, 4 staff, 20 shifts" in result.output
    assert count(Session) == 3


def test_load_scenario_lists_each_bad_field_and_exits_1_without_a_traceback(app, tmp_path):
    data = small_scenario()
    _unknown_room(data)
    data["patients"][0]["phone"] = "555-0100"
    result = run(app, "load-scenario", write(tmp_path, data))
    assert result.exit_code == 1
    assert "nothing was written" in result.output
    assert "  patients[0].phone: give the number in E.164 form" in result.output
    assert "Traceback" not in result.output and count(Site) == 0
    del data["patients"][0]["phone"]
    result = run(app, "load-scenario", write(tmp_path, data))
    assert result.exit_code == 1 and "  sessions[1].room: Midtown has no room named 'Chair 9'" in result.output


def test_load_scenario_refuses_a_file_that_is_not_json(app, tmp_path):
    result = run(app, "load-scenario", write(tmp_path, '{"format": "planner-scenario/1",'))
    assert result.exit_code == 1 and "is not valid JSON" in result.output and "Traceback" not in result.output


def test_load_scenario_with_rebase_moves_the_clinic_to_this_week(app, tmp_path):
    result = run(app, "load-scenario", "--rebase", write(tmp_path, small_scenario()))
    assert result.exit_code == 0, result.output
    today = clock.now().date()
    monday = today - timedelta(days=today.weekday())
    first = db.session.scalars(select(Session).order_by(Session.starts_at)).first()
    assert first.starts_at.date() == monday + timedelta(days=1)  # Tuesday 09:00 in New York is Tuesday in UTC


def test_export_scenario_writes_a_file_or_standard_output(app, tmp_path):
    run(app, "load-scenario", write(tmp_path, small_scenario()))
    target = tmp_path / "out.json"
    result = run(app, "export-scenario", str(target))
    assert result.exit_code == 0 and "Exported to" in result.output
    written = json.loads(target.read_text(encoding="utf-8"))
    assert len(written["sessions"]) == 3 and "password" not in target.read_text(encoding="utf-8")
    result = run(app, "export-scenario", "-")
    assert result.exit_code == 0 and json.loads(result.stdout) == written


def test_seed_demo_loads_the_demo_once_and_shows_the_logins_every_time(app):
    first = run(app, "seed-demo")
    assert first.exit_code == 0, first.output
    assert "Loaded the demo clinic" in first.output
    for login in ("admin@demo.clinic", "reception@demo.clinic", "clinician@demo.clinic", "demo-password-1"):
        assert login in first.output
    assert "demo password" in first.output
    sessions = count(Session)
    assert sessions > 50
    second = run(app, "seed-demo")
    assert second.exit_code == 0 and "Demo clinic already loaded" in second.output
    assert "clinician@demo.clinic" in second.output
    assert count(Session) == sessions and count(Site) == 2
    user = db.session.scalar(select(User).where(User.email == "clinician@demo.clinic"))
    assert password_matches(user.password_hash, "demo-password-1") and user.staff_id is not None


def test_seed_demo_leaves_a_database_with_another_clinic_alone(app, tmp_path):
    run(app, "load-scenario", write(tmp_path, small_scenario()))
    result = run(app, "seed-demo")
    assert result.exit_code == 0 and "Nothing changed" in result.output
    assert count(Site) == 2 and "admin@demo.clinic" not in result.output
