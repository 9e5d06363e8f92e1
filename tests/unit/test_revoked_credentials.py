"""A revoked credential is in force up to the day before it was revoked, never past its own expiry."""

from __future__ import annotations

from datetime import date

import pytest

from planner.domain.staffing import Credential, last_valid_day


@pytest.mark.parametrize("expires_on, revoked_on, last", [
    (date(2027, 6, 30), None, date(2027, 6, 30)),               # not revoked: its expiry
    (None, None, None),                                          # never expires, never revoked
    (date(2027, 6, 30), date(2026, 12, 1), date(2026, 11, 30)),  # revoked before it would expire
    (None, date(2026, 12, 1), date(2026, 11, 30)),               # a licence without expiry, revoked
    (date(2026, 10, 31), date(2026, 12, 1), date(2026, 10, 31)),  # revoked after it had lapsed anyway
])
def test_the_last_valid_day_is_the_sooner_of_expiry_and_the_day_before_revocation(expires_on, revoked_on, last):
    assert last_valid_day(expires_on, revoked_on) == last


def test_a_credential_revoked_on_a_day_is_not_valid_that_day_but_was_the_day_before():
    bls = Credential("bls", date(2025, 1, 1), last_valid_day(date(2027, 1, 1), date(2026, 11, 23)))
    assert bls.valid_on(date(2026, 11, 22)) and not bls.valid_on(date(2026, 11, 23))


def test_a_credential_revoked_on_the_day_it_was_issued_was_never_valid():
    acls = Credential("acls", date(2026, 11, 1), last_valid_day(None, date(2026, 11, 1)))
    assert not acls.valid_on(date(2026, 11, 1))
