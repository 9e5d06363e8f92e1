"""Who may clear or hold a held dose: a prescriber (MD, DO, NP, PA) in service with a licence valid on the dose's day."""

from datetime import date

import pytest

from planner.domain.staffing import Credential, StaffMember
from planner.domain.vitals import review_refusal

DOSE_DAY = date(2026, 11, 23)
LICENCE = Credential("licence", date(2020, 1, 1), date(2027, 1, 1))


def member(disciplines=("MD",), credentials=(LICENCE,), active=True) -> StaffMember:
    return StaffMember(7, "Dr Ada Kim", frozenset(disciplines), tuple(credentials), active=active)


@pytest.mark.parametrize("discipline", ["MD", "DO", "NP", "PA"])
def test_a_prescriber_with_a_licence_valid_on_the_dose_s_day_may_review(discipline):
    assert review_refusal(member((discipline,)), DOSE_DAY) is None


@pytest.mark.parametrize("discipline", ["RN", "CRNA", "LPN", "therapist"])
def test_a_clinician_who_is_not_a_prescriber_may_not_review(discipline):
    refused = review_refusal(member((discipline,)), DOSE_DAY)
    assert refused.code == "not_a_prescriber" and f"Dr Ada Kim ({discipline}) is not one" in refused.message


def test_an_account_linked_to_nobody_may_not_review():
    assert review_refusal(None, DOSE_DAY).code == "not_a_prescriber"


def test_a_prescriber_whose_licence_lapsed_before_the_dose_s_day_may_not_review_though_one_valid_that_day_may():
    lapsed = Credential("licence", date(2020, 1, 1), date(2026, 11, 22))
    refused = review_refusal(member(credentials=(lapsed,)), DOSE_DAY)
    assert refused.code == "licence_not_valid" and "Mon 23 Nov 2026" in refused.message
    assert review_refusal(member(credentials=(lapsed,)), date(2026, 11, 22)) is None
    assert review_refusal(member(credentials=()), DOSE_DAY).code == "licence_not_valid"


def test_a_prescriber_no_longer_in_service_may_not_review():
    assert review_refusal(member(active=False), DOSE_DAY).code == "not_in_service"
