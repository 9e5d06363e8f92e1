"""Credential expiry warnings: 60 and 30 days ahead (domain.md)."""

from datetime import date, timedelta

import pytest

from planner.domain.staffing import Credential, expiry_warning

TODAY = date(2026, 6, 15)


def expiring_in(days: int | None) -> Credential:
    return Credential("bls", date(2024, 1, 1), None if days is None else TODAY + timedelta(days=days))


@pytest.mark.parametrize(("days_left", "warning"), [
    (61, None), (60, 60), (45, 60), (31, 60), (30, 30), (1, 30), (0, 30)])
def test_a_credential_warns_sixty_then_thirty_days_before_it_expires(days_left, warning):
    assert expiry_warning(expiring_in(days_left), TODAY) == warning


def test_an_expired_or_open_ended_credential_gives_no_expiry_warning():
    assert expiry_warning(expiring_in(-1), TODAY) is None
    assert expiry_warning(expiring_in(None), TODAY) is None
