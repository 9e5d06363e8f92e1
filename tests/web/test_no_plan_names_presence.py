"""When the ACLS/BLS presence rule is what stops a course, the planner says so in the clinic's words.

Midtown, esketamine for suicidal thinking (twice a week), Tuesday and Thursday afternoons: Dr Reyes
supervises (REMS trained, no ACLS), the nurses monitor (BLS), Dr Kim is away. Ivy Chen RN is the
only ACLS holder. Refused: she leaves at 14:00, so no afternoon dose has an ACLS holder on site for
its whole window, and the "no plan" answer names it, in the API's proposal and on the wizard's
page. Safe control: she stays until 18:00 and a plan is offered.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import delete

from planner.db.models import Shift
from planner.extensions import db
from tests import factories as f
from tests.web.api_client import ApiClient
from tests.web.conftest import csrf_from

SENTENCE = "No ACLS holder is on site at Midtown on Tuesdays and Thursdays after 14:00"
LEAVES = {"refused": "14:00", "safe": "18:00"}


def arrange(course_clinic, ivy_leaves: str) -> int:
    db.session.execute(delete(Shift).where(Shift.staff_id == course_clinic.prescriber))
    db.session.commit()
    reyes = f.make_staff("Dr Omar Reyes", ["MD"], f.credentials("licence", "rems_training", "bls"))
    ivy = f.make_staff("Ivy Chen RN", ["RN"], f.credentials("licence", "acls", "bls"))
    for week in range(5):
        for day in f.week_of(f.MONDAY + timedelta(weeks=week)):
            f.make_shift(reyes, course_clinic.site, day)
            f.make_shift(ivy, course_clinic.site, day, "08:00", ivy_leaves)
    return f.make_patient("ESK-1", rems_enrolled_on=f.MONDAY - timedelta(days=10), screening_status="cleared",
                          consent_status="signed")


@pytest.mark.parametrize("case", LEAVES)
def test_the_apis_proposal_names_the_missing_acls_holder(client, course_clinic, clinic_clock, case):
    patient = arrange(course_clinic, LEAVES[case])
    answer = ApiClient(client, "reception").post("/api/courses/proposals", {
        "patient_id": patient, "protocol": "esketamine-mdsi", "start": "2026-11-23",
        "preferences": {"weekdays": [1, 3], "time_of_day": "afternoon"}})
    assert answer.status_code == 200, answer.get_json()
    proposal = answer.get_json()
    if case == "safe":
        assert proposal["plans"] and not any("ACLS" in reason for reason in proposal["reasons"])
        return
    assert proposal["plans"] == []
    assert any(SENTENCE in reason for reason in proposal["reasons"]), proposal["reasons"]
    assert not any("changed while planning" in reason for reason in proposal["reasons"])


@pytest.mark.parametrize("case", LEAVES)
def test_the_wizards_page_names_the_missing_acls_holder(signed_in, course_clinic, clinic_clock, case):
    patient = arrange(course_clinic, LEAVES[case])
    client = signed_in("reception")
    page = client.get(f"/courses/new?patient={patient}")
    answer = client.post(f"/courses/new?patient={patient}", data={
        "csrf_token": csrf_from(page.data), "protocol": "esketamine-mdsi", "time_of_day": "afternoon",
        "weekdays": ["1", "3"]})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    if case == "safe":
        assert 'name="plan" value="' in text and SENTENCE not in text
        return
    reasons = re.search(r'data-testid="no-plan">(.*?)</div>', text, re.S).group(1)
    assert SENTENCE in reasons
