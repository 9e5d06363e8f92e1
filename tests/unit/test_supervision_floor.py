"""The supervision floor: a dosing session type may raise what it asks of staff and rooms, never drop it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from planner.domain.availability import fit_at, free_windows
from planner.domain.booking import check_session
from planner.domain.staffing import ACTIVE, MONITORING_CLINICIAN, THERAPIST, RoleNeed
from planner.domain.supervision import floor_breaches, limit_breaches
from tests.unit.builders import (
    DAY, NOW, at, codes, esketamine, integration, iv_infusion, kap_dosing, make_request, make_state, monitor_need,
    prescriber_need,
)


def test_the_shipped_kinds_of_dose_meet_the_floor():
    assert [floor_breaches(t) for t in (iv_infusion(), esketamine(), kap_dosing())] == [(), (), ()]


def test_psychotherapy_has_no_floor():
    assert floor_breaches(integration(needs=())) == ()


def test_an_esketamine_type_with_no_staff_no_oximeter_and_no_observation_is_refused_with_every_shortfall():
    bare = esketamine(needs=(), room_capability=None, observation_minutes=0)
    reasons = floor_breaches(bare)
    assert codes(reasons) == ["floor_room", "floor_observation", "floor_role", "floor_role"]
    assert [r.message for r in reasons] == [
        "An esketamine (intranasal) dose needs a room with a pulse oximeter.",
        "An esketamine (intranasal) dose needs at least 120 minutes of observation after it.",
        "An esketamine (intranasal) dose needs a supervising prescriber.",
        "An esketamine (intranasal) dose needs a monitoring clinician."]


@pytest.mark.parametrize("change, code", [
    (dict(route="none"), "dosing_route"),
    (dict(observation_minutes=15), "floor_observation"),
    (dict(room_capability="therapy"), "floor_room"),
    (dict(needs=(prescriber_need(part=ACTIVE), monitor_need())), "floor_part"),
    (dict(needs=(prescriber_need(credentials=("licence",)), monitor_need())), "floor_credentials"),  # no ACLS
    (dict(needs=(prescriber_need(), RoleNeed(MONITORING_CLINICIAN, frozenset({"RN", "LPN"}),
                                             frozenset({"licence", "bls"})))), "floor_disciplines"),
    (dict(needs=(prescriber_need(), monitor_need(credentials=("licence",)))), "floor_credentials"),  # no BLS
])
def test_dropping_any_part_of_the_iv_floor_is_refused(change, code):
    assert code in codes(floor_breaches(replace(iv_infusion(), **change)))


def test_raising_the_floor_is_allowed():
    stricter = iv_infusion(observation_minutes=90,
                           needs=(prescriber_need(credentials=("licence", "acls", "bls")),
                                  RoleNeed(MONITORING_CLINICIAN, frozenset({"RN"}), frozenset({"licence", "bls", "acls"}))))
    assert floor_breaches(stricter) == ()


def test_a_kap_dose_needs_a_therapist_throughout():
    no_therapist = kap_dosing(needs=(prescriber_need(credentials=("licence",)), monitor_need()))
    assert codes(floor_breaches(no_therapist)) == ["floor_role"]
    part_time = kap_dosing(needs=(RoleNeed(THERAPIST, frozenset({"therapist"}), frozenset({"licence"}), ACTIVE),
                                  prescriber_need(credentials=("licence",)), monitor_need()))
    assert codes(floor_breaches(part_time)) == ["floor_part"]


def test_a_stored_type_below_the_floor_is_never_offered_or_booked():
    below = iv_infusion(observation_minutes=0)
    state = make_state()
    assert "type_below_floor" in codes(check_session(make_request(below), state, NOW))
    assert free_windows(below, state, DAY, DAY, NOW) == []
    assert fit_at(below, state, at(10)) is None
    assert check_session(make_request(), state, NOW) == []  # the same with the floor kept


def test_a_therapist_stays_with_one_dosing_patient_at_a_time():
    assert codes(limit_breaches({THERAPIST: 2})) == ["floor_ratio"]
    assert limit_breaches({THERAPIST: 1, MONITORING_CLINICIAN: 3}) == []
