"""The staffing policy API: admin only, the floor refused with 422 naming the field, a change that would leave a
booked dose uncovered refused with 409 naming it, nothing written on a refusal, the booking rules read the change."""

from __future__ import annotations

from datetime import time

import pytest

from planner.db.models import AuditEvent, StaffingPolicy
from planner.domain.calendar import to_utc
from planner.domain.errors import BookingRefused
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests import factories as f
from tests.web.api_client import ApiClient, count, fields

NY = "America/New_York"


@pytest.fixture
def admin(client, clinic_clock):
    return ApiClient(client, "admin")


def iv_dose(clinic, clock, patient: int = 0, chair: int = 0, nurse: int = 0) -> int:
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, to_utc(f.MONDAY, time(9), NY),
                                     clinic.chairs[chair], ((clinic.prescriber, "supervising_prescriber"),
                                                            (clinic.nurses[nurse], "monitoring_clinician"))),
                        SYSTEM, clock)


def test_the_policy_lists_each_route_with_the_defaults_the_floor_and_the_hard_rules(admin, clinic):
    answer = admin.get(f"/api/sites/{clinic.site}/policy")
    assert answer.status_code == 200
    policy = answer.get_json()
    no_own = {"supervising_prescriber": None, "monitoring_clinician": None}
    assert policy["routes"]["IV"] == {"acls_on_site": 1, "bls_on_site": 2, "distinct_monitor": False, "limits": no_own,
                                      "ratios": {"supervising_prescriber": 4, "monitoring_clinician": 2, "therapist": 1}}
    assert policy["floor"]["routes"] == {"acls_on_site": 1, "bls_on_site": 2, "distinct_monitor": False,
                                         "limits": no_own}
    assert policy["limits"] == {"supervising_prescriber": 4, "monitoring_clinician": 2, "therapist": 1}
    assert any("pulse oximeter" in rule["rule"] for rule in policy["fixed"] if rule["route"] == "intranasal")


@pytest.mark.parametrize(("change", "field"), [
    ({"routes": {"IV": {"acls_on_site": 0}}}, "routes.IV.acls_on_site"),
    ({"routes": {"intranasal": {"bls_on_site": 1}}}, "routes.intranasal.bls_on_site"),
    ({"routes": {"IM": {"acls_on_site": 3, "bls_on_site": 2}}}, "routes.IM.bls_on_site"),
    ({"limits": {"therapist": 2}}, "limits.therapist"),
    ({"limits": {"monitoring_clinician": 0}}, "limits.monitoring_clinician"),
    ({"routes": {"oral": {"acls_on_site": 2}}}, "routes.oral.[key]"),
    ({"routes": {"IV": {"limits": {"monitoring_clinician": 0}}}}, "routes.IV.limits.monitoring_clinician"),
    ({"routes": {"intranasal": {"limits": {"supervising_prescriber": 21}}}}, "routes.intranasal.limits.supervising_prescriber"),
    ({"routes": {"IM": {"limits": {"therapist": 2}}}}, "routes.IM.limits.therapist.[key]"),
    ({}, "body"),
])
def test_a_change_below_the_floor_is_422_naming_the_field_and_nothing_is_written(admin, clinic, change, field):
    audited = count(AuditEvent)
    refused = admin.patch(f"/api/sites/{clinic.site}/policy", change)
    assert fields(refused) == {field}
    assert count(StaffingPolicy) == 0 and count(AuditEvent) == audited


def test_raising_a_rule_is_accepted_audited_and_the_booking_rules_read_it_at_once(admin, clinic, clinic_clock):
    raised = admin.patch(f"/api/sites/{clinic.site}/policy", {"routes": {"IV": {"bls_on_site": 5}}})
    assert raised.status_code == 200, raised.get_json()
    assert raised.get_json()["routes"]["IV"]["bls_on_site"] == 5
    assert count(AuditEvent) >= 1
    # Three people on shift hold BLS or ACLS (Dr Kim and the two nurses; the therapist neither): not five.
    with pytest.raises(BookingRefused) as refused:
        iv_dose(clinic, clinic_clock)
    assert "no_second_bls_on_site" in {r.code for r in refused.value.reasons}


def test_a_raise_that_would_leave_a_booked_dose_uncovered_is_409_naming_it_and_nothing_is_written(
        admin, clinic, clinic_clock):
    booked = iv_dose(clinic, clinic_clock)
    audited = count(AuditEvent)
    refused = admin.patch(f"/api/sites/{clinic.site}/policy", {"routes": {"IV": {"acls_on_site": 2}}})
    assert refused.status_code == 409, refused.get_json()
    (conflict,) = refused.get_json()["conflicts"]
    assert conflict["message"].startswith(f"Session {booked} (IV ketamine infusion, Mon 23 Nov 2026 09:00 at Midtown)")
    assert "ACLS" in conflict["message"]
    assert count(StaffingPolicy) == 0 and count(AuditEvent) == audited


def test_the_same_raise_is_accepted_when_a_second_acls_holder_is_on_site(admin, clinic, clinic_clock):
    iv_dose(clinic, clinic_clock)
    second = f.make_staff("Dr Lena Ortiz", ["MD"])
    f.make_shift(second, clinic.site, f.MONDAY)
    accepted = admin.patch(f"/api/sites/{clinic.site}/policy", {"routes": {"IV": {"acls_on_site": 2}}})
    assert accepted.status_code == 200, accepted.get_json()
    assert count(StaffingPolicy) == 1


def test_a_lower_ratio_that_would_overload_a_booked_nurse_is_409_and_its_control_is_accepted(
        admin, clinic, clinic_clock):
    iv_dose(clinic, clinic_clock, patient=0, chair=0, nurse=0)
    second = iv_dose(clinic, clinic_clock, patient=1, chair=1, nurse=0)
    refused = admin.patch(f"/api/sites/{clinic.site}/policy", {"limits": {"monitoring_clinician": 1}})
    assert refused.status_code == 409 and f"Session {second}" in refused.get_data(as_text=True)
    assert admin.patch(f"/api/sites/{clinic.site}/policy", {"limits": {"supervising_prescriber": 2}}).status_code == 200


def test_the_policy_is_for_admins_only(client, clinic, clinic_clock):
    assert ApiClient(client, "reception").get(f"/api/sites/{clinic.site}/policy").status_code == 403
    assert ApiClient(client, "reception").patch(f"/api/sites/{clinic.site}/policy",
                                                {"limits": {"monitoring_clinician": 1}}).status_code == 403


def test_an_unknown_site_is_404(admin, clinic):
    assert admin.get("/api/sites/999999/policy").status_code == 404
    assert admin.patch("/api/sites/999999/policy", {"limits": {"monitoring_clinician": 1}}).status_code == 404


# --- a route's own ratios (IV 1 nurse : 2 patients, intranasal 1 : 3), falling back to the site's ----------------

def test_a_routes_own_ratio_is_shown_changed_and_cleared_back_to_the_sites(admin, clinic):
    url = f"/api/sites/{clinic.site}/policy"
    set_ = admin.patch(url, {"routes": {"intranasal": {"limits": {"monitoring_clinician": 3}}}})
    assert set_.status_code == 200, set_.get_json()
    routes = set_.get_json()["routes"]
    assert routes["intranasal"]["limits"]["monitoring_clinician"] == 3
    assert routes["intranasal"]["ratios"]["monitoring_clinician"] == 3 and routes["IV"]["ratios"]["monitoring_clinician"] == 2
    # A site ratio changed later leaves the route's own alone, and the other routes follow it.
    routes = admin.patch(url, {"limits": {"monitoring_clinician": 1}}).get_json()["routes"]
    assert (routes["intranasal"]["ratios"]["monitoring_clinician"], routes["IV"]["ratios"]["monitoring_clinician"]) == (3, 1)
    cleared = admin.patch(url, {"routes": {"intranasal": {"limits": {"monitoring_clinician": None}}}}).get_json()
    assert cleared["routes"]["intranasal"]["limits"]["monitoring_clinician"] is None
    assert cleared["routes"]["intranasal"]["ratios"]["monitoring_clinician"] == 1


@pytest.mark.parametrize(("route", "refused"), [("IV", True), ("intranasal", False)])
def test_lowering_a_routes_ratio_under_booked_doses_is_409_naming_them_and_another_routes_is_accepted(
        admin, clinic, clinic_clock, route, refused):
    iv_dose(clinic, clinic_clock, patient=0, chair=0, nurse=0)
    second = iv_dose(clinic, clinic_clock, patient=1, chair=1, nurse=0)  # Rosa Diaz: two IV patients at 09:00
    audited = count(AuditEvent)
    answer = admin.patch(f"/api/sites/{clinic.site}/policy", {"routes": {route: {"limits": {"monitoring_clinician": 1}}}})
    if refused:
        assert answer.status_code == 409, answer.get_json()
        messages = [c["message"] for c in answer.get_json()["conflicts"]]
        assert any(m.startswith(f"Session {second} (IV ketamine infusion") and "more than 1" in m for m in messages)
        assert count(StaffingPolicy) == 0 and count(AuditEvent) == audited
    else:
        assert answer.status_code == 200, answer.get_json()
        assert count(StaffingPolicy) == 1 and count(AuditEvent) == audited + 1
