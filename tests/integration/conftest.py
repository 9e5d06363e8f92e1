"""A small New York clinic for the service tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests import factories as f

MONDAY = date(2026, 11, 23)


@dataclass
class SmallClinic:
    site: int
    chairs: list[int]
    office: int
    prescriber: int
    nurses: list[int]
    therapist: int
    patients: list[int]
    iv: int
    esketamine: int
    integration: int


@pytest.fixture
def clinic(app) -> SmallClinic:
    """Midtown: 3 chairs, an office, one MD, two RNs, a therapist, on shift all week from MONDAY."""
    site = f.make_site()
    chairs = [f.make_room(site, name=f"Chair {i}") for i in (1, 2, 3)]
    office = f.make_room(site, name="Office A", kind="therapy_office", capabilities=["therapy"])
    prescriber = f.make_staff("Dr Ada Kim", ["MD"])
    nurses = [f.make_staff(name, ["RN"], f.credentials("licence", "bls")) for name in ("Rosa Diaz", "Sam Lee")]
    therapist = f.make_staff("Theo Park", ["therapist"], f.credentials("licence"))
    for person in [prescriber, *nurses, therapist]:
        for day in f.week_of(MONDAY):
            f.make_shift(person, site, day)
    patients = [f.make_patient(f"MRN-{i}") for i in range(1, 7)]
    return SmallClinic(site, chairs, office, prescriber, nurses, therapist, patients,
                       f.make_session_type(f.IV_DOSING), f.make_session_type(f.ESKETAMINE),
                       f.make_session_type(f.INTEGRATION))
