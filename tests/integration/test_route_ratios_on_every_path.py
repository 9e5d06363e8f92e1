"""A route's own ratio (staffing policy per site AND route) holds on every path that judges a person's load.

The small clinic's Monday: Rosa Diaz RN is the only monitoring clinician on site (Sam Lee's
Monday shift withdrawn unless a case needs him) and monitors an IV dose at 09:00. The site's
monitoring ratio stays 2; one route's own ratio is set to 1. When that route is IV, Rosa's IV
patient fills her and every path refuses her a second dose then; when it is intranasal (the
control), her IV dose weighs by the site's 2 and every path lets her take one more. Each duty
weighs by its OWN session's route, wherever the load is judged.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import delete, select

from planner.db.models import CoverageAlert, Session, Shift, StaffingPolicy
from planner.domain.calendar import to_utc
from planner.domain.errors import BookingRefused
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from planner.services.callouts import preview_callout
from planner.services.coverage import coverage_day
from planner.services.coverage_check import check_coverage
from planner.services.offers import find_offers
from planner.services.policy_inputs import PolicyChange
from planner.services.staffing_policy import change_policy
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
NY = "America/New_York"
NINE = to_utc(f.MONDAY, time(9), NY)
MONITOR = "monitoring_clinician"
# The route given its own ratio of 1 monitored patient per nurse: IV binds Rosa's IV dose, intranasal does not.
STRICT = {"refused": "IV", "safe": "intranasal"}


def iv(clinic, patient: int, nurse: int, chair: int) -> SessionOrder:
    return SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, NINE, clinic.chairs[chair],
                        ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[nurse], MONITOR)))


def strict_ratio(clinic, route: str) -> None:
    change_policy(clinic.site, PolicyChange.model_validate({"routes": {route: {"limits": {MONITOR: 1}}}}),
                  SYSTEM, NOW)


def without_sam_on_monday(clinic) -> None:
    db.session.execute(delete(Shift).where(Shift.staff_id == clinic.nurses[1],
                                           Shift.starts_at >= to_utc(f.MONDAY, time(0), NY),
                                           Shift.starts_at < to_utc(f.MONDAY, time(23), NY)))
    db.session.commit()


@pytest.fixture
def rosa_busy(clinic):
    """Rosa Diaz monitors an IV dose on Monday at 09:00 and is the only nurse on site that day."""
    without_sam_on_monday(clinic)
    book_session(iv(clinic, 0, 0, 0), SYSTEM, NOW)
    return clinic


@pytest.mark.parametrize("case", STRICT)
def test_booking_a_second_dose_on_rosa_follows_the_ratio_of_her_doses_route(rosa_busy, case):
    clinic = rosa_busy
    strict_ratio(clinic, STRICT[case])
    if case == "safe":
        assert book_session(iv(clinic, 1, 0, 1), SYSTEM, NOW) > 0
        return
    with pytest.raises(BookingRefused) as refused:
        book_session(iv(clinic, 1, 0, 1), SYSTEM, NOW)
    over = [r.message for r in refused.value.reasons if r.code == "staff_over_capacity"]
    assert over and "more than 1 concurrent patient" in over[0]


@pytest.mark.parametrize("case", STRICT)
def test_offers_over_rosas_dose_follow_the_ratio_of_her_doses_route(rosa_busy, case):
    clinic = rosa_busy
    strict_ratio(clinic, STRICT[case])
    offers = find_offers(clinic.site, clinic.iv, f.MONDAY, f.MONDAY, NOW, clinic.patients[1], more=True)
    busy = (NINE, NINE + timedelta(minutes=105))
    overlapping = [o for o in offers.offers if o.start < busy[1] and o.end > busy[0]]
    assert offers.offers  # the rest of Rosa's day is free either way
    assert bool(overlapping) == (case == "safe")


@pytest.mark.parametrize("case", STRICT)
def test_the_coverage_view_shows_rosas_capacity_by_the_ratio_of_the_route_under_way(rosa_busy, case):
    clinic = rosa_busy
    strict_ratio(clinic, STRICT[case])
    day = coverage_day(clinic.site, f.MONDAY, NOW)
    nine = next(q for q in day.quarters if q.span.start == NINE)
    assert (nine.load, nine.monitoring) == ((1, 1) if case == "refused" else (1, 2))
    assert nine.state == ("near" if case == "refused" else "ok")


@pytest.mark.parametrize("case", STRICT)
def test_the_daily_check_finds_a_dose_over_a_ratio_written_around_the_application(rosa_busy, case):
    clinic = rosa_busy
    second = book_session(iv(clinic, 1, 0, 1), SYSTEM, NOW)  # Rosa: two IV patients, the site's ratio 2
    # A row written straight into the table (a restore, a script): the daily check still judges by it.
    db.session.add(StaffingPolicy(site_id=clinic.site, route=STRICT[case], acls_on_site=1, bls_on_site=2,
                                  distinct_monitor=False, monitoring_clinician_limit=1, updated_at=NOW))
    db.session.commit()
    check_coverage(NOW)
    db.session.rollback()
    alerted = set(db.session.scalars(select(CoverageAlert.session_id).where(CoverageAlert.resolved_at.is_(None),
                                                                            CoverageAlert.session_id.is_not(None))))
    assert (second in alerted) == (case == "refused")


@pytest.mark.parametrize("case", STRICT)
def test_a_call_out_hands_sams_dose_to_rosa_only_when_the_ratio_of_the_route_allows(clinic, case):
    book_session(iv(clinic, 0, 0, 0), SYSTEM, NOW)
    sams = book_session(iv(clinic, 1, 1, 1), SYSTEM, NOW)
    strict_ratio(clinic, STRICT[case])
    preview = preview_callout(clinic.nurses[1], to_utc(f.MONDAY, time(7), NY), to_utc(f.MONDAY, time(19), NY), NOW)
    (repair,) = [r for r in preview.repairs if r.session_id == sams]
    to_rosa = repair.action == "reassign" and clinic.nurses[0] in {p.staff_id for p in repair.placements}
    assert to_rosa == (case == "safe")


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _dose_windows(proposal) -> list[tuple[datetime, datetime]]:
    return [(s.start, s.end) for s in proposal.plans[0].sessions if s.purpose == "dose"]


@pytest.mark.parametrize("case", STRICT)
def test_a_course_plan_puts_doses_beside_rosas_only_when_the_ratio_of_the_route_allows(course_clinic, case):
    from planner.services.course_booking import book_course
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course

    clinic = course_clinic
    db.session.execute(delete(Shift).where(Shift.staff_id == clinic.nurses[1]))  # Rosa monitors every dose
    db.session.commit()
    strict_ratio(clinic, STRICT[case])
    first, second = f.ready_patient("R-1"), f.ready_patient("R-2")
    prefs = PreferencesIn(time_of_day="morning")
    book_course(f.booking_order(propose_course(first, "iv-induction", prefs, NOW, f.MONDAY), first), SYSTEM, NOW)
    db.session.rollback()
    booked = [(_utc(a), _utc(b)) for a, b in db.session.execute(
        select(Session.starts_at, Session.ends_at).where(Session.patient_id == first, Session.purpose == "dose"))]
    theirs = _dose_windows(propose_course(second, "iv-induction", prefs, NOW, f.MONDAY))
    overlapping = [a for a in theirs for b in booked if a[0] < b[1] and b[0] < a[1]]
    assert theirs and bool(overlapping) == (case == "safe")


@pytest.mark.parametrize("case", STRICT)
def test_a_re_plan_makes_up_a_dose_only_where_rosa_can_carry_it_by_the_ratio_of_the_route(course_clinic, case):
    from planner.services.booking import cancel_session
    from planner.services.course_booking import book_course
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course
    from planner.services.course_replan import preview_replan

    clinic = course_clinic
    db.session.execute(delete(Shift).where(Shift.staff_id == clinic.nurses[1]))
    db.session.commit()
    strict_ratio(clinic, STRICT[case])
    first, second = f.ready_patient("R-1"), f.ready_patient("R-2")
    prefs = PreferencesIn(time_of_day="morning")
    book_course(f.booking_order(propose_course(first, "iv-induction", prefs, NOW, f.MONDAY), first), SYSTEM, NOW)
    course = book_course(f.booking_order(propose_course(second, "iv-induction", prefs, NOW, f.MONDAY), second),
                         SYSTEM, NOW)
    db.session.rollback()
    third = db.session.scalar(select(Session.id).where(Session.course_id == course, Session.dose_number == 3,
                                                       Session.purpose == "dose"))
    cancel_session(third, SYSTEM, NOW)
    db.session.rollback()
    rosas = [(_utc(a), _utc(b)) for a, b in db.session.execute(
        select(Session.starts_at, Session.ends_at).where(Session.patient_id == first, Session.purpose == "dose"))]
    made_up = [c.new for c in preview_replan(course, NOW).changes if c.session_id is None and c.purpose == "dose"]
    assert made_up  # the missed dose is made up either way
    beside = [d for d in made_up for a, b in rosas if d.start < b and a < d.end]
    if case == "refused":
        assert beside == []  # never over Rosa's IV patient: the IV ratio 1 fills her
