"""The FHIR R4 mapping on its own: statuses, instants across DST, references, search bounds, refusals.

Every resource built here is parsed by fhir.resources (tests/fhir_check.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from planner.adapters.fhir_appointments import (
    APPOINTMENT_STATUS, CAREPLAN_STATUS, CourseFacts, TeamPart, Visit, appointment, care_plan,
)
from planner.adapters.fhir_availability import (
    ServiceKind, SitePlace, busy_slot, date_bounds, free_slot, schedule, site_of_schedule,
)
from planner.adapters.fhir_common import instant, outcome, searchset
from planner.domain import lifecycle
from planner.domain.errors import InvalidData
from planner.domain.protocols import Phase, Protocol, TherapyLink
from tests.fhir_check import bundle_resources, valid_fhir

NEW_YORK, LONDON = "America/New_York", "Europe/London"
WEEK = timedelta(days=7)


def visit(status: str = lifecycle.BOOKED, start: datetime = datetime(2026, 11, 23, 14, tzinfo=timezone.utc),
          zone: str = NEW_YORK, course_id: int | None = 4, room_id: int | None = 2) -> Visit:
    team = (TeamPart(7, "Dr Ada Kim", "supervising_prescriber", start, start + timedelta(hours=2)),
            TeamPart(8, "Rosa Diaz", "monitoring_clinician", start, start + timedelta(hours=2)),
            TeamPart(9, "Theo Park", "therapist", start, start + timedelta(hours=1)))
    return Visit(11, status, start, start + timedelta(hours=2), start - WEEK, 3, "Jo Bloggs", 1, "Midtown", zone,
                 room_id, "Chair 1" if room_id else None, "iv-infusion", "IV ketamine infusion", "dosing", course_id,
                 team)


@pytest.mark.parametrize("status, expected", [
    (lifecycle.PROPOSED, "proposed"), (lifecycle.BOOKED, "booked"), (lifecycle.ARRIVED, "checked-in"),
    (lifecycle.IN_PROGRESS, "checked-in"), (lifecycle.HELD, "arrived"), (lifecycle.FULFILLED, "fulfilled"),
    (lifecycle.CANCELLED, "cancelled"), (lifecycle.NO_SHOW, "noshow"),
])
def test_each_session_status_becomes_the_appointment_status_r4_means_by_it(status, expected):
    found = appointment(visit(status))
    valid_fhir(found)
    assert found["status"] == expected
    answers = {p["status"] for p in found["participant"]}
    assert answers == ({"needs-action"} if status == lifecycle.PROPOSED else {"accepted"})


def test_every_status_of_the_lifecycle_has_a_mapping():
    assert set(APPOINTMENT_STATUS) == set(lifecycle.STATUSES)


@pytest.mark.parametrize("zone, before, after, offsets", [
    # New York springs forward on Sunday 8 March 2026 and falls back on Sunday 1 November 2026.
    (NEW_YORK, date(2026, 3, 2), date(2026, 3, 9), ("-05:00", "-04:00")),
    (NEW_YORK, date(2026, 10, 26), date(2026, 11, 2), ("-04:00", "-05:00")),
    # London springs forward on Sunday 29 March 2026.
    (LONDON, date(2026, 3, 23), date(2026, 3, 30), ("+00:00", "+01:00")),
])
def test_a_9_am_session_the_monday_after_a_dst_change_keeps_its_wall_time_with_the_new_offset(zone, before, after,
                                                                                           offsets):
    starts = [datetime(d.year, d.month, d.day, 9, tzinfo=ZoneInfo(zone)) for d in (before, after)]
    found = [appointment(visit(start=s.astimezone(timezone.utc), zone=zone)) for s in starts]
    for resource in found:
        valid_fhir(resource)
    assert [a["start"] for a in found] == [f"{d.isoformat()}T09:00:00{o}" for d, o in zip((before, after), offsets)]
    assert [a["end"][11:19] for a in found] == ["11:00:00", "11:00:00"]
    assert [datetime.fromisoformat(a["start"]) for a in found] == starts  # the same instants, not shifted an hour
    assert found[1]["participant"][1]["period"]["start"] == found[1]["start"]


def test_an_instant_has_seconds_and_an_offset_and_refuses_a_naive_time():
    assert instant(datetime(2026, 3, 9, 13, 0, 0, 123456, tzinfo=timezone.utc), NEW_YORK) == "2026-03-09T09:00:00-04:00"
    with pytest.raises(ValueError):
        instant(datetime(2026, 3, 9, 13), NEW_YORK)


def test_an_appointment_names_the_patient_each_role_the_site_and_the_room_and_points_at_its_course():
    found = appointment(visit())
    people = found["participant"]
    assert [p["actor"]["reference"] for p in people] == ["Patient/3", "Practitioner/7", "Practitioner/8",
                                                          "Practitioner/9", "Location/site-1", "Location/room-2"]
    assert [[c["code"] for c in p["type"][0]["coding"]] for p in people if "type" in p] == [
        ["ATND", "supervising_prescriber"], ["PART", "monitoring_clinician"], ["PPRF", "therapist"]]
    assert people[3]["period"]["end"] == "2026-11-23T10:00:00-05:00"  # the therapist's part, not the whole window
    # R4's basedOn takes only a ServiceRequest: the course is supporting information (fhir_check enforces targets).
    assert found["supportingInformation"][0]["reference"] == "CarePlan/4" and "basedOn" not in found
    assert found["serviceType"][0]["coding"][0]["code"] == "iv-infusion" and found["minutesDuration"] == 120
    alone = appointment(visit(course_id=None, room_id=None))
    valid_fhir(alone)
    assert "supportingInformation" not in alone
    assert [p["actor"]["reference"] for p in alone["participant"]][-1] == "Location/site-1"


PROTOCOL = Protocol("iv-induction", "IV ketamine induction", "iv-infusion", (Phase("induction", 6, 1, 7, 2, 3),),
                    (TherapyLink("integration", doses=(1, 3)),), 2, "Hold for BP over 140/90.")


@pytest.mark.parametrize("status, expected", [("planned", "active"), ("active", "active"),
                                              ("completed", "completed"), ("stopped", "revoked")])
def test_each_course_status_becomes_a_care_plan_status(status, expected):
    visits = [visit(), visit(lifecycle.CANCELLED, start=datetime(2026, 11, 30, 14, tzinfo=timezone.utc))]
    plan = care_plan(CourseFacts(4, status, 3, "Jo Bloggs", PROTOCOL, date(2026, 11, 23),
                                 datetime(2026, 11, 20, 12, tzinfo=timezone.utc)), visits)
    valid_fhir(plan)
    assert plan["status"] == expected == CAREPLAN_STATUS[status]
    assert [a["reference"]["reference"] for a in plan["activity"]] == ["Appointment/11", "Appointment/11"]
    assert plan["period"] == {"start": "2026-11-23", "end": "2026-11-23"}  # the cancelled one ends nothing
    assert plan["description"] == (
        "IV ketamine induction (protocol iv-induction, version 2): 6 doses of iv-infusion. induction: 6 doses 1 to "
        "7 days apart, 2 to 3 a week. Psychotherapy: 1 integration session 1 to 3 days after doses 1, 3. "
        "Hold for BP over 140/90.")


SITE = SitePlace(1, "Midtown", NEW_YORK, True)
IV = ServiceKind(5, "iv-infusion", "IV ketamine infusion", "dosing")


def test_a_schedule_and_its_free_and_busy_slots_are_valid_r4_in_a_searchset():
    start = datetime(2026, 3, 9, 13, tzinfo=timezone.utc)
    resources = [schedule(SITE, [IV]), free_slot(SITE, IV, start, start + timedelta(hours=2), "Chair 1"),
                 busy_slot(SITE, 31, start, start + timedelta(hours=2))]
    bundle = searchset(resources, "https://clinic.example/api/fhir/", "https://clinic.example/api/fhir/Slot")
    assert bundle_resources(bundle) == resources
    assert [e["fullUrl"] for e in bundle["entry"]] == [
        "https://clinic.example/api/fhir/Schedule/site-1", "https://clinic.example/api/fhir/Slot/site-1-type-5-"
        "20260309T1300Z", "https://clinic.example/api/fhir/Slot/site-1-session-31"]
    assert resources[1]["start"] == "2026-03-09T09:00:00-04:00" and resources[2]["status"] == "busy"
    assert site_of_schedule("site-1") == 1
    assert [site_of_schedule(k) for k in ("site-0", "site-01", "room-1", "site-1 ", "site-2147483648")] == [None] * 5


@pytest.mark.parametrize("values, expected", [
    (["ge2026-03-09", "lt2026-03-16"], (date(2026, 3, 9), date(2026, 3, 16))),
    (["lt2026-03-16", "ge2026-03-09"], (date(2026, 3, 9), date(2026, 3, 16))),
    (["gt2026-03-08", "le2026-03-15"], (date(2026, 3, 9), date(2026, 3, 16))),
])
def test_start_bounds_read_as_fhir_date_prefixes_over_whole_days(values, expected):
    assert date_bounds(values, WEEK) == expected


@pytest.mark.parametrize("values, code", [
    (["ge2026-03-09", "lt2026-03-17"], "too_long"), (["ge2026-03-09"], "unbounded"),
    (["ge2026-03-09", "gt2026-03-10"], "twice"), (["ge2026-03-09", "lt2026-03-09"], "end_before_start"),
    (["ne2026-03-09", "lt2026-03-10"], "bad_prefix"), (["ge2026-02-30", "lt2026-03-10"], "bad_date"),
    (["ge1899-12-31", "lt1900-01-02"], "out_of_range"), (["ge2100-12-31", "le9999-12-31"], "out_of_range"),
])
def test_start_bounds_that_are_not_a_week_or_less_are_refused_on_start(values, code):
    with pytest.raises(InvalidData) as refused:
        date_bounds(values, WEEK)
    assert [(p.code, p.field) for p in refused.value.problems] == [(code, "start")]


def test_a_refusal_is_an_operation_outcome_with_an_issue_per_field():
    single = outcome(404, "No course with id 9.")
    valid_fhir(single)
    assert single["issue"] == [{"severity": "error", "code": "not-found", "diagnostics": "No course with id 9."}]
    fields = outcome(422, "Some fields are not right.", [("start", "Give a lower bound."), ("schedule", "No.")])
    valid_fhir(fields)
    assert [(i["code"], i["expression"]) for i in fields["issue"]] == [("invalid", ["start"]),
                                                                      ("invalid", ["schedule"])]
