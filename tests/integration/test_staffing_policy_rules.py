"""Each supervision rule, table-driven: a dose that breaks it is refused with its code, its safe control is booked.

The rules are domain.md's "Supervision staffing" and "The staffing policy" (issue 12, parts 1 and 8);
every case runs through the booking service on the database the suite runs on (SQLite or PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from collections.abc import Callable

import pytest

from planner.domain.calendar import to_utc
from planner.domain.errors import BookingRefused
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from planner.services.policy_inputs import PolicyChange
from planner.services.staffing_policy import change_policy
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
NY = "America/New_York"
NINE = to_utc(f.MONDAY, time(9), NY)
PRESCRIBER, MONITOR = "supervising_prescriber", "monitoring_clinician"


def policy(clinic, **change) -> None:
    change_policy(clinic.site, PolicyChange.model_validate(change), SYSTEM, NOW)


def on_shift(name: str, disciplines, creds, clinic, start: str = "08:00", end: str = "18:00") -> int:
    person = f.make_staff(name, disciplines, creds)
    f.make_shift(person, clinic.site, f.MONDAY, start, end)
    return person


def iv(clinic, prescriber=None, monitor=None, patient: int = 0, chair: int = 0, alone: bool = False) -> SessionOrder:
    team = ((prescriber or clinic.prescriber, PRESCRIBER),)
    if not alone:
        team += ((monitor or clinic.nurses[0], MONITOR),)
    return SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, NINE, clinic.chairs[chair], team)


def esketamine(clinic, prescriber, site=None, room=None, patient=None) -> SessionOrder:
    return SessionOrder(patient or clinic.patients[0], site or clinic.site, clinic.esketamine, NINE,
                        room or clinic.chairs[0], ((prescriber, PRESCRIBER), (clinic.nurses[0], MONITOR)))


# --- the cases: each arranges the clinic and gives the order; safe=True is the control ---------------

def prescriber_for_the_whole_window(clinic, safe):
    # The IV window is 09:00-10:45; this prescriber's shift ends at 10:30 unless safe.
    dr = on_shift("Dr Lena Ortiz", ["MD"], None, clinic, end="18:00" if safe else "10:30")
    return iv(clinic, prescriber=dr)


def monitoring_clinician_assigned(clinic, safe):
    return iv(clinic, alone=not safe)


def monitor_distinct_where_the_policy_asks(clinic, safe):
    # One NP as prescriber and monitor, at a site that allows one person two roles, unless the IV policy says not.
    from planner.services.change_inputs import SiteChange
    from planner.services.place_edits import change_site

    change_site(clinic.site, SiteChange(distinct_roles=False), SYSTEM, NOW)
    np = on_shift("Nia Park NP", ["NP"], None, clinic)
    if not safe:
        policy(clinic, routes={"IV": {"distinct_monitor": True}})
    return SessionOrder(clinic.patients[0], clinic.site, clinic.iv, NINE, clinic.chairs[0],
                        ((np, PRESCRIBER), (np, MONITOR)))


def acls_holder_on_site(clinic, safe):
    # The esketamine prescriber needs no ACLS; nobody else on site holds it unless safe.
    dr = on_shift("Dr Omar Reyes", ["MD"], f.credentials("licence", "rems_training", "bls"), clinic)
    _clear_shifts_of(clinic.prescriber)
    if safe:
        on_shift("Ivy Chen RN", ["RN"], f.credentials("licence", "acls"), clinic)
    return esketamine(clinic, dr)


def second_bls_holder_on_site(clinic, safe):
    # One NP (ACLS and BLS) as prescriber and monitor where the site allows it, alone on site unless safe.
    from planner.services.change_inputs import SiteChange
    from planner.services.place_edits import change_site

    change_site(clinic.site, SiteChange(distinct_roles=False), SYSTEM, NOW)
    for person in (clinic.prescriber, *clinic.nurses, clinic.therapist):
        _clear_shifts_of(person)
    np = on_shift("Nia Park NP", ["NP"], None, clinic)
    if safe:
        on_shift("Paul Grant", ["reception"], f.credentials("bls"), clinic)
    return SessionOrder(clinic.patients[0], clinic.site, clinic.iv, NINE, clinic.chairs[0],
                        ((np, PRESCRIBER), (np, MONITOR)))


def a_raised_bls_rule(clinic, safe):
    # Dr Kim (ACLS) and Rosa Diaz (BLS) alone on site make two; the clinic asks for three.
    for person in (clinic.nurses[1], clinic.therapist):
        _clear_shifts_of(person)
    policy(clinic, routes={"IV": {"bls_on_site": 3}})
    if safe:
        on_shift("Paul Grant", ["reception"], f.credentials("bls"), clinic)
    return iv(clinic)


def ratio_per_monitoring_clinician(clinic, safe):
    policy(clinic, limits={MONITOR: 1})
    book_session(iv(clinic), SYSTEM, NOW)
    return iv(clinic, monitor=clinic.nurses[1] if safe else clinic.nurses[0], patient=1, chair=1)


def esketamine_only_at_a_certified_site(clinic, safe):
    site = f.make_site(name="Uptown", esketamine_certified=safe)
    room = f.make_room(site, name="Spray room", kind="treatment_room", capabilities=["pulse_oximeter"])
    for person in (clinic.prescriber, clinic.nurses[0], clinic.nurses[1]):
        _clear_shifts_of(person)
        f.make_shift(person, site, f.MONDAY)
    return esketamine(clinic, clinic.prescriber, site=site, room=room)


def esketamine_for_an_enrolled_patient(clinic, safe):
    patient = f.make_patient("ESK-9", rems_enrolled_on=f.MONDAY if safe else f.MONDAY + timedelta(days=1))
    return esketamine(clinic, clinic.prescriber, patient=patient)


def esketamine_in_a_room_with_a_pulse_oximeter(clinic, safe):
    room = f.make_room(clinic.site, name="Quiet room", kind="treatment_room",
                       capabilities=["pulse_oximeter"] if safe else ["therapy"])
    return esketamine(clinic, clinic.prescriber, room=room)


def credentials_valid_on_the_session_date(clinic, safe):
    nurse = f.make_staff("Kai Moss RN", ["RN"], f.credentials("licence") + f.credentials(
        "bls", expires_on=f.MONDAY if safe else f.MONDAY - timedelta(days=1)))
    f.make_shift(nurse, clinic.site, f.MONDAY)
    return iv(clinic, monitor=nurse)


def _clear_shifts_of(staff_id: int) -> None:
    from sqlalchemy import delete

    from planner.db.models import Shift
    from planner.extensions import db

    db.session.execute(delete(Shift).where(Shift.staff_id == staff_id))
    db.session.commit()


@dataclass(frozen=True)
class Rule:
    arrange: Callable
    code: str


RULES = {
    "a prescriber on site for the whole dose and observation": Rule(prescriber_for_the_whole_window, "staff_off_shift"),
    "a monitoring clinician assigned": Rule(monitoring_clinician_assigned, "role_missing"),
    "a monitor distinct from the one administering where the policy asks": Rule(
        monitor_distinct_where_the_policy_asks, "one_person_two_roles"),
    "an ACLS holder on site during the dose": Rule(acls_holder_on_site, "no_acls_on_site"),
    "a second BLS holder on site during the dose": Rule(second_bls_holder_on_site, "no_second_bls_on_site"),
    "a BLS rule the clinic raised to three": Rule(a_raised_bls_rule, "no_second_bls_on_site"),
    "the ratio per monitoring clinician": Rule(ratio_per_monitoring_clinician, "staff_over_capacity"),
    "esketamine only at a certified site": Rule(esketamine_only_at_a_certified_site, "site_not_rems_certified"),
    "esketamine only for an enrolled patient": Rule(esketamine_for_an_enrolled_patient, "patient_not_rems_enrolled"),
    "esketamine in a room with a pulse oximeter": Rule(esketamine_in_a_room_with_a_pulse_oximeter,
                                                      "room_lacks_capability"),
    "credentials valid on the session date": Rule(credentials_valid_on_the_session_date, "credential_not_valid"),
}


@pytest.mark.parametrize("rule", RULES)
def test_a_dose_that_breaks_the_rule_is_refused_with_its_code(clinic, rule):
    order = RULES[rule].arrange(clinic, safe=False)
    with pytest.raises(BookingRefused) as refused:
        book_session(order, SYSTEM, NOW)
    assert RULES[rule].code in {reason.code for reason in refused.value.reasons}


@pytest.mark.parametrize("rule", RULES)
def test_the_safe_control_of_the_rule_is_booked(clinic, rule):
    order = RULES[rule].arrange(clinic, safe=True)
    assert book_session(order, SYSTEM, NOW) > 0
