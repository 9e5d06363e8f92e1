"""Offers for one session: every offer books, and no offer is made where booking would refuse."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from planner.domain.calendar import to_utc
from planner.domain.errors import InvalidData
from planner.services import Actor
from planner.services.booking import SessionOrder, book_session, cancel_session
from planner.services.offers import find_offers
from tests import factories as f
from tests.factories import MONDAY

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
RECEPTION = Actor("reception@example.org")
ZONE = "America/New_York"


def at(hour: int, minute: int = 0, day_offset: int = 0) -> datetime:
    return to_utc(MONDAY + timedelta(days=day_offset), time(hour, minute), ZONE)


def order(clinic, offer, patient: int, type_id: int | None = None) -> SessionOrder:
    return SessionOrder(patient, clinic.site, type_id or clinic.iv, offer.start, offer.room_id,
                        tuple((m.staff_id, m.role) for m in offer.team))


def book_iv(clinic, patient=1, chair=0, nurse=0, start=None) -> int:
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, start or at(9),
                                     clinic.chairs[chair], ((clinic.prescriber, "supervising_prescriber"),
                                                            (clinic.nurses[nurse], "monitoring_clinician"))),
                        RECEPTION, NOW)


def overlaps(offer, start: datetime, end: datetime) -> bool:
    return offer.start < end and start < offer.end


@pytest.mark.parametrize("type_name", ["iv", "esketamine", "integration"])
def test_every_offer_of_a_busy_day_is_accepted_when_booked(clinic, type_name):
    book_iv(clinic, patient=1, chair=0, nurse=0, start=at(9))
    book_iv(clinic, patient=2, chair=1, nurse=1, start=at(9, 30))
    type_id = getattr(clinic, type_name)
    found = find_offers(clinic.site, type_id, MONDAY, MONDAY, NOW, clinic.patients[0], limit=100, more=True)
    assert len(found.offers) > 10 and found.reasons == []
    for offer in found.offers:
        # Each on its own: booked, then cancelled so the next offer meets the clinic it was made for.
        session_id = book_session(order(clinic, offer, clinic.patients[0], type_id), RECEPTION, NOW)
        cancel_session(session_id, RECEPTION, NOW)


def test_offers_come_earliest_first_with_a_full_team_in_site_time(clinic):
    found = find_offers(clinic.site, clinic.iv, MONDAY, MONDAY, NOW, clinic.patients[0])
    starts = [offer.start for offer in found.offers]
    assert starts == sorted(starts) and starts[0] == at(8)
    assert [o.rank for o in found.offers] == list(range(1, len(found.offers) + 1))
    first = found.offers[0]
    assert {m.role for m in first.team} == {"supervising_prescriber", "monitoring_clinician"}
    assert first.room_name == "Chair 1" and first.why[0] == "Earliest free time on Mon 23 Nov"
    assert found.zone == ZONE and starts == [at(hour) for hour in range(8, 17)] and found.closer


def test_more_times_offers_every_free_start_and_the_spread_list_is_its_subset(clinic):
    every = find_offers(clinic.site, clinic.iv, MONDAY, MONDAY, NOW, clinic.patients[0], limit=100, more=True)
    spread = find_offers(clinic.site, clinic.iv, MONDAY, MONDAY, NOW, clinic.patients[0], limit=100)
    assert [o.start for o in every.offers][:3] == [at(8), at(8, 15), at(8, 30)] and not every.closer
    assert {o.start for o in spread.offers} < {o.start for o in every.offers}
    gaps = [b.start - a.start for a, b in zip(spread.offers, spread.offers[1:])]
    assert gaps and min(gaps) >= timedelta(hours=1)


def test_the_team_offered_is_the_least_busy_that_day(clinic):
    book_iv(clinic, patient=1, chair=0, nurse=0, start=at(8))
    found = find_offers(clinic.site, clinic.iv, MONDAY, MONDAY, NOW, clinic.patients[0])
    first = found.offers[0]
    assert first.start == at(8)
    assert [m.staff_id for m in first.team if m.role == "monitoring_clinician"] == [clinic.nurses[1]]
    assert first.room_id == clinic.chairs[1]
    assert first.why == ("Earliest free time on Mon 23 Nov", "Least busy team: Dr Ada Kim has 1 session, Sam Lee has "
                         "no sessions that day", "Chair 2: least used room that day")


def test_no_offer_uses_a_chair_while_it_is_taken(clinic):
    for chair in range(3):
        book_iv(clinic, patient=chair + 1, chair=chair, nurse=chair % 2, start=at(9))
    found = find_offers(clinic.site, clinic.iv, MONDAY, MONDAY, NOW, clinic.patients[0], limit=100)
    assert found.offers and not any(overlaps(o, at(9), at(10, 45)) for o in found.offers)


def test_no_offer_overlaps_the_patients_own_session_and_a_dose_day_has_none(clinic):
    therapy = book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.integration, at(13), clinic.office,
                                        ((clinic.therapist, "therapist"),)), RECEPTION, NOW)
    found = find_offers(clinic.site, clinic.iv, MONDAY, MONDAY, NOW, clinic.patients[0], limit=100)
    assert found.offers and not any(overlaps(o, at(13), at(13, 50)) for o in found.offers)
    cancel_session(therapy, RECEPTION, NOW)
    book_iv(clinic, patient=0, start=at(9))
    dosed = find_offers(clinic.site, clinic.iv, MONDAY, MONDAY, NOW, clinic.patients[0])
    assert dosed.offers == [] and [r.code for r in dosed.reasons] == ["patient_busy"]


def test_no_offer_is_made_when_no_prescriber_is_on_shift(clinic):
    f.make_time_off(clinic.prescriber, at(0), at(23, 59))
    found = find_offers(clinic.site, clinic.iv, MONDAY, MONDAY, NOW, clinic.patients[0])
    assert found.offers == []
    assert [r.message for r in found.reasons] == ["No supervising prescriber who can take it is on shift and free "
                                                  "at Midtown then."]


def test_no_offer_is_made_on_a_closed_day(clinic):
    saturday = MONDAY + timedelta(days=5)
    found = find_offers(clinic.site, clinic.iv, saturday, saturday, NOW, clinic.patients[0])
    assert found.offers == [] and [r.code for r in found.reasons] == ["site_closed"]
    assert found.reasons[0].message == "Midtown is closed on Sat 28 Nov."


def test_a_patient_not_cleared_gets_no_offer_and_is_told_why(clinic):
    pending = f.make_patient("MRN-P", screening_status="pending")
    found = find_offers(clinic.site, clinic.iv, MONDAY, MONDAY, NOW, pending)
    assert found.offers == []
    assert [r.code for r in found.reasons] == ["screening_not_cleared"]


def test_a_week_spreads_offers_over_its_open_days(clinic):
    found = find_offers(clinic.site, clinic.iv, MONDAY, MONDAY + timedelta(days=6), NOW, clinic.patients[0])
    days = Counter(o.start.astimezone(ZoneInfo(ZONE)).date() for o in found.offers)
    assert len(found.offers) == 20 and list(days.values()) == [4] * 5  # the weekend is closed


def test_without_a_patient_offers_still_pass_every_clinic_rule(clinic):
    book_iv(clinic, patient=1, chair=0, start=at(8))
    found = find_offers(clinic.site, clinic.iv, MONDAY, MONDAY, NOW, None, limit=5)
    assert found.patient is None and found.offers[0].start == at(8) and found.offers[0].room_id != clinic.chairs[0]
    book_session(order(clinic, found.offers[0], clinic.patients[0]), RECEPTION, NOW)


@pytest.mark.parametrize("args, field", [
    ({"last": MONDAY - timedelta(days=1)}, "to"),
    ({"last": MONDAY + timedelta(days=7)}, "to"),
    ({"limit": 0}, "limit"),
    ({"site_id": 9999}, "site_id"),
    ({"session_type_id": 9999}, "session_type_id"),
    ({"patient_id": 9999}, "patient_id"),
])
def test_bad_questions_are_invalid_naming_the_field(clinic, args, field):
    asked = {"site_id": clinic.site, "session_type_id": clinic.iv, "first": MONDAY, "last": MONDAY, "now": NOW,
             "patient_id": clinic.patients[0], **args}
    with pytest.raises(InvalidData) as invalid:
        find_offers(**asked)
    assert [p.field for p in invalid.value.problems] == [field]
