"""Rules about the patient on every booking: screening and consent before a dose, one dose a day."""

from __future__ import annotations

from datetime import timedelta

import pytest

from planner.domain.availability import fit_at, free_windows
from planner.domain.booking import check_session
from planner.domain.patients import dosing_readiness
from tests.unit.builders import (
    DAY, LONDON, NOW, OFFICE, THERAPIST_DIAZ, at, codes, integration, make_booked, make_patient, make_request,
    make_site, make_state,
)
from planner.domain.staffing import THERAPIST


@pytest.mark.parametrize("screening, consent, expected", [
    ("excluded", "withdrawn", ["screening_not_cleared", "consent_not_signed"]),
    ("pending", "signed", ["screening_not_cleared"]),
    ("cleared", "pending", ["consent_not_signed"]),
    ("cleared", "signed", []),
])
def test_a_dose_needs_screening_cleared_and_consent_signed(screening, consent, expected):
    request = make_request(patient=make_patient(screening=screening, consent=consent))
    assert codes(check_session(request, make_state(), NOW)) == expected


def test_the_refusal_says_in_words_that_screening_excluded_the_patient_and_consent_was_withdrawn():
    reasons = dosing_readiness(make_patient(screening="excluded", consent="withdrawn"))
    assert [r.message for r in reasons] == [
        "The patient's contraindication screening excluded them from ketamine treatment.",
        "The patient has withdrawn consent for treatment."]


def test_psychotherapy_needs_no_screening_or_consent():
    request = make_request(integration(), room_id=OFFICE, placements=[(THERAPIST_DIAZ, THERAPIST)],
                           patient=make_patient(screening="pending", consent="pending"))
    assert check_session(request, make_state(), NOW) == []


def test_a_second_dose_the_same_day_at_another_site_is_refused():
    # The patient has an infusion at 08:00 at another site (no room here); ours would start at 14:00.
    morning = make_booked(patient_id=1, start=at(8), room_id=None, site_id=2, dosing=True)
    reasons = check_session(make_request(start=at(14)), make_state(sessions=[morning]), NOW)
    assert codes(reasons) == ["patient_dosed_that_day"]
    assert "already has a dosing session at another site on Mon 15 Jun" in reasons[0].message


@pytest.mark.parametrize("other, allowed", [
    (dict(start=at(8), dosing=False), True),                       # psychotherapy in the morning
    (dict(start=at(8, day=DAY + timedelta(days=1)), dosing=True),  # a dose tomorrow
     True),
    (dict(start=at(8), dosing=True), False),                       # a dose this morning
])
def test_one_dose_a_day_counts_only_doses_on_the_same_local_day(other, allowed):
    state = make_state(sessions=[make_booked(patient_id=1, room_id=None, site_id=2, **other)])
    reasons = check_session(make_request(start=at(14)), state, NOW)
    assert (reasons == []) is allowed


def test_psychotherapy_is_allowed_on_a_dose_day():
    dose = make_booked(patient_id=1, start=at(8), room_id=None, dosing=True)
    request = make_request(integration(), start=at(14), room_id=OFFICE, placements=[(THERAPIST_DIAZ, THERAPIST)])
    assert check_session(request, make_state(sessions=[dose]), NOW) == []


def test_the_day_is_the_booking_sites_local_day():
    # A London dose at 09:00 on Tuesday is 04:00 on Tuesday in New York: another New York day
    # than a Monday 08:00 dose in New York, so both may stand.
    london = make_site(2, "Camden", LONDON)
    late = make_booked(patient_id=1, start=at(9, day=DAY + timedelta(days=1), zone=LONDON), room_id=None,
                       site_id=london.id, dosing=True)
    assert check_session(make_request(start=at(8)), make_state(sessions=[late]), NOW) == []


def test_searches_and_placements_skip_a_day_with_a_dose_for_a_dose_but_not_for_therapy():
    dose = make_booked(patient_id=1, start=at(8), room_id=None, site_id=2, dosing=True)
    state = make_state(sessions=[dose])
    assert free_windows(make_request().session_type, state, DAY, DAY, NOW, patient_id=1) == []
    assert free_windows(make_request().session_type, state, DAY, DAY, NOW, patient_id=2) != []
    assert fit_at(make_request().session_type, state, at(14), patient_id=1) is None
    assert free_windows(integration(), state, DAY, DAY, NOW, patient_id=1) != []
