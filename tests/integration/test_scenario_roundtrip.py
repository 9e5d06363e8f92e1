"""Exporting the clinic as a scenario: wall times, no passwords, and load(export) giving the same document."""

from __future__ import annotations

import importlib.util
import json
from datetime import date, datetime, timezone

import pytest

from planner import ROOT
from planner.domain.errors import InvalidData
from planner.services.scenario import load_scenario
from planner.services.scenario_export import export_scenario, to_json
from tests import factories as f
from tests.factories import empty_all_tables
from tests.integration.test_scenario_load import ADMIN, NOW, demo, small_scenario


def empty_database() -> None:
    """Empty every table, as the app fixture does before each test."""
    empty_all_tables()


def without_passwords(doc: dict) -> dict:
    doc = json.loads(json.dumps(doc))
    for user in doc["users"]:
        user.pop("password", None)
    return doc


def unusual_scenario() -> dict:
    """The small clinic written by hand in no particular order, with the rarer forms of each record."""
    data = small_scenario()
    data["sites"].reverse()
    data["staff"].reverse()  # Theo (London) first, Ada last
    data["staff"][1]["shifts"].append({"site": "Midtown", "day": "2026-11-27", "start": "22:00",
                                       "end_day": "2026-11-28", "end": "06:00"})  # a night shift
    data["staff"][1]["time_off"] = [{"from": "2026-12-02T13:00:00-05:00", "to": "2026-12-02T18:30:00+00:00",
                                     "reason": "Dentist"}]
    data["staff"][0]["time_off"] = [{"first_day": "2026-12-07", "last_day": "2026-12-07"}]  # a London day
    data["sessions"].reverse()
    data["sessions"].append({**data["sessions"][2], "patient": "MRN-3", "status": "cancelled", "note": "unwell"})
    data["sessions"].append({**data["sessions"][0], "start": "2026-11-20T11:15:30", "status": "fulfilled"})
    data["staff"][0]["shifts"].insert(0, {"site": "Islington", "day": "2026-11-20", "start": "09:00",
                                          "end": "17:00"})
    data["patients"][0].update(phone="+447700900123", consented_channels=["sms", "email"], preferred_channel="sms",
                               escort_name="Jo Doe", rems_patient_id="SPR-1", rems_enrolled_on="2026-01-05")
    del data["anchor"]
    return data


def test_exporting_the_loaded_demo_gives_back_the_demo_file_without_its_passwords(app):
    load_scenario(demo(), ADMIN, NOW)
    exported = export_scenario()
    assert exported == without_passwords(demo())
    assert "password" not in to_json(exported)


def test_the_committed_demo_file_is_what_build_demo_makes(app):
    spec = importlib.util.spec_from_file_location("build_demo", ROOT / "scenarios" / "build_demo.py")
    build_demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_demo)
    load_scenario(build_demo.build(), ADMIN, NOW)
    assert export_scenario() == without_passwords(demo())


def test_load_export_load_export_gives_the_same_document(app):
    load_scenario(unusual_scenario(), ADMIN, NOW)
    first = export_scenario()
    empty_database()
    load_scenario(first, ADMIN, NOW)
    assert export_scenario() == first
    assert json.loads(to_json(first)) == first


def test_the_export_writes_wall_times_and_the_rarer_forms_back(app):
    load_scenario(unusual_scenario(), ADMIN, NOW)
    doc = export_scenario()
    assert doc["anchor"] == "2026-11-16"  # the Monday before the earliest shift or session
    assert [s["name"] for s in doc["sites"]] == ["Islington", "Midtown"]
    theo = next(s for s in doc["staff"] if s["email"] == "theo@example.org")
    assert theo["shifts"][1] == {"site": "Islington", "day": "2026-11-23", "start": "09:00", "end": "17:00"}
    assert theo["time_off"] == [{"first_day": "2026-12-07", "last_day": "2026-12-07", "reason": ""}]
    sam = next(s for s in doc["staff"] if s["email"] == "sam@example.org")
    assert sam["shifts"][-1] == {"site": "Midtown", "day": "2026-11-27", "start": "22:00", "end_day": "2026-11-28",
                                 "end": "06:00"}
    # Not whole days in Sam's zone, so written as instants in it.
    assert sam["time_off"] == [{"from": "2026-12-02T13:00:00-05:00", "to": "2026-12-02T13:30:00-05:00",
                                "reason": "Dentist"}]
    starts = [(s["start"], s["status"]) for s in doc["sessions"]]
    assert starts[0] == ("2026-11-20T11:15:30", "fulfilled")
    assert ("2026-11-24T09:00", "cancelled") in starts and ("2026-11-25T10:00", "booked") in starts
    assert doc["users"][0] == {"email": "ada.kim@example.org", "name": "Ada Kim", "role": "clinician",
                               "staff": "ada@example.org", "active": True}


def test_a_loaded_demo_moved_to_a_summer_week_exports_its_wall_times_unchanged(app):
    load_scenario(demo(), ADMIN, NOW, rebase_to=date(2027, 7, 1))
    moved, original = export_scenario(), demo()
    assert moved["anchor"] == "2027-06-28"
    assert [s["start"][11:] for s in moved["sessions"]] == [s["start"][11:] for s in original["sessions"]]
    assert moved["staff"][0]["shifts"][0]["start"] == original["staff"][0]["shifts"][0]["start"]


def test_staff_without_an_email_cannot_be_exported_and_the_reason_says_so(app):
    f.make_staff("Dr Ada Kim", ["MD"])
    with pytest.raises(InvalidData) as error:
        export_scenario()
    assert error.value.problems[0].field == "staff"
    assert "Dr Ada Kim" in error.value.problems[0].message and "email" in error.value.problems[0].message


def test_an_empty_clinic_exports_an_empty_scenario_that_loads(app):
    doc = export_scenario()
    assert doc == {"format": "planner-scenario/1", "sites": [], "rooms": [], "staff": [], "patients": [],
                   "session_types": [], "sessions": [], "users": []}
    assert load_scenario(doc, ADMIN, datetime(2026, 1, 1, tzinfo=timezone.utc))["sites"] == 0
