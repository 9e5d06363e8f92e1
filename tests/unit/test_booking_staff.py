"""check_session: who fills which role, their credentials, shifts, leave and workload."""

from datetime import timedelta

import pytest

from planner.domain.booking import check_session
from planner.domain.intervals import Interval
from planner.domain.staffing import (
    ACTIVE,
    MONITORING_CLINICIAN,
    SUPERVISING_PRESCRIBER,
    THERAPIST,
    Credential,
    Duty,
)
from tests.unit.builders import (
    DAY,
    DR_ADAMS,
    LONG_AGO,
    NOW,
    NP_EVANS,
    NURSE_BAKER,
    NURSE_CHEN,
    OFFICE,
    THERAPIST_DIAZ,
    at,
    codes,
    default_staff,
    duty,
    integration,
    reviewed_preparation,
    make_credentials,
    make_request,
    make_shift,
    make_site,
    make_staff,
    make_state,
    span,
)

ADAMS_SUPERVISES = (DR_ADAMS, SUPERVISING_PRESCRIBER)
BAKER_MONITORS = (NURSE_BAKER, MONITORING_CLINICIAN)


def with_staff(*changed):
    """The default staff with some members replaced."""
    by_id = {m.id: m for m in default_staff()}
    by_id.update({m.id: m for m in changed})
    return list(by_id.values())


def busy(staff_id: int, role: str, count: int, start=None, minutes: int = 105):
    """Duties from other sessions overlapping 10:00–11:45."""
    start = start or at(10)
    return [duty(staff_id, role, start, minutes, session_id=500 + i) for i in range(count)]


def test_an_infusion_without_a_monitoring_clinician_is_refused():
    request = make_request(placements=[ADAMS_SUPERVISES])
    assert codes(check_session(request, make_state(), NOW)) == ["role_missing"]


def test_second_infusion_is_refused_when_no_prescriber_is_on_site():
    request = make_request(placements=[BAKER_MONITORS])
    assert codes(check_session(request, make_state(), NOW)) == ["role_missing"]


def test_two_monitoring_clinicians_for_one_role_are_refused():
    request = make_request(placements=[ADAMS_SUPERVISES, BAKER_MONITORS, (NURSE_CHEN, MONITORING_CLINICIAN)])
    assert codes(check_session(request, make_state(), NOW)) == ["role_twice"]


def test_a_staff_member_the_clinic_does_not_know_is_refused():
    request = make_request(placements=[ADAMS_SUPERVISES, (42, MONITORING_CLINICIAN)])
    assert codes(check_session(request, make_state(), NOW)) == ["staff_unknown"]


def test_a_staff_member_who_has_left_is_refused_as_unknown():
    state = make_state(staff=with_staff(make_staff(NURSE_BAKER, disciplines=["RN"], active=False)))
    assert codes(check_session(make_request(), state, NOW)) == ["staff_unknown"]


def test_a_nurse_cannot_supervise_as_prescriber():
    request = make_request(placements=[(NURSE_CHEN, SUPERVISING_PRESCRIBER), BAKER_MONITORS])
    assert codes(check_session(request, make_state(), NOW)) == ["staff_wrong_discipline"]


def test_a_therapist_cannot_monitor_an_infusion():
    request = make_request(placements=[ADAMS_SUPERVISES, (THERAPIST_DIAZ, MONITORING_CLINICIAN)])
    assert codes(check_session(request, make_state(), NOW)) == ["staff_wrong_discipline"]


def test_a_nurse_practitioner_may_supervise_as_prescriber():
    request = make_request(placements=[(NP_EVANS, SUPERVISING_PRESCRIBER), BAKER_MONITORS])
    assert check_session(request, make_state(), NOW) == []


def bls_until(expires_on):
    return make_credentials(["licence"]) + (Credential("bls", LONG_AGO, expires_on),)


def test_a_monitor_whose_bls_expired_the_day_before_is_refused():
    baker = make_staff(NURSE_BAKER, disciplines=["RN"], credentials=bls_until(DAY - timedelta(days=1)))
    reasons = check_session(make_request(), make_state(staff=with_staff(baker)), NOW)
    assert codes(reasons) == ["credential_not_valid"]
    assert "BLS" in reasons[0].message


def test_a_monitor_whose_bls_expires_on_the_session_day_may_still_monitor():
    baker = make_staff(NURSE_BAKER, disciplines=["RN"], credentials=bls_until(DAY))
    assert check_session(make_request(), make_state(staff=with_staff(baker)), NOW) == []


def test_a_licence_issued_after_the_session_day_is_not_yet_valid():
    adams = make_staff(DR_ADAMS, credentials=(Credential("licence", DAY + timedelta(days=1)),
                                              Credential("acls", LONG_AGO)))
    assert codes(check_session(make_request(), make_state(staff=with_staff(adams)), NOW)) == ["credential_not_valid"]


def test_each_missing_credential_is_its_own_reason():
    adams = make_staff(DR_ADAMS, credentials=())
    assert codes(check_session(make_request(), make_state(staff=with_staff(adams)), NOW)) == [
        "credential_not_valid", "credential_not_valid"]


def test_a_nurse_whose_shift_ends_during_recovery_is_refused_for_the_whole_window():
    # 10:00–11:45: she is there at the start, but gone before observation ends.
    baker = make_staff(NURSE_BAKER, disciplines=["RN"], shifts=(make_shift("07:00", "11:30"),))
    assert codes(check_session(make_request(), make_state(staff=with_staff(baker)), NOW)) == ["staff_off_shift"]


def test_a_nurse_whose_shift_starts_after_the_dose_begins_is_refused():
    baker = make_staff(NURSE_BAKER, disciplines=["RN"], shifts=(make_shift("10:15", "20:00"),))
    assert codes(check_session(make_request(), make_state(staff=with_staff(baker)), NOW)) == ["staff_off_shift"]


def test_two_adjoining_shifts_cover_a_session_across_the_handover():
    baker = make_staff(NURSE_BAKER, disciplines=["RN"],
                       shifts=(make_shift("07:00", "10:30"), make_shift("10:30", "20:00")))
    assert check_session(make_request(), make_state(staff=with_staff(baker)), NOW) == []


def test_a_prescriber_on_shift_at_another_site_is_not_on_site():
    adams = make_staff(DR_ADAMS, shifts=(make_shift(site_id=2),))
    assert codes(check_session(make_request(), make_state(staff=with_staff(adams)), NOW)) == ["staff_off_shift"]


def test_a_nurse_on_leave_during_recovery_is_refused():
    baker = make_staff(NURSE_BAKER, disciplines=["RN"], time_off=(span(at(11, 30), 60),))
    assert codes(check_session(make_request(), make_state(staff=with_staff(baker)), NOW)) == ["staff_on_leave"]


def test_leave_ending_as_the_session_starts_does_not_count():
    baker = make_staff(NURSE_BAKER, disciplines=["RN"], time_off=(Interval(at(7), at(10)),))
    assert check_session(make_request(), make_state(staff=with_staff(baker)), NOW) == []


@pytest.mark.parametrize(("already", "expected"), [(1, []), (2, ["staff_over_capacity"])])
def test_a_monitoring_clinician_watches_at_most_two_patients_at_once(already, expected):
    state = make_state(extra_duties=busy(NURSE_BAKER, MONITORING_CLINICIAN, already))
    assert codes(check_session(make_request(), state, NOW)) == expected


@pytest.mark.parametrize(("already", "expected"), [(3, []), (4, ["staff_over_capacity"])])
def test_a_prescriber_supervises_at_most_four_patients_at_once(already, expected):
    state = make_state(extra_duties=busy(DR_ADAMS, SUPERVISING_PRESCRIBER, already))
    assert codes(check_session(make_request(), state, NOW)) == expected


def test_a_therapist_is_with_one_patient_at_a_time():
    state = make_state(extra_duties=busy(THERAPIST_DIAZ, THERAPIST, 1, minutes=50))
    request = make_request(integration(), room_id=OFFICE, placements=[(THERAPIST_DIAZ, THERAPIST)])
    reasons = check_session(request, state, NOW)
    assert codes(reasons) == ["staff_over_capacity"]
    assert "more than 1 concurrent patient as therapist" in reasons[0].message


def test_a_nurse_at_her_ratio_earlier_in_the_day_is_free_once_those_patients_leave():
    state = make_state(extra_duties=busy(NURSE_BAKER, MONITORING_CLINICIAN, 2, start=at(8, 15)))  # end 10:00
    assert check_session(make_request(), state, NOW) == []


def test_a_sites_own_ratio_overrides_the_default():
    generous = make_site(limits={MONITORING_CLINICIAN: 3, SUPERVISING_PRESCRIBER: 4, THERAPIST: 1})
    strict = make_site(limits={MONITORING_CLINICIAN: 1, SUPERVISING_PRESCRIBER: 4, THERAPIST: 1})
    two_busy = busy(NURSE_BAKER, MONITORING_CLINICIAN, 2)
    one_busy = busy(NURSE_BAKER, MONITORING_CLINICIAN, 1)
    assert check_session(make_request(site=generous), make_state(generous, extra_duties=two_busy), NOW) == []
    assert codes(check_session(make_request(site=strict), make_state(strict, extra_duties=one_busy), NOW)) == [
        "staff_over_capacity"]


def test_a_prescriber_supervising_two_and_monitoring_one_is_full():
    # 2 x 1/4 supervising + 1 x 1/2 monitoring = a whole person; a third supervision is too much.
    already = busy(DR_ADAMS, SUPERVISING_PRESCRIBER, 2) + busy(DR_ADAMS, MONITORING_CLINICIAN, 1)
    assert codes(check_session(make_request(), make_state(extra_duties=already), NOW)) == ["staff_over_capacity"]


def test_a_prescriber_supervising_two_may_still_monitor_one_more():
    already = busy(DR_ADAMS, SUPERVISING_PRESCRIBER, 2)
    request = make_request(placements=[(NP_EVANS, SUPERVISING_PRESCRIBER), (DR_ADAMS, MONITORING_CLINICIAN)])
    assert check_session(request, make_state(extra_duties=already), NOW) == []


def test_workload_is_counted_at_the_busiest_instant_not_summed_over_the_window():
    # One patient 09:00–10:30 and another 11:00–12:30 never overlap each other: peak is 2 with ours.
    already = [duty(NURSE_BAKER, MONITORING_CLINICIAN, at(9), 90, 501),
               duty(NURSE_BAKER, MONITORING_CLINICIAN, at(11), 90, 502)]
    assert check_session(make_request(), make_state(extra_duties=already), NOW) == []


def test_one_person_cannot_be_both_prescriber_and_monitor_in_one_session():
    request = make_request(placements=[(NP_EVANS, SUPERVISING_PRESCRIBER), (NP_EVANS, MONITORING_CLINICIAN)])
    assert codes(check_session(request, make_state(), NOW)) == ["one_person_two_roles"]


def test_a_site_that_allows_it_lets_one_nurse_practitioner_supervise_and_monitor():
    site = make_site(distinct_roles=False)
    request = make_request(site=site, placements=[(NP_EVANS, SUPERVISING_PRESCRIBER),
                                                  (NP_EVANS, MONITORING_CLINICIAN)])
    assert check_session(request, make_state(site), NOW) == []


def test_one_person_in_two_roles_is_charged_for_both_roles_at_once():
    # Evans already monitors one patient (1/2). Supervising (1/4) and monitoring (1/2) a second
    # patient herself would make 5/4 of a person, even though each role alone would fit.
    site = make_site(distinct_roles=False)
    state = make_state(site, extra_duties=busy(NP_EVANS, MONITORING_CLINICIAN, 1))
    request = make_request(site=site, placements=[(NP_EVANS, SUPERVISING_PRESCRIBER),
                                                  (NP_EVANS, MONITORING_CLINICIAN)])
    assert "staff_over_capacity" in codes(check_session(request, state, NOW))


def test_a_prescriber_needed_for_the_active_part_only_may_leave_after_it():
    # 10:00–12:30: the prescriber's review covers the 60 active minutes only.
    adams = make_staff(DR_ADAMS, shifts=(make_shift("07:00", "11:00"),))
    request = make_request(reviewed_preparation(), room_id=OFFICE,
                           placements=[(THERAPIST_DIAZ, THERAPIST), ADAMS_SUPERVISES])
    assert check_session(request, make_state(staff=with_staff(adams)), NOW) == []


def test_a_therapist_needed_throughout_may_not_leave_before_the_end():
    diaz = make_staff(THERAPIST_DIAZ, disciplines=["therapist"], shifts=(make_shift("07:00", "11:00"),))
    request = make_request(reviewed_preparation(), room_id=OFFICE,
                           placements=[(THERAPIST_DIAZ, THERAPIST), ADAMS_SUPERVISES])
    assert codes(check_session(request, make_state(staff=with_staff(diaz)), NOW)) == ["staff_off_shift"]


def test_a_prescriber_busy_only_after_the_dose_is_free_for_an_active_part_role():
    later = busy(DR_ADAMS, SUPERVISING_PRESCRIBER, 4, start=at(11))
    request = make_request(reviewed_preparation(), room_id=OFFICE,
                           placements=[(THERAPIST_DIAZ, THERAPIST), ADAMS_SUPERVISES])
    assert check_session(request, make_state(extra_duties=later), NOW) == []
    assert reviewed_preparation().needs[1].part == ACTIVE


def test_moving_a_session_does_not_count_its_own_old_duties_against_the_nurse():
    own = [duty(NURSE_BAKER, MONITORING_CLINICIAN, at(9, 30), 105, session_id=7)]
    other = [duty(NURSE_BAKER, MONITORING_CLINICIAN, at(9, 30), 105, session_id=8)]
    state = make_state(extra_duties=own + other)
    assert check_session(make_request(), state, NOW, ignore_session_id=7) == []
    assert codes(check_session(make_request(), state, NOW)) == ["staff_over_capacity"]


def test_duties_without_a_session_still_count():
    state = make_state(extra_duties=[(NURSE_BAKER, Duty(span(at(9), 300), MONITORING_CLINICIAN))] * 2)
    assert codes(check_session(make_request(), state, NOW)) == ["staff_over_capacity"]
