"""free_windows and fit_at: where and when a session type can still be booked."""

from datetime import date, timedelta

from planner.domain.availability import FreeWindow, can_fill, fit_at, free_windows
from planner.domain.booking import check_session
from planner.domain.clinic import Placement, SessionRequest
from planner.domain.staffing import MONITORING_CLINICIAN, SUPERVISING_PRESCRIBER, THERAPIST, Credential, RoleNeed
from tests.unit.builders import (
    CHAIR,
    CHAIR_2,
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
    duty,
    esketamine,
    hours,
    integration,
    iv_infusion,
    make_booked,
    make_credentials,
    make_patient,
    make_room,
    make_shift,
    make_site,
    make_staff,
    make_state,
    prescriber_need,
)

IV = timedelta(minutes=105)
ONE_CHAIR = [make_room(CHAIR)]
ADAMS_AND_BAKER = [make_staff(DR_ADAMS, disciplines=["MD"]), make_staff(NURSE_BAKER, disciplines=["RN"])]


def windows(state, stype=None, first=DAY, last=DAY, now=NOW, patient_id=None):
    found = free_windows(stype or iv_infusion(), state, first, last, now, patient_id)
    return [(w.starts_from, w.starts_until) for w in found]


def test_an_empty_clinic_offers_every_start_from_opening_until_the_last_that_ends_by_closing():
    found = free_windows(iv_infusion(), make_state(), DAY, DAY, NOW)
    assert found == [FreeWindow(at(8), at(16, 15), IV)]
    assert found[0].ends_by == at(18)


def test_free_windows_step_on_the_sites_slot_grid():
    site = make_site(slot_minutes=30)
    assert windows(make_state(site)) == [(at(8), at(16))]


def test_free_windows_offer_no_start_in_the_past():
    assert windows(make_state(), now=at(12, 5)) == [(at(12, 15), at(16, 15))]


def test_free_windows_skip_closure_days_and_weekends():
    site = make_site(closures=[DAY])
    assert windows(make_state(site), first=DAY, last=DAY + timedelta(days=6)) == []  # Mon closed, Tue–Sun no shifts
    assert windows(make_state(), first=date(2026, 6, 20), last=date(2026, 6, 21)) == []


def test_free_windows_cover_several_days_as_separate_runs():
    staff = [make_staff(DR_ADAMS, shifts=(make_shift(), make_shift(day=DAY + timedelta(days=1)))),
             make_staff(NURSE_BAKER, disciplines=["RN"],
                        shifts=(make_shift(), make_shift(day=DAY + timedelta(days=1))))]
    tuesday = DAY + timedelta(days=1)
    assert windows(make_state(staff=staff), last=tuesday) == [(at(8), at(16, 15)),
                                                              (at(8, day=tuesday), at(16, 15, day=tuesday))]


def test_no_esketamine_windows_at_a_site_without_rems_certification():
    site = make_site(esketamine_certified=False)
    assert windows(make_state(site), esketamine()) == []
    assert windows(make_state(site), iv_infusion()) != []


def test_a_booked_chair_removes_exactly_the_starts_that_would_overlap_it():
    state = make_state(rooms=ONE_CHAIR, sessions=[make_booked(start=at(12), minutes=105, room_id=CHAIR)])
    # Last start before it ends exactly at 12:00; first start after it is as it ends at 13:45.
    assert windows(state) == [(at(8), at(10, 15)), (at(13, 45), at(16, 15))]


def test_a_second_chair_keeps_the_day_open_while_the_first_is_booked():
    state = make_state(sessions=[make_booked(start=at(12), minutes=105, room_id=CHAIR)])
    assert windows(state) == [(at(8), at(16, 15))]


def test_a_nurse_at_her_ratio_removes_exactly_the_starts_she_would_be_needed_for():
    state = make_state(staff=ADAMS_AND_BAKER, rooms=[make_room(CHAIR), make_room(CHAIR_2), make_room(9)],
                       extra_duties=[duty(NURSE_BAKER, MONITORING_CLINICIAN, at(12), 60, 501),
                                     duty(NURSE_BAKER, MONITORING_CLINICIAN, at(12), 60, 502)])
    assert windows(state) == [(at(8), at(10, 15)), (at(13), at(16, 15))]


def test_a_nurse_with_one_patient_still_has_room_for_a_second():
    state = make_state(staff=ADAMS_AND_BAKER,
                       extra_duties=[duty(NURSE_BAKER, MONITORING_CLINICIAN, at(12), 60, 501)])
    assert windows(state) == [(at(8), at(16, 15))]


def test_a_patients_own_session_removes_the_starts_that_would_overlap_it():
    state = make_state(sessions=[make_booked(patient_id=1, start=at(12), minutes=60, room_id=OFFICE)])
    assert windows(state, patient_id=1) == [(at(8), at(10, 15)), (at(13), at(16, 15))]
    assert windows(state, patient_id=2) == [(at(8), at(16, 15))]


def test_a_nurse_on_leave_for_the_afternoon_leaves_only_morning_starts():
    baker = make_staff(NURSE_BAKER, disciplines=["RN"], time_off=(make_shift("13:00", "20:00").interval,))
    state = make_state(staff=[ADAMS_AND_BAKER[0], baker])
    assert windows(state) == [(at(8), at(11, 15))]


def test_no_windows_on_a_day_the_only_nurses_bls_has_expired():
    baker = make_staff(NURSE_BAKER, disciplines=["RN"], credentials=make_credentials(["licence"]) + (
        Credential("bls", LONG_AGO, DAY - timedelta(days=1)),))
    assert windows(make_state(staff=[ADAMS_AND_BAKER[0], baker])) == []


def test_an_np_alone_cannot_be_prescriber_and_monitor_where_roles_must_be_distinct():
    evans = [make_staff(NP_EVANS, disciplines=["NP"])]
    assert windows(make_state(staff=evans)) == []
    assert fit_at(iv_infusion(), make_state(staff=evans), at(10)) is None
    relaxed = make_site(distinct_roles=False)
    # One person in two roles still needs a second BLS holder on site during the dose (domain.md).
    assert windows(make_state(relaxed, staff=evans)) == []
    desk = make_staff(99, disciplines=["reception"], credentials=make_credentials(["bls"]))
    assert windows(make_state(relaxed, staff=evans + [desk])) == [(at(8), at(16, 15))]


def test_fit_at_gives_a_free_chair_and_distinct_staff():
    fit = fit_at(iv_infusion(), make_state(), at(10))
    assert fit is not None and fit.start == at(10) and fit.room_id == CHAIR
    assert fit.placements == (Placement(DR_ADAMS, SUPERVISING_PRESCRIBER), Placement(NURSE_BAKER, MONITORING_CLINICIAN))


def test_fit_at_skips_a_taken_chair():
    state = make_state(sessions=[make_booked(start=at(9), room_id=CHAIR)])
    assert fit_at(iv_infusion(), state, at(10)).room_id == CHAIR_2


def test_fit_at_honours_preferred_staff():
    prefer = {MONITORING_CLINICIAN: [NURSE_CHEN], SUPERVISING_PRESCRIBER: [NP_EVANS, DR_ADAMS]}
    fit = fit_at(iv_infusion(), make_state(), at(10), prefer=prefer)
    assert fit.placements == (Placement(NP_EVANS, SUPERVISING_PRESCRIBER), Placement(NURSE_CHEN, MONITORING_CLINICIAN))


def test_fit_at_ignores_a_preferred_person_who_cannot_take_the_role():
    prefer = {MONITORING_CLINICIAN: [THERAPIST_DIAZ]}
    fit = fit_at(iv_infusion(), make_state(), at(10), prefer=prefer)
    assert Placement(NURSE_BAKER, MONITORING_CLINICIAN) in fit.placements


def test_fit_at_swaps_people_between_roles_to_keep_them_distinct():
    # Only Dr Adams may monitor here; Evans NP must then supervise even though Adams sorts first.
    only_adams_monitors = iv_infusion(needs=(
        prescriber_need(), RoleNeed(MONITORING_CLINICIAN, frozenset({"MD"}), frozenset({"licence", "bls"}))))
    state = make_state(staff=[make_staff(DR_ADAMS, disciplines=["MD"]), make_staff(NP_EVANS, disciplines=["NP"])])
    fit = fit_at(only_adams_monitors, state, at(10))
    assert fit.placements == (Placement(NP_EVANS, SUPERVISING_PRESCRIBER), Placement(DR_ADAMS, MONITORING_CLINICIAN))
    assert windows(state, only_adams_monitors) == [(at(8), at(16, 15))]


def test_fit_at_returns_none_for_a_patient_already_booked_then():
    state = make_state(sessions=[make_booked(patient_id=1, start=at(9), room_id=OFFICE)])
    assert fit_at(iv_infusion(), state, at(10), patient_id=1) is None
    assert fit_at(iv_infusion(), state, at(10), patient_id=2) is not None


def test_a_fit_is_a_request_the_booking_rules_accept():
    state = make_state()
    fit = fit_at(esketamine(), state, at(10), patient_id=1)
    request = SessionRequest(make_patient(), state.site, esketamine(), fit.start, fit.room_id, fit.placements)
    assert check_session(request, state, NOW) == []


def test_can_fill_refuses_a_therapist_over_a_one_to_one_session():
    state = make_state(extra_duties=[duty(THERAPIST_DIAZ, THERAPIST, at(10), 50, 501)])
    diaz = state.roster.staff[THERAPIST_DIAZ]
    need = integration().needs[0]
    assert not can_fill(diaz, need, integration().window(at(10, 30)), state, DAY, route="none")
    assert can_fill(diaz, need, integration().window(at(10, 50)), state, DAY, route="none")
    assert can_fill(diaz, need, integration().window(at(10, 30)), state, DAY, ignore_session_id=501, route="none")


def test_overlapping_opening_blocks_on_one_day_offer_the_whole_day_to_a_patient():
    # Monday 09:00–17:00 entered together with 10:00–12:00: the site is open 09:00–17:00.
    site = make_site(opening=hours("09:00", "17:00", [0]) + hours("10:00", "12:00", [0]))
    state = make_state(site)
    found = windows(state, integration(), patient_id=1)
    assert found == [(at(9), at(16))]  # the last 15-minute start whose 50 minutes end by 17:00


SANTIAGO = "America/Santiago"
SEPT_7 = date(2026, 9, 7)  # Monday after Chile springs forward at midnight on Sunday 6 September


def test_a_credential_expiring_the_day_before_a_midnight_clock_change_does_not_break_the_search():
    # In Santiago 00:00 on 6 Sep 2026 does not exist; a BLS card valid through 5 Sep ends there.
    site = make_site(zone=SANTIAGO)
    shift = (make_shift(day=SEPT_7, zone=SANTIAGO),)
    staff = [make_staff(DR_ADAMS, shifts=shift),
             make_staff(NURSE_BAKER, disciplines=["RN"], shifts=shift, credentials=make_credentials(["licence"]) + (
                 Credential("bls", LONG_AGO, date(2026, 9, 5)),)),
             make_staff(NURSE_CHEN, disciplines=["RN"], shifts=shift)]
    found = windows(make_state(site, staff=staff), first=SEPT_7, last=SEPT_7)
    assert found == [(at(8, day=SEPT_7, zone=SANTIAGO), at(16, 15, day=SEPT_7, zone=SANTIAGO))]


def test_free_windows_do_not_offer_one_person_both_roles_beyond_her_whole_self():
    # Evans NP is the only clinician and the site lets one person take two roles. She already
    # monitors a patient 10:00–11:45 (1/2); supervising (1/4) and monitoring (1/2) another
    # patient over that time would be 5/4 of her, so only starts clear of it are free.
    # A receptionist with BLS is the second BLS holder on site a dose needs (domain.md).
    site = make_site(distinct_roles=False)
    desk = make_staff(99, disciplines=["reception"], credentials=make_credentials(["bls"]))
    state = make_state(site, staff=[make_staff(NP_EVANS, disciplines=["NP"]), desk],
                       extra_duties=[duty(NP_EVANS, MONITORING_CLINICIAN, at(10), 105, 501)])
    assert windows(state) == [(at(8), at(8, 15)), (at(11, 45), at(16, 15))]


def test_fit_at_takes_the_preferred_chair_when_it_is_free():
    assert fit_at(iv_infusion(), make_state(), at(10), prefer_room=CHAIR_2).room_id == CHAIR_2


def test_fit_at_takes_another_chair_when_the_preferred_one_is_taken():
    state = make_state(sessions=[make_booked(start=at(9), room_id=CHAIR_2)])
    assert fit_at(iv_infusion(), state, at(10), prefer_room=CHAIR_2).room_id == CHAIR
