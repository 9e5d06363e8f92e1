"""Who reads a patient's clinical record: the reach of each kind of account (issue 13, part 7)."""

from __future__ import annotations

import pytest

from planner.domain.record_access import ALL, NONE, OWN, may_read, reach


@pytest.mark.parametrize(("role", "disciplines", "expected"), [
    ("reception", None, NONE),
    ("reception", frozenset({"MD"}), NONE),       # a role, not a degree, opens the record
    ("admin", None, ALL),
    ("clinician", None, ALL),                     # no schedule: a medical director, say
    ("clinician", frozenset({"MD"}), ALL),
    ("clinician", frozenset({"NP", "therapist"}), ALL),
    ("clinician", frozenset({"RN"}), ALL),
    ("clinician", frozenset({"LPN"}), ALL),
    ("clinician", frozenset({"therapist"}), OWN),
    ("clinician", frozenset(), OWN),              # linked to a record that names no clinical discipline
    ("patient", None, NONE),
])
def test_each_account_reaches_as_far_as_its_role_and_disciplines_allow(role, disciplines, expected):
    assert reach(role, disciplines) == expected


def test_a_therapist_reads_only_a_patient_they_treat_and_reception_none():
    assert may_read(OWN, on_team=True) and not may_read(OWN, on_team=False)
    assert may_read(ALL, on_team=False) and not may_read(NONE, on_team=True)
