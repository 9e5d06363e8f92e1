"""Patients belong to a home site: courses are planned there unless reception asks otherwise or it cannot take them."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from planner.domain.calendar import to_utc
from planner.domain.errors import InvalidData
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
NY = "America/New_York"


@pytest.fixture
def uptown(course_clinic):
    """A second New York site, fully staffed from the first week on."""
    site = f.make_site(name="Uptown")
    f.make_room(site, name="Chair 1")
    f.make_room(site, name="Office", kind="therapy_office", capabilities=["therapy"])
    people = [f.make_staff("Dr Uma Rao", ["MD"]), f.make_staff("Lee Park", ["RN"], f.credentials("licence", "bls")),
              f.make_staff("Ana Soto", ["therapist"], f.credentials("licence"))]
    for week in range(5):
        for day in f.week_of(f.MONDAY + timedelta(weeks=week)):
            for person in people:
                f.make_shift(person, site, day)
    return site


def sites_of(proposal) -> set[int]:
    return {s.site_id for plan in proposal.plans for s in plan.sessions}


def test_a_patient_is_planned_at_their_home_site_even_when_another_site_would_finish_sooner(course_clinic, uptown):
    # Midtown's prescriber is away the first week, so Uptown could finish a week earlier.
    f.make_time_off(course_clinic.prescriber, to_utc(f.MONDAY, time(0), NY),
                    to_utc(f.MONDAY + timedelta(days=7), time(0), NY))
    patient = f.make_patient("HOME-1", home_site_id=course_clinic.site)
    proposal = propose_course(patient, "iv-induction", PreferencesIn(), NOW, f.MONDAY)
    assert proposal.plans and sites_of(proposal) == {course_clinic.site}
    assert proposal.site_note == "Planned at the patient's home site, Midtown."
    elsewhere = propose_course(f.make_patient("HOME-2", home_site_id=uptown), "iv-induction", PreferencesIn(), NOW,
                               f.MONDAY)
    assert min(p.score for p in elsewhere.plans) < min(p.score for p in proposal.plans)  # Uptown was sooner


def test_reception_may_ask_for_another_site(course_clinic, uptown):
    patient = f.make_patient("HOME-3", home_site_id=course_clinic.site)
    proposal = propose_course(patient, "iv-induction", PreferencesIn(site_id=uptown), NOW, f.MONDAY)
    assert sites_of(proposal) == {uptown} and proposal.site_note == "Planned at Uptown, as asked."


def test_when_the_home_site_cannot_take_the_course_the_plans_come_from_another_and_say_why(course_clinic):
    empty = f.make_site(name="Harlem")  # open, but nobody works there
    f.make_room(empty, name="Chair 1")
    patient = f.make_patient("HOME-4", home_site_id=empty)
    proposal = propose_course(patient, "iv-induction", PreferencesIn(), NOW, f.MONDAY)
    assert proposal.plans and sites_of(proposal) == {course_clinic.site}
    assert proposal.site_note.startswith("The patient's home site, Harlem, cannot take the course in the window (")
    assert proposal.site_note.endswith("these plans are at another site.")


def test_a_patient_needs_a_home_site_once_the_clinic_has_two(course_clinic, uptown):
    with pytest.raises(InvalidData) as refused:
        f.make_patient("NOWHERE", home_site_id=None)
    assert [p.field for p in refused.value.problems] == ["home_site_id"]


def test_in_a_clinic_of_one_site_the_home_site_is_that_site(course_clinic):
    from planner.db.models import Patient
    from planner.extensions import db

    patient = f.make_patient("ONLY-1")
    db.session.rollback()
    assert db.session.get(Patient, patient).home_site_id == course_clinic.site
