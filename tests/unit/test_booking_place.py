"""check_session: time, room, REMS and patient rules, and how refusals are reported."""

from dataclasses import replace
from datetime import date, timedelta

from planner.domain.booking import as_booked, check_session
from planner.domain.staffing import MONITORING_CLINICIAN, SUPERVISING_PRESCRIBER, THERAPIST
from tests.unit.builders import (
    CHAIR,
    CHAIR_2,
    DAY,
    DR_ADAMS,
    NOW,
    NURSE_BAKER,
    OFFICE,
    THERAPIST_DIAZ,
    at,
    codes,
    hours,
    default_rooms,
    esketamine,
    integration,
    reviewed_preparation,
    make_booked,
    make_patient,
    make_request,
    make_room,
    make_shift,
    make_site,
    make_staff,
    make_state,
)


def test_a_fully_staffed_infusion_in_a_free_chair_during_opening_hours_is_accepted():
    assert check_session(make_request(), make_state(), NOW) == []


def test_a_session_that_would_start_in_the_past_is_refused():
    assert codes(check_session(make_request(), make_state(), at(10, 1))) == ["starts_in_past"]


def test_a_session_starting_right_now_is_not_in_the_past():
    assert check_session(make_request(), make_state(), at(10)) == []


def test_a_session_on_a_closure_day_is_refused_as_site_closed():
    site = make_site(closures=[DAY])
    assert codes(check_session(make_request(site=site), make_state(site), NOW)) == ["site_closed"]


def test_an_infusion_whose_recovery_runs_past_closing_is_refused_as_site_closed():
    # 17:00 + 45 min infusion + 60 min recovery ends 18:45; the site closes at 18:00.
    assert codes(check_session(make_request(start=at(17)), make_state(), NOW)) == ["site_closed"]


def test_an_infusion_ending_exactly_at_closing_time_is_accepted():
    assert check_session(make_request(start=at(16, 15)), make_state(), NOW) == []


def test_an_infusion_without_a_chair_is_refused_as_room_missing():
    assert codes(check_session(make_request(room_id=None), make_state(), NOW)) == ["room_missing"]


def test_a_session_type_needing_no_equipment_may_go_without_a_room():
    telehealth = integration(room_capability=None)
    request = make_request(telehealth, room_id=None, placements=[(THERAPIST_DIAZ, THERAPIST)])
    assert check_session(request, make_state(), NOW) == []


def test_a_chair_of_another_site_is_refused_as_not_at_site():
    state = make_state(rooms=default_rooms() + [make_room(9, site_id=2)])
    assert codes(check_session(make_request(room_id=9), state, NOW)) == ["room_not_at_site"]


def test_an_unknown_room_is_refused_as_not_at_site():
    assert codes(check_session(make_request(room_id=42), make_state(), NOW)) == ["room_not_at_site"]


def test_a_chair_out_of_service_is_refused():
    state = make_state(rooms=[make_room(CHAIR, active=False)])
    assert codes(check_session(make_request(), state, NOW)) == ["room_inactive"]


def test_an_infusion_in_a_therapy_office_without_a_pump_is_refused():
    assert codes(check_session(make_request(room_id=OFFICE), make_state(), NOW)) == ["room_lacks_capability"]


def test_esketamine_in_a_chair_without_a_pulse_oximeter_is_refused():
    state = make_state(rooms=[make_room(CHAIR, capabilities=["infusion_pump_monitor"])])
    assert codes(check_session(make_request(esketamine()), state, NOW)) == ["room_lacks_capability"]


def test_a_chair_already_taken_by_an_overlapping_session_is_refused():
    state = make_state(sessions=[make_booked(start=at(9), room_id=CHAIR)])
    assert codes(check_session(make_request(), state, NOW)) == ["room_taken"]


def test_back_to_back_sessions_in_one_chair_are_fine():
    before = make_booked(100, start=at(8, 15), minutes=105, room_id=CHAIR)  # ends 10:00
    after = make_booked(101, start=at(11, 45), minutes=60, room_id=CHAIR)  # starts as ours ends
    assert check_session(make_request(), make_state(sessions=[before, after]), NOW) == []


def test_another_chair_is_free_while_the_first_is_taken():
    state = make_state(sessions=[make_booked(start=at(9), room_id=CHAIR)])
    assert check_session(make_request(room_id=CHAIR_2), state, NOW) == []


def test_esketamine_at_a_site_without_rems_certification_is_refused():
    site = make_site(esketamine_certified=False)
    request = make_request(esketamine(), site=site)
    assert codes(check_session(request, make_state(site), NOW)) == ["site_not_rems_certified"]


def test_an_iv_infusion_needs_no_rems_certification_or_enrolment():
    site = make_site(esketamine_certified=False)
    request = make_request(site=site, patient=make_patient(rems_enrolled_on=None))
    assert check_session(request, make_state(site), NOW) == []


def test_esketamine_for_a_patient_never_enrolled_in_the_rems_is_refused():
    request = make_request(esketamine(), patient=make_patient(rems_enrolled_on=None))
    assert codes(check_session(request, make_state(), NOW)) == ["patient_not_rems_enrolled"]


def test_esketamine_for_a_patient_enrolled_only_after_the_session_date_is_refused():
    request = make_request(esketamine(), patient=make_patient(rems_enrolled_on=DAY + timedelta(days=1)))
    assert codes(check_session(request, make_state(), NOW)) == ["patient_not_rems_enrolled"]


def test_esketamine_for_a_patient_enrolled_the_day_before_is_accepted():
    request = make_request(esketamine(), patient=make_patient(rems_enrolled_on=DAY - timedelta(days=1)))
    assert check_session(request, make_state(), NOW) == []


def test_a_patient_already_in_another_session_at_that_time_is_refused():
    state = make_state(sessions=[make_booked(patient_id=1, start=at(11), minutes=50, room_id=OFFICE)])
    assert codes(check_session(make_request(), state, NOW)) == ["patient_double_booked"]


def test_a_patients_integration_right_after_their_infusion_is_fine():
    state = make_state(sessions=[make_booked(patient_id=1, start=at(11, 45), minutes=50, room_id=OFFICE)])
    assert check_session(make_request(), state, NOW) == []


def test_a_session_may_move_over_its_own_old_time():
    old = make_booked(7, patient_id=1, start=at(10), minutes=50, room_id=OFFICE,
                      duties=[(THERAPIST_DIAZ, THERAPIST)])
    state = make_state(sessions=[old])
    moved = make_request(integration(), start=at(10, 30), room_id=OFFICE, placements=[(THERAPIST_DIAZ, THERAPIST)])
    assert check_session(moved, state, NOW, ignore_session_id=7) == []
    # Without saying which session moves, its old self stands in the way three times over.
    assert codes(check_session(moved, state, NOW)) == ["room_taken", "staff_over_capacity", "patient_double_booked"]


def test_a_refusal_lists_every_reason_not_just_the_first():
    site = make_site(esketamine_certified=False, closures=[DAY])
    state = make_state(site, rooms=[make_room(CHAIR, capabilities=["infusion_pump_monitor"], active=False)],
                       sessions=[make_booked(patient_id=1, start=at(9), room_id=CHAIR)])
    request = make_request(esketamine(), site=site, patient=make_patient(rems_enrolled_on=None),
                           placements=[(NURSE_BAKER, SUPERVISING_PRESCRIBER)])
    assert codes(check_session(request, state, at(11))) == [
        "starts_in_past", "site_closed",
        "room_inactive", "room_lacks_capability", "room_taken",
        "site_not_rems_certified", "patient_not_rems_enrolled",
        "staff_wrong_discipline", "role_missing",
        "patient_double_booked",
    ]


def test_each_reason_names_the_field_it_is_about():
    request = make_request(room_id=None, placements=[(DR_ADAMS, SUPERVISING_PRESCRIBER)])
    reasons = check_session(request, make_state(), at(11))
    assert {(r.code, r.field) for r in reasons} == {
        ("starts_in_past", "start"), ("room_missing", "room_id"), ("role_missing", "assignments")}


def test_a_booked_session_holds_a_part_time_role_only_for_its_active_part():
    request = make_request(reviewed_preparation(), room_id=OFFICE,
                           placements=[(THERAPIST_DIAZ, THERAPIST), (DR_ADAMS, SUPERVISING_PRESCRIBER)])
    booked = as_booked(request, 55)
    held = {staff_id: d.interval for staff_id, d in booked.duties}
    assert booked.window.end == at(12, 30)
    assert held[THERAPIST_DIAZ] == booked.window
    assert held[DR_ADAMS].end == at(11)
    assert all(d.session_id == 55 for _, d in booked.duties)


def test_a_session_accepted_in_a_batch_counts_against_the_next_one():
    state = make_state(rooms=[make_room(CHAIR)])
    first = make_request()
    assert check_session(first, state, NOW) == []
    state.add(as_booked(first, 1))
    second = replace(make_request(start=at(11)), patient=make_patient(2))
    assert codes(check_session(second, state, NOW)) == ["room_taken"]


def test_a_role_placed_but_not_needed_by_the_session_type_is_refused():
    request = make_request(integration(), room_id=OFFICE,
                           placements=[(THERAPIST_DIAZ, THERAPIST), (NURSE_BAKER, MONITORING_CLINICIAN)])
    assert codes(check_session(request, make_state(), NOW)) == ["role_not_needed"]


def test_rems_enrolment_is_judged_on_the_sites_local_day():
    # 20:30 in New York on 15 June is already 16 June in UTC: enrolment on the 15th is in time.
    evening = make_site(opening=hours("08:00", "23:30"))
    state = make_state(evening, staff=[make_staff(DR_ADAMS, shifts=(make_shift("19:00", "23:30"),)),
                                       make_staff(NURSE_BAKER, disciplines=["RN"],
                                                  shifts=(make_shift("19:00", "23:30"),))])
    on_time = make_request(esketamine(), start=at(20, 30), site=evening,
                           patient=make_patient(rems_enrolled_on=date(2026, 6, 15)))
    too_late = replace(on_time, patient=make_patient(rems_enrolled_on=date(2026, 6, 16)))
    assert on_time.start.date() == date(2026, 6, 16)
    assert check_session(on_time, state, NOW) == []
    assert codes(check_session(too_late, state, NOW)) == ["patient_not_rems_enrolled"]
