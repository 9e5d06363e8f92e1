"""Consent as the rules judge it: a withdrawal gives withdrawn, an expiry is judged by the dose's own day."""

from __future__ import annotations

from datetime import date

import pytest

from planner.domain.clinic import Patient
from planner.domain.patients import dosing_readiness
from planner.domain.screening import ConsentRecord, consent_holds_on, consent_status, withdrawal_problems

TODAY = date(2026, 11, 20)
SIGNED = ConsentRecord("treatment", date(2026, 11, 2), date(2026, 11, 23))


@pytest.mark.parametrize(("latest", "status"), [
    (None, "pending"),
    (SIGNED, "signed"),
    (ConsentRecord("treatment", date(2026, 11, 2), date(2026, 11, 19)), "pending"),  # expired yesterday
    (ConsentRecord("treatment", date(2026, 11, 2), TODAY), "signed"),               # holds on its last day
    (ConsentRecord("withdrawal", date(2026, 11, 18), None), "withdrawn"),
])
def test_the_consent_status_follows_the_latest_treatment_consent_or_its_withdrawal(latest, status):
    assert consent_status(latest, TODAY) == status


@pytest.mark.parametrize(("day", "holds"), [(date(2026, 11, 22), True), (date(2026, 11, 23), True),
                                            (date(2026, 11, 24), False)])
def test_a_consent_holds_up_to_and_including_its_expiry(day, holds):
    assert consent_holds_on(date(2026, 11, 23), day) is holds and consent_holds_on(None, day)


def test_a_dose_after_the_expiry_is_refused_by_its_own_day_and_one_on_the_last_day_is_not():
    patient = Patient(1, "MRN-1", screening="cleared", consent="signed", consent_expires_on=date(2026, 11, 23))
    assert dosing_readiness(patient, date(2026, 11, 23)) == []
    (reason,) = dosing_readiness(patient, date(2026, 11, 24))
    assert reason.code == "consent_not_signed" and "expires on 11/23/2026, before this dose (11/24/2026)" in \
        reason.message
    assert dosing_readiness(patient) == []  # today's status alone says signed


@pytest.mark.parametrize(("withdrawn_on", "reason", "latest", "codes"), [
    (TODAY, "Moving", SIGNED, set()),
    (date(2026, 11, 21), "Moving", SIGNED, {"in_future"}),
    (TODAY, " ", SIGNED, {"missing"}),
    (date(2026, 11, 1), "Moving", SIGNED, {"before_signed"}),
    (TODAY, "Moving", None, {"nothing_to_withdraw"}),
    (TODAY, "Moving", ConsentRecord("withdrawal", TODAY, None), {"already_withdrawn"}),
])
def test_a_withdrawal_needs_a_signed_consent_a_day_not_ahead_and_a_reason(withdrawn_on, reason, latest, codes):
    assert {p.code for p in withdrawal_problems(withdrawn_on, reason, TODAY, latest)} == codes
