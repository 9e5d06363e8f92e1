"""ACLS and BLS presence is counted at every instant of the dose window: a handover covers it, a gap does not.

domain.md: an ACLS holder and a second BLS holder are on site DURING every dosing window. An IV
dose runs 10:00-11:45 at Midtown. Dr Adams supervises (no ACLS), Nurse Baker monitors (BLS), all
day; the ACLS holders Ivy (id 10) and Jon (id 11) share the day between them as each case says.
The coverage view's quarter hours are counted the same way (the last tests).
"""

from __future__ import annotations

import pytest

from planner.domain.coverage import coverage_curve
from planner.domain.presence import short_on_site
from tests.unit.builders import (
    DR_ADAMS, NURSE_BAKER, at, esketamine, iv_infusion, make_credentials, make_shift, make_site, make_staff, make_state, span,
)

IVY, JON, KAI = 10, 11, 12
SITE = make_site()
DOSE = iv_infusion()  # 45 min + 60 min: 10:00-11:45


def acls_holder(id: int, shifts=("07:00", "20:00"), time_off=(), elsewhere=None):
    blocks = tuple(make_shift(*pair) for pair in ([shifts] if isinstance(shifts[0], str) else shifts))
    if elsewhere:
        blocks += (make_shift(*elsewhere, site_id=2),)
    return make_staff(id, f"Holder {id}", ("RN",), make_credentials(("licence", "acls", "bls")), blocks, time_off)


def bls_holder(id: int, shifts=("07:00", "20:00")):
    return make_staff(id, f"Nurse {id}", ("RN",), make_credentials(("licence", "bls")), (make_shift(*shifts),))


def team(*others):
    return [make_staff(DR_ADAMS, "Dr Adams", ("MD",), make_credentials(("licence",))),
            bls_holder(NURSE_BAKER), *others]


# Each case: the people on site besides the team, and the reason code (None: the dose is covered).
CASES = {
    "one ACLS holder all day": (team(acls_holder(IVY)), None),
    "an exact ACLS handover at 10:50": (team(acls_holder(IVY, ("07:00", "10:50")), acls_holder(JON, ("10:50", "20:00"))),
                                        None),
    "a one-minute gap between the ACLS holders": (
        team(acls_holder(IVY, ("07:00", "10:49")), acls_holder(JON, ("10:50", "20:00"))), "no_acls_on_site"),
    "overlapping ACLS shifts": (team(acls_holder(IVY, ("07:00", "11:00")), acls_holder(JON, ("10:30", "20:00"))), None),
    "one holder's two shifts that adjoin": (team(acls_holder(IVY, (("07:00", "10:50"), ("10:50", "20:00")))), None),
    "a handover made by leave starting as the next shift starts": (
        team(acls_holder(IVY, time_off=(span(at(10, 50), 120),)), acls_holder(JON, ("10:50", "20:00"))), None),
    "leave that starts a minute before the next shift": (
        team(acls_holder(IVY, time_off=(span(at(10, 49), 120),)), acls_holder(JON, ("10:50", "20:00"))),
        "no_acls_on_site"),
    "a shift elsewhere in the middle of the dose": (
        team(acls_holder(IVY, elsewhere=("10:30", "10:45"))), "no_acls_on_site"),
    "the ACLS holder gone before the observation ends": (team(acls_holder(IVY, ("07:00", "11:30"))), "no_acls_on_site"),
    "a second BLS holder handed over at 11:00": (
        [make_staff(DR_ADAMS, "Dr Adams", ("MD",)), bls_holder(NURSE_BAKER, ("07:00", "11:00")),
         bls_holder(KAI, ("11:00", "20:00"))], None),
    "a second BLS holder missing for a minute": (
        [make_staff(DR_ADAMS, "Dr Adams", ("MD",)), bls_holder(NURSE_BAKER, ("07:00", "10:59")),
         bls_holder(KAI, ("11:00", "20:00"))], "no_second_bls_on_site"),
}


@pytest.mark.parametrize("case", CASES)
def test_presence_is_judged_at_every_instant_of_the_dose_window(case):
    staff, code = CASES[case]
    reasons = short_on_site(SITE, DOSE, at(10), make_state(staff=staff))
    assert [r.code for r in reasons] == ([code] if code else [])


def test_the_refusal_names_the_minute_no_acls_holder_is_on_site():
    staff, _ = CASES["a one-minute gap between the ACLS holders"]
    (reason,) = short_on_site(SITE, DOSE, at(10), make_state(staff=staff))
    assert reason.message == ("1 ACLS holder must be on site at Midtown throughout the dose and observation; "
                              "from 10:49 to 10:50 there would be 0.")


def test_with_nobody_on_site_the_refusal_speaks_of_the_whole_window():
    (reason,) = short_on_site(SITE, DOSE, at(10), make_state(staff=team()))
    assert reason.message == "1 ACLS holder must be on site at Midtown for the whole dose and observation; 0 would be."


@pytest.mark.parametrize(("case", "covered"), [("an exact ACLS handover at 10:50", True),
                                               ("a one-minute gap between the ACLS holders", False)])
def test_the_coverage_view_counts_the_quarter_of_a_handover_as_the_booking_rules_do(case, covered):
    staff, _ = CASES[case]
    curve = coverage_curve(SITE, at(10).date(), [DOSE.window(at(10))], staff)
    quarter = next(q for q in curve if q.span.start == at(10, 45))
    assert quarter.acls is covered
    assert (quarter.state != "gap") is covered


# --- the planner's "no plan" words when presence binds (planning/explain.py) ------------------------

def _why(staff, policy=None):
    from dataclasses import replace

    from planner.domain.planning.explain import describe, missing_by_half_day
    from planner.domain.planning.model import Preferences
    site = replace(SITE, policies={"intranasal": policy}) if policy else SITE
    state = make_state(site=site, staff=staff)
    day, spray = at(10).date(), esketamine()
    return describe(spray, missing_by_half_day(spray, state, day, day, Preferences(time_of_day="afternoon")), day,
                    state)


def spray_team(*others):
    """Dr Adams supervises esketamine (REMS trained, no ACLS), Nurse Baker monitors (BLS), all day."""
    return [make_staff(DR_ADAMS, "Dr Adams", ("MD",), make_credentials(("licence", "rems_training"))),
            bls_holder(NURSE_BAKER), *others]


@pytest.mark.parametrize(("staff", "policy", "sentence"), [
    (spray_team(acls_holder(IVY, ("07:00", "14:00"))), None,
     "No ACLS holder is on site at Midtown on Mondays after 14:00 in week 1."),
    (spray_team(acls_holder(IVY), bls_holder(KAI, ("07:00", "14:00"))), {"bls_on_site": 3},
     "Fewer than 3 BLS holders (the ACLS holders counted) are on site at Midtown on Mondays after 14:00 in week 1."),
    (spray_team(acls_holder(IVY)), None, None),
])
def test_the_no_plan_answer_names_the_presence_rule_when_it_binds_and_not_otherwise(staff, policy, sentence):
    from planner.domain.policy import RoutePolicy

    found = _why(staff, RoutePolicy(**policy) if policy else None)
    if sentence is None:
        assert not any("holder" in line for line in found)
    else:
        assert sentence in found, found
