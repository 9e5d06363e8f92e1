"""The coverage curve: dosing load per quarter hour against supervising and monitoring capacity and ACLS/BLS."""

from __future__ import annotations

from datetime import date, timedelta

from planner.domain.calendar import local
from planner.domain.coverage import (
    GAP, IDLE, NEAR, OK, coverage_curve, needs_credential, peak_concurrent, quarters_of, stretches, uncovered_reasons,
)
from planner.domain.staffing import MONITORING_CLINICIAN, SUPERVISING_PRESCRIBER
from tests.unit.builders import (
    DAY, DR_ADAMS, NEW_YORK, NURSE_BAKER, NURSE_CHEN, at, esketamine, iv_infusion, make_booked, make_credentials,
    make_request, make_shift, make_site, make_staff, make_state, span,
)

SITE = make_site()


def team(*extra):
    """Dr Adams (MD, every credential) and Nurse Baker (RN, licence and BLS), on shift 07:00-20:00."""
    return [make_staff(DR_ADAMS, "Dr Adams", ("MD",)),
            make_staff(NURSE_BAKER, "Nurse Baker", ("RN",), make_credentials(("licence", "bls"))), *extra]


def quarter_at(quarters, hh, mm=0):
    return next(q for q in quarters if q.span.start == at(hh, mm))


def test_a_day_has_96_quarters_and_the_dst_days_92_and_100():
    assert len(quarters_of(DAY, NEW_YORK)) == 96
    assert len(quarters_of(date(2026, 3, 8), NEW_YORK)) == 92    # spring forward: a 23-hour day
    assert len(quarters_of(date(2026, 11, 1), NEW_YORK)) == 100  # fall back: a 25-hour day
    assert len(quarters_of(date(2026, 3, 29), "Europe/London")) == 92


def test_on_the_fall_back_day_the_hour_from_one_comes_twice_and_the_load_lands_in_the_right_one():
    day = date(2026, 11, 1)
    quarters = quarters_of(day, NEW_YORK)
    walls = [f"{local(q.start, NEW_YORK):%H:%M %Z}" for q in quarters]
    assert walls.count("01:00 EDT") == 1 and walls.count("01:00 EST") == 1
    # A dose at 09:00 EST is ten hours of real time after local midnight (EDT), not nine.
    dose = span(at(9, day=day), 105)
    staff = team()
    staff = [make_staff(m.id, m.name, tuple(m.disciplines), m.credentials, (make_shift("07:00", "20:00", day),))
             for m in staff]
    curve = coverage_curve(SITE, day, [dose], staff)
    loaded = [q for q in curve if q.load]
    assert len(loaded) == 7 and loaded[0].span.start == at(9, day=day)
    assert curve.index(loaded[0]) == 40  # 10 h * 4: the repeated hour is counted


def test_on_the_spring_forward_day_the_quarters_skip_the_missing_hour():
    day = date(2026, 3, 8)
    walls = [f"{local(q.start, NEW_YORK):%H:%M}" for q in quarters_of(day, NEW_YORK)]
    assert "02:00" not in walls and walls[8] == "03:00"


def test_load_is_the_most_doses_under_way_at_once_and_back_to_back_doses_do_not_add_up():
    first, second = span(at(9), 105), span(at(10, 45), 105)
    assert peak_concurrent([first, second], span(at(10, 30), 15)) == 1
    assert peak_concurrent([first, span(at(10), 105)], span(at(10), 15)) == 2


def test_capacity_is_prescribers_times_four_and_nurses_times_two_by_the_site_limits():
    curve = coverage_curve(SITE, DAY, [span(at(10), 105)], team())
    ten = quarter_at(curve, 10)
    assert (ten.load, ten.supervising, ten.monitoring) == (1, 4, 2)
    raised = make_site(limits={SUPERVISING_PRESCRIBER: 6, MONITORING_CLINICIAN: 3, "therapist": 1})
    ten = quarter_at(coverage_curve(raised, DAY, [span(at(10), 105)], team()), 10)
    assert (ten.supervising, ten.monitoring) == (6, 3)


def test_a_third_concurrent_dose_with_one_nurse_is_a_gap_and_two_are_at_the_limit():
    two = coverage_curve(SITE, DAY, [span(at(10), 105)] * 2, team())
    assert quarter_at(two, 10).state == NEAR
    three = coverage_curve(SITE, DAY, [span(at(10), 105)] * 3, team())
    assert quarter_at(three, 10).state == GAP
    assert quarter_at(three, 10).problems == ("3 dosing for monitoring capacity 2",)
    assert quarter_at(three, 8).state == IDLE


def test_a_nurse_on_leave_or_off_shift_gives_no_capacity_for_that_quarter():
    on_leave = make_staff(NURSE_BAKER, "Nurse Baker", ("RN",), make_credentials(("licence", "bls")),
                          time_off=(span(at(10), 60),))
    curve = coverage_curve(SITE, DAY, [span(at(10), 105)], [make_staff(DR_ADAMS, "Dr Adams", ("MD",)), on_leave])
    assert quarter_at(curve, 10).monitoring == 0 and quarter_at(curve, 10).state == GAP
    assert quarter_at(curve, 11).monitoring == 2


def test_no_second_bls_holder_on_site_is_a_gap_even_within_capacity():
    # The MD holds ACLS and BLS; with a nurse without BLS nobody else can be the second rescuer.
    no_bls = make_staff(NURSE_BAKER, "Nurse Baker", ("RN",), make_credentials(("licence",)))
    quarter = quarter_at(coverage_curve(SITE, DAY, [span(at(10), 105)],
                                        [make_staff(DR_ADAMS, "Dr Adams", ("MD",)), no_bls]), 10)
    assert quarter.problems[-1] == "no second BLS holder on site"
    without_acls = make_staff(DR_ADAMS, "Dr Adams", ("MD",), make_credentials(("licence", "bls")))
    quarter = quarter_at(coverage_curve(SITE, DAY, [span(at(10), 105)], [without_acls, team()[1]]), 10)
    assert "no ACLS holder on site" in quarter.problems


def test_a_credential_lapsed_on_the_day_gives_no_capacity():
    lapsed = make_staff(NURSE_BAKER, "Nurse Baker", ("RN",),
                        make_credentials(("licence", "bls"), expires_on=DAY - timedelta(days=1)))
    quarter = quarter_at(coverage_curve(SITE, DAY, [span(at(10), 105)],
                                        [make_staff(DR_ADAMS, "Dr Adams", ("MD",)), lapsed]), 10)
    assert quarter.monitoring == 0


def test_a_well_staffed_dose_is_ok_and_gaps_join_into_stretches():
    curve = coverage_curve(SITE, DAY, [span(at(10), 105)],
                           team(make_staff(NURSE_CHEN, "Nurse Chen", ("RN",), make_credentials(("licence", "bls")))))
    assert quarter_at(curve, 10).state == OK
    three = coverage_curve(SITE, DAY, [span(at(10), 105)] * 3, team())
    marked = stretches(three)
    assert [(m.state, m.span) for m in marked] == [(GAP, span(at(10), 105))]


def test_a_session_depends_on_a_credential_its_role_asks_for():
    assert needs_credential(iv_infusion(), SUPERVISING_PRESCRIBER, "acls")
    assert not needs_credential(iv_infusion(), MONITORING_CLINICIAN, "acls")
    assert needs_credential(esketamine(), SUPERVISING_PRESCRIBER, "rems_training")


def test_a_booked_session_whose_nurse_went_on_leave_has_lost_cover_and_the_control_has_not():
    request = make_request()
    booked = make_booked(100, start=at(10), duties=[(DR_ADAMS, SUPERVISING_PRESCRIBER),
                                                     (NURSE_BAKER, MONITORING_CLINICIAN)], dosing=True)
    assert uncovered_reasons(request, make_state(sessions=[booked]), 100) == []
    on_leave = make_staff(NURSE_BAKER, "Nurse Baker", ("RN",), make_credentials(("licence", "bls")),
                          time_off=(span(at(9), 240),))
    state = make_state(staff=[make_staff(DR_ADAMS, "Dr Adams", ("MD",)), on_leave], sessions=[booked])
    assert [r.code for r in uncovered_reasons(request, state, 100)] == ["staff_on_leave", "no_second_bls_on_site"]


def test_with_a_routes_own_ratio_each_dose_weighs_by_its_route_and_a_mix_past_one_nurse_is_a_gap():
    from dataclasses import replace

    from planner.domain.policy import RoutePolicy

    # One nurse; IV at the site's 1 : 2, esketamine at its own 1 : 3: an IV and a spray take 5/6 of her.
    site = replace(SITE, policies={"intranasal": RoutePolicy(limits={MONITORING_CLINICIAN: 3})})
    iv, spray = span(at(10), 105), span(at(10), 150)
    mixed = quarter_at(coverage_curve(site, DAY, [iv, spray], team(), ["IV", "intranasal"]), 10)
    assert (mixed.load, mixed.monitoring, mixed.state) == (2, 2, NEAR)
    # A second spray makes 7/6 of her: a gap, though two sprays alone (2/3) would leave room.
    over = quarter_at(coverage_curve(site, DAY, [iv, spray, spray], team(), ["IV", "intranasal", "intranasal"]), 10)
    assert over.state == GAP and "monitoring capacity 2" in over.problems[0]
    sprays = quarter_at(coverage_curve(site, DAY, [spray, spray], team(), ["intranasal", "intranasal"]), 10)
    assert (sprays.monitoring, sprays.state) == (3, OK)
