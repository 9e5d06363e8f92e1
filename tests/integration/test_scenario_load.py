"""Loading scenario files: the demo clinic, a small clinic, and bad files that must load nothing."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from planner import ROOT
from planner.db.reads import fresh as rows
from planner.db.models import AuditEvent, Patient, Session, Shift, Site, Staff, TimeOff, User
from planner.domain.booking import check_session
from planner.domain.clinic import Placement, SessionRequest
from planner.domain.errors import InvalidData
from planner.domain.lifecycle import holds_place
from planner.extensions import db
from planner.services import Actor
from planner.services.accounts import password_matches
from planner.services.scenario import load_scenario

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
ADMIN = Actor("admin@example.org")
DEMO = ROOT / "scenarios" / "demo-clinic.json"
PRESCRIBER, MONITOR = ["MD", "DO", "NP", "PA"], ["RN", "NP", "MD", "DO", "PA"]
NY, LONDON = ZoneInfo("America/New_York"), ZoneInfo("Europe/London")


def demo() -> dict:
    return json.loads(DEMO.read_text(encoding="utf-8"))


def _creds(*kinds: str) -> list[dict]:
    return [{"kind": k, "issued_on": "2020-01-01", "expires_on": "2030-12-31"} for k in kinds]


def _week(site: str, start: str, end: str, days=range(23, 28)) -> list[dict]:
    return [{"site": site, "day": f"2026-11-{d}", "start": start, "end": end} for d in days]


def small_scenario() -> dict:
    """Two sites in two zones, four staff, three patients, three sessions in the week of 23 Nov 2026."""
    return copy.deepcopy({
        "format": "planner-scenario/1", "anchor": "2026-11-23",
        "sites": [
            {"name": "Midtown", "timezone": "America/New_York", "esketamine_certified": True,
             "hours": [{"weekday": d, "opens": "08:00", "closes": "18:00"} for d in range(5)],
             "closures": [{"day": "2026-11-26", "reason": "Thanksgiving"}], "limits": {"monitoring_clinician": 2}},
            {"name": "Islington", "timezone": "Europe/London",
             "hours": [{"weekday": d, "opens": "09:00", "closes": "17:00"} for d in range(5)]},
        ],
        "rooms": [
            {"site": "Midtown", "name": "Chair 1", "kind": "infusion_chair",
             "capabilities": ["pulse_oximeter", "infusion_pump_monitor"]},
            {"site": "Midtown", "name": "Chair 2", "kind": "infusion_chair", "capabilities": ["infusion_pump_monitor"]},
            {"site": "Islington", "name": "Room 1", "kind": "therapy_office", "capabilities": ["therapy"]},
        ],
        "staff": [
            {"name": "Dr Ada Kim", "email": "Ada@Example.org", "disciplines": ["MD"],
             "credentials": _creds("licence", "acls", "bls"), "shifts": _week("Midtown", "08:00", "18:00")},
            {"name": "Rosa Diaz", "email": "rosa@example.org", "disciplines": ["RN"],
             "credentials": _creds("licence", "bls"), "shifts": _week("Midtown", "08:00", "16:00"),
             "time_off": [{"first_day": "2026-12-01", "last_day": "2026-12-04", "reason": "Leave"}]},
            {"name": "Sam Lee", "email": "sam@example.org", "disciplines": ["RN"],
             "credentials": _creds("licence", "bls"), "shifts": _week("Midtown", "08:00", "16:00")},
            {"name": "Theo Park", "email": "theo@example.org", "disciplines": ["therapist"],
             "credentials": _creds("licence"), "shifts": _week("Islington", "09:00", "17:00")},
        ],
        "patients": [
            {"mrn": f"MRN-{i}", "name": f"Patient {i}", "date_of_birth": "1980-05-17",
             "email": f"p{i}@example.org", "consented_channels": ["email"], "screening_status": "cleared",
             "consent_status": "signed"} for i in (1, 2, 3)
        ],
        "session_types": [
            {"key": "iv", "name": "IV ketamine infusion", "kind": "dosing", "route": "IV", "active_minutes": 40,
             "observation_minutes": 65, "room_capability": "infusion_pump_monitor", "role_requirements": [
                 {"role": "supervising_prescriber", "disciplines": PRESCRIBER, "credentials": ["licence", "acls"]},
                 {"role": "monitoring_clinician", "disciplines": MONITOR, "credentials": ["licence", "bls"]}]},
            {"key": "integration", "name": "Integration", "kind": "integration", "route": "none",
             "active_minutes": 50, "room_capability": "therapy",
             "role_requirements": [{"role": "therapist", "disciplines": ["therapist"], "credentials": ["licence"]}]},
        ],
        "sessions": [
            {"patient": "MRN-1", "site": "Midtown", "type": "iv", "start": "2026-11-24T09:00", "room": "Chair 1",
             "staff": [{"staff": "ada@example.org", "role": "supervising_prescriber"},
                       {"staff": "rosa@example.org", "role": "monitoring_clinician"}]},
            {"patient": "MRN-2", "site": "Midtown", "type": "iv", "start": "2026-11-24T09:30", "room": "Chair 2",
             "staff": [{"staff": "ada@example.org", "role": "supervising_prescriber"},
                       {"staff": "sam@example.org", "role": "monitoring_clinician"}]},
            {"patient": "MRN-3", "site": "Islington", "type": "integration", "start": "2026-11-25T10:00",
             "room": "Room 1", "staff": [{"staff": "theo@example.org", "role": "therapist"}]},
        ],
        "users": [
            {"email": "ada.kim@example.org", "name": "Ada Kim", "role": "clinician", "staff": "ada@example.org",
             "password": "a-long-enough-password"},
            {"email": "desk@example.org", "name": "Front Desk", "role": "reception", "staff": None},
        ],
    })


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def refused(data: dict, rebase_to: date | None = None) -> dict[str, str]:
    """Load data expecting refusal; the problems by path. Checks that nothing was written."""
    with pytest.raises(InvalidData) as error:
        load_scenario(data, ADMIN, NOW, rebase_to)
    for model in (Site, Staff, Shift, Patient, Session, User, AuditEvent):
        assert count(model) == 0, model
    return {p.field: p.message for p in error.value.problems}


def rule_breaches() -> dict[int, list[str]]:
    """Every held session re-checked with the booking rules against the database, by session id."""
    breaches = {}
    for row in db.session.scalars(select(Session)):
        if not holds_place(row.status):
            continue
        site = rows.site_rules(db.session, row.site_id)
        request = SessionRequest(rows.patient_rules(row.patient), site, rows.session_type_rules(row.session_type),
                                 row.starts_at, row.room_id, tuple(Placement(p.staff_id, p.role) for p in row.staff))
        state = rows.reference(db.session, site, request.window, {p.staff_id for p in row.staff}, {row.patient_id})
        reasons = [r.message for r in check_session(request, state, NOW, ignore_session_id=row.id)
                   if r.code != "starts_in_past"]
        if reasons:
            breaches[row.id] = reasons
    return breaches


def test_the_demo_clinic_loads_moved_to_a_spring_week_and_every_session_passes_the_rules(app):
    counts = load_scenario(demo(), ADMIN, NOW, rebase_to=date(2027, 3, 10))
    assert counts["sites"] == 2 and counts["staff"] >= 18 and counts["patients"] >= 35
    assert counts["sessions"] >= 55 and counts["rooms"] >= 11 and counts["users"] == 4
    assert rule_breaches() == {}
    # Moved by whole weeks onto the week of Monday 8 March 2027: wall times hold across the US change on 14 March.
    patel = db.session.scalar(select(Staff.id).where(Staff.email == "maya.patel@demo.clinic"))
    shifts = db.session.scalars(select(Shift).where(Shift.staff_id == patel).order_by(Shift.starts_at)).all()
    first, later = shifts[0].starts_at.astimezone(NY), shifts[5].starts_at.astimezone(NY)
    assert first.date() == date(2027, 3, 8) and later.date() >= date(2027, 3, 15)
    assert first.time() == later.time() == time(7, 30)
    assert first.utcoffset() != later.utcoffset()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scenario.loaded"))
    assert event.details["sessions"] == counts["sessions"] and event.details["anchor"] == "2027-03-08"


def test_the_demo_clinic_has_what_the_demo_promises(app):
    data = demo()
    assert {s["name"]: s["timezone"] for s in data["sites"]} == {"Brooklyn Heights": "America/New_York",
                                                                  "Camden": "Europe/London"}
    anchor = date.fromisoformat(data["anchor"])
    soon = [c for m in data["staff"] for c in m["credentials"]
            if anchor <= date.fromisoformat(c["expires_on"]) <= anchor + timedelta(days=24)]
    assert len(soon) == 1
    assert sum(1 for m in data["staff"] if m["time_off"]) == 1
    assert {u["email"] for u in data["users"]} == {"admin@demo.clinic", "reception@demo.clinic",
                                                   "clinician@demo.clinic", "therapist@demo.clinic"}
    days = {date.fromisoformat(s["start"][:10]) for s in data["sessions"]}
    assert min(days) >= anchor and max(days) < anchor + timedelta(weeks=2)


def test_a_small_scenario_loads_with_its_links_local_times_and_logins(app):
    counts = load_scenario(small_scenario(), ADMIN, NOW)
    assert counts == {"sites": 2, "rooms": 3, "staff": 4, "shifts": 20, "time_off": 1, "patients": 3,
                      "session_types": 2, "sessions": 3, "users": 2}
    theo = db.session.scalar(select(Staff).where(Staff.email == "theo@example.org"))
    assert theo.shifts[0].starts_at.astimezone(LONDON).time() == time(9, 0)
    rosa = db.session.scalar(select(Staff).where(Staff.email == "rosa@example.org"))
    leave = db.session.scalar(select(TimeOff).where(TimeOff.staff_id == rosa.id))
    assert leave.starts_at == datetime(2026, 12, 1, tzinfo=NY) and leave.ends_at == datetime(2026, 12, 5, tzinfo=NY)
    ada_login = db.session.scalar(select(User).where(User.email == "ada.kim@example.org"))
    assert ada_login.staff_id == db.session.scalar(select(Staff.id).where(Staff.email == "ada@example.org"))
    assert password_matches(ada_login.password_hash, "a-long-enough-password")
    desk = db.session.scalar(select(User).where(User.email == "desk@example.org"))
    assert desk.staff_id is None and not password_matches(desk.password_hash, "")
    first = db.session.scalars(select(Session).order_by(Session.starts_at)).first()
    assert first.starts_at == datetime(2026, 11, 24, 9, 0, tzinfo=NY) and first.version == 1
    assert {(p.role, p.ends_at - p.starts_at) for p in first.staff} == {
        ("supervising_prescriber", timedelta(minutes=105)), ("monitoring_clinician", timedelta(minutes=105))}
    assert rule_breaches() == {}


def test_history_and_released_sessions_load_without_the_rules_refusing_them(app):
    data = small_scenario()
    # A cancelled session may sit where another session now is; a past one is history, not a new booking.
    data["sessions"].append({**data["sessions"][0], "patient": "MRN-3", "status": "cancelled", "note": "unwell"})
    counts = load_scenario(data, ADMIN, datetime(2026, 12, 20, tzinfo=timezone.utc))
    assert counts["sessions"] == 4
    assert db.session.scalar(select(Session.note).where(Session.status == "cancelled")) == "unwell"


def test_a_second_load_of_the_same_clinic_is_refused_by_site_name(app):
    load_scenario(small_scenario(), ADMIN, NOW)
    with pytest.raises(InvalidData) as error:
        load_scenario(small_scenario(), ADMIN, NOW)
    problems = {p.field: p.message for p in error.value.problems}
    assert set(problems) == {"sites[0].name", "sites[1].name"}
    assert "already has a site named 'Midtown'" in problems["sites[0].name"]
    assert count(Site) == 2 and count(Session) == 3


def _unknown_room(d):
    d["sessions"][1]["room"] = "Chair 9"


def _bad_zone(d):
    d["sites"][1]["timezone"] = "Europe/Camden"


def _end_before_start(d):
    d["staff"][2]["shifts"][3].update(start="16:00", end="08:00")


def _conflict(d):
    d["sessions"][1]["room"] = "Chair 1"


def _duplicate_mrn(d):
    d["patients"][2]["mrn"] = "MRN-1"


def _dst_gap(d):
    d["sessions"][2].update(site="Midtown", start="2026-03-08T02:30", type="iv", room="Chair 2")


def _unknown_staff(d):
    d["sessions"][0]["staff"][1]["staff"] = "nobody@example.org"


def _typo(d):
    d["rooms"][0]["colour"] = "blue"


def _no_acls(d):
    d["staff"][0]["credentials"] = _creds("licence", "bls")


def _anchor_on_a_tuesday(d):
    d["anchor"] = "2026-11-24"


def _shift_in_gap(d):
    d["staff"][3]["shifts"][0].update(day="2026-03-29", start="01:30")


def _two_logins(d):
    d["users"][1]["staff"] = "ada@example.org"


@pytest.mark.parametrize(("breakage", "path", "words"), [
    (_unknown_room, "sessions[1].room", "no room named 'Chair 9'"),
    (_bad_zone, "sites[1].timezone", "IANA time zone"),
    (_end_before_start, "staff[2].shifts[3].end", "after start"),
    (_conflict, "sessions[1]", "Chair 1 is taken"),
    (_duplicate_mrn, "patients[2].mrn", "MRN-1"),
    (_dst_gap, "sessions[2].start", "does not exist in America/New_York"),
    (_unknown_staff, "sessions[0].staff[1].staff", "nobody@example.org"),
    (_typo, "rooms[0].colour", "not permitted"),
    (_no_acls, "sessions[0]", "ACLS"),
    (_anchor_on_a_tuesday, "anchor", "Monday"),
    (_shift_in_gap, "staff[3].shifts[0].start", "does not exist in Europe/London"),
    (_two_logins, "users[1].staff", "already has the active account ada.kim@example.org: one person, one login"),
])
def test_a_bad_file_loads_nothing_and_names_the_bad_field(app, breakage, path, words):
    data = small_scenario()
    breakage(data)
    problems = refused(data)
    assert path in problems, problems
    assert words in problems[path]


def test_every_problem_of_a_kind_is_reported_at_once(app):
    data = small_scenario()
    for breakage in (_unknown_room, _duplicate_mrn, _shift_in_gap, _unknown_staff):
        breakage(data)
    # MRN-3 is gone, so the session that names it is reported too.
    assert set(refused(data)) == {"sessions[1].room", "patients[2].mrn", "staff[3].shifts[0].start",
                                  "sessions[0].staff[1].staff", "sessions[2].patient"}
    data = small_scenario()
    for breakage in (_bad_zone, _end_before_start, _typo):
        breakage(data)
    assert set(refused(data)) == {"sites[1].timezone", "staff[2].shifts[3].end", "rooms[0].colour"}


def test_moving_a_file_to_another_week_needs_its_anchor(app):
    data = small_scenario()
    del data["anchor"]
    assert "anchor" in refused(data, rebase_to=date(2027, 1, 6))


def test_a_time_that_moving_the_file_lands_in_a_dst_gap_is_refused(app):
    data = small_scenario()
    data["staff"][3]["shifts"].append({"site": "Islington", "day": "2026-11-29", "start": "01:30", "end": "05:00"})
    # Sunday 29 Nov 2026 moves to Sunday 28 March 2027, when London's clocks jump from 01:00 to 02:00.
    assert refused(data, rebase_to=date(2027, 3, 24)) == {
        "staff[3].shifts[5].start": "2027-03-28 01:30 does not exist in Europe/London: the clocks jump forward over it."}
    assert load_scenario(data, ADMIN, NOW)["shifts"] == 21


def test_the_example_in_the_format_documentation_loads(app):
    page = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    example = json.loads(page.split("```json\n", 1)[1].split("```", 1)[0])
    counts = load_scenario(example, ADMIN, NOW)
    assert counts["sessions"] == 1 and counts["users"] == 2 and counts["time_off"] == 1
    assert rule_breaches() == {}
