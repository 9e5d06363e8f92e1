"""Offers in the domain: each one passes check_session, the least busy team and chair come first, and why none."""

from __future__ import annotations

from datetime import timedelta

from planner.domain.booking import check_session
from planner.domain.clinic import Placement, SessionRequest
from planner.domain.offers import make_offers, start_times, why_no_times
from planner.domain.windows import FreeWindow
from tests.unit.builders import (
    CHAIR, CHAIR_2, DAY, DR_ADAMS, NOW, NP_EVANS, NURSE_BAKER, NURSE_CHEN, at, codes, iv_infusion, make_booked, make_patient,
    make_shift, make_staff, make_state,
)

IV = iv_infusion()


def whole_day() -> list:
    return start_times([FreeWindow(at(8), at(16, 15), IV.duration)], timedelta(minutes=15))


def test_start_times_step_through_each_window_by_the_site_slot():
    assert start_times([FreeWindow(at(9), at(9, 30), IV.duration)], timedelta(minutes=15)) == [at(9), at(9, 15),
                                                                                               at(9, 30)]


def test_every_offer_passes_check_session_against_the_clinic():
    busy = make_booked(id=1, patient_id=7, start=at(8), room_id=CHAIR,
                       duties=[(DR_ADAMS, "supervising_prescriber"), (NURSE_BAKER, "monitoring_clinician")])
    state = make_state(sessions=[busy])
    listed = make_offers(IV, state, whole_day(), NOW, make_patient(), limit=40, spread=None)
    assert len(listed.offers) == 34 and listed.reasons == [] and not listed.closer
    for offer in listed.offers:
        request = SessionRequest(make_patient(), state.site, IV, offer.start, offer.room_id,
                                 tuple(_placements(offer)))
        assert check_session(request, state, NOW) == []


def test_the_least_busy_nurse_and_least_used_chair_are_offered_first():
    busy = make_booked(id=1, patient_id=7, start=at(8), room_id=CHAIR,
                       duties=[(DR_ADAMS, "supervising_prescriber"), (NURSE_BAKER, "monitoring_clinician")])
    first = make_offers(IV, make_state(sessions=[busy]), whole_day(), NOW, make_patient()).offers[0]
    assert first.start == at(8) and first.room_id == CHAIR_2
    # Evans NP may supervise too and carries nothing that day; Dr Adams already has the 08:00 patient.
    assert [(m.staff_id, m.sessions_that_day) for m in first.team] == [(NP_EVANS, 0), (NURSE_CHEN, 0)]
    assert first.why[0] == f"Earliest free time on {DAY:%a %d %b}"


def test_a_patient_who_may_not_be_dosed_gets_no_offer_and_every_reason():
    listed = make_offers(IV, make_state(), whole_day(), NOW, make_patient(screening="pending", consent="pending"))
    assert listed.offers == [] and codes(listed.reasons) == ["screening_not_cleared", "consent_not_signed"]


def test_over_several_days_each_day_gets_an_even_share():
    staff = [make_staff(DR_ADAMS, "Dr Adams", ("MD",), shifts=(_shift(DAY), _shift(DAY + timedelta(days=1)))),
             make_staff(NURSE_BAKER, "Nurse Baker", ("RN",), shifts=(_shift(DAY), _shift(DAY + timedelta(days=1))))]
    starts = whole_day() + [s + timedelta(days=1) for s in whole_day()]
    listed = make_offers(IV, make_state(staff=staff), starts, NOW, make_patient(), limit=6)
    assert [o.start for o in listed.offers] == [at(8), at(9), at(10), at(8) + timedelta(days=1),
                                                at(9) + timedelta(days=1), at(10) + timedelta(days=1)]


def test_at_a_quiet_site_offers_are_spread_an_hour_apart_with_the_times_between_passed_over():
    listed = make_offers(IV, make_state(), whole_day(), NOW, make_patient())
    assert [o.start for o in listed.offers] == [at(hour) for hour in range(8, 17)]
    assert listed.closer  # the quarter hours between were left out: "more times" shows them
    assert listed.offers[1].why[0] == "Next free time an hour or more later"


def test_asked_for_every_time_the_offers_follow_each_free_start_time():
    listed = make_offers(IV, make_state(), whole_day(), NOW, make_patient(), limit=5, spread=None)
    assert [o.start for o in listed.offers] == [at(8), at(8, 15), at(8, 30), at(8, 45), at(9)]
    assert listed.offers[1].why[0] == "Next free time that day" and not listed.closer


def test_the_next_offer_is_the_first_free_time_at_least_the_spread_after_the_one_before():
    free = [s for s in whole_day() if s not in (at(11), at(11, 15))]
    listed = make_offers(IV, make_state(), free, NOW, make_patient(), limit=4, spread=timedelta(minutes=90))
    assert [o.start for o in listed.offers] == [at(8), at(9, 30), at(11, 30), at(13)]
    assert listed.offers[1].why[0] == "Next free time 90 minutes or more later"


def test_no_times_on_a_day_without_a_prescriber_names_the_role():
    state = make_state(staff=[make_staff(NURSE_BAKER, "Nurse Baker", ("RN",))])
    assert [r.message for r in why_no_times(IV, state, DAY, DAY, NOW)] == [
        "No supervising prescriber who can take it is on shift and free at Midtown then."]


def test_no_times_on_a_weekend_says_the_site_is_closed():
    saturday = DAY + timedelta(days=5)
    assert [r.message for r in why_no_times(IV, make_state(), saturday, saturday, NOW)] == [
        f"Midtown is closed on {saturday:%a %d %b}."]


def _placements(offer) -> list[Placement]:
    return [Placement(m.staff_id, m.role) for m in offer.team]


def _shift(day):
    return make_shift(day=day)


def test_a_type_below_the_supervision_floor_is_never_offered_and_says_so():
    short = iv_infusion(observation_minutes=10)
    assert make_offers(short, make_state(), whole_day(), NOW, make_patient()).offers == []
    assert codes(why_no_times(short, make_state(), DAY, DAY, NOW)) == ["floor_observation"]
