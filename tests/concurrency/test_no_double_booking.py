"""Twenty reception desks press "book" at the same instant against a real 4-process server.

Each test seeds its clinic through the factories (after the `app` fixture has emptied the tables;
the server reads the same database), on a weekday 7-13 days ahead of the real clock because the
server books against the real clock. Exactly one request may win each race; the rest must be
clean 409s naming the rule, and nothing but the winner's rows may be written.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import requests

from planner.domain.calendar import to_utc
from tests import factories as f
from tests.concurrency.harness import Burst, Snapshot, changes, clinic_day, race, reception_token, snapshot

pytestmark = [pytest.mark.concurrency, pytest.mark.slow]

ZONE = "America/New_York"
RACERS = 20
RN_CREDS = ("licence", "bls")


def at(day, hour: int, minute: int = 0) -> str:
    return to_utc(day, time(hour, minute), ZONE).isoformat()


def on_shift(site: int, day, *people: int) -> None:
    for person in people:
        f.make_shift(person, site, day, "08:00", "18:00", ZONE)


def order(site: int, iv: int, patient: int, chair: int, start: str, prescriber: int, nurse: int) -> dict:
    return {"patient_id": patient, "site_id": site, "session_type_id": iv, "start": start, "room_id": chair,
            "staff": [{"staff_id": prescriber, "role": "supervising_prescriber"},
                      {"staff_id": nurse, "role": "monitoring_clinician"}]}


def assert_one_winner(burst: Burst, conflict: str) -> dict:
    """Exactly one 201; every other answer a 409 naming `conflict`; the server logged no trouble."""
    print(f"\n[{conflict}] {burst.timings()}")
    detail = burst.explain()
    assert burst.statuses() == {201: 1, 409: RACERS - 1}, detail
    assert all(conflict in o.codes for o in burst.losers()), detail
    assert not burst.trouble(), detail
    # The race was real: the server had several of these requests inside the application at once.
    assert burst.peak >= 2, detail
    return burst.winners()[0].body


def assert_only_the_winner_was_written(before: Snapshot, burst: Burst, bodies: list[dict]) -> Snapshot:
    """The winner's session, its staff rows and one `session.booked` event; no other row added, changed or removed.

    A token's last_used_at is bookkeeping and may move (see harness.BOOKKEEPING).
    """
    after = snapshot()
    written = changes(before, after)
    winner = burst.winners()[0]
    session_id = winner.body["id"]
    detail = f"written: {written}\n{burst.explain()}"
    # The winner raises the change marks of its own site and dates (migration 0004), nothing else does.
    marks = written.pop("day_marks", {"added": [], "changed": [], "removed": []})
    assert not marks["removed"] and marks["added"] + marks["changed"], detail
    won_at = {(winner.body["site_id"], winner.body[end][:10]) for end in ("start", "end")}  # UTC dates
    raised = marks["added"] + [new for _old, new in marks["changed"]]
    assert {(m["site_id"], str(m["day"])) for m in raised} <= won_at, detail
    assert set(written) == {"sessions", "session_staff", "audit_events"}, detail
    assert all(not c["removed"] and not c["changed"] for c in written.values()), detail
    [session] = written["sessions"]["added"]
    wanted = bodies[winner.index]
    assert (session["id"], session["patient_id"], session["room_id"]) == (
        session_id, wanted["patient_id"], wanted["room_id"]), detail
    assert sorted((r["session_id"], r["staff_id"], r["role"]) for r in written["session_staff"]["added"]) == sorted(
        (session_id, s["staff_id"], s["role"]) for s in wanted["staff"]), detail
    [event] = written["audit_events"]["added"]
    assert (event["action"], event["entity"], event["entity_id"]) == ("session.booked", "session", str(session_id))
    return after


def test_twenty_desks_racing_for_the_last_chair_book_it_exactly_once(app, live_server):
    day = clinic_day(ZONE)
    site = f.make_site(name="Last Chair Clinic")
    chair = f.make_room(site, name="The only chair")
    prescriber = f.make_staff("Dr Ada Kim", ["MD"])
    nurses = [f.make_staff(f"Nurse {i}", ["RN"], f.credentials(*RN_CREDS)) for i in range(RACERS)]
    on_shift(site, day, prescriber, *nurses)
    patients = [f.make_patient(f"MRN-A{i}") for i in range(RACERS)]
    iv = f.make_session_type(f.IV_DOSING)
    token = reception_token()
    bodies = [order(site, iv, patients[i], chair, at(day, 10), prescriber, nurses[i]) for i in range(RACERS)]
    before = snapshot()

    burst = race(live_server, token, bodies)

    won = assert_one_winner(burst, "room_taken")
    after = assert_only_the_winner_was_written(before, burst, bodies)
    assert [r["id"] for r in after["sessions"].values()] == [won["id"]]


def test_twenty_desks_cannot_give_one_nurse_more_than_two_patients(app, live_server):
    day = clinic_day(ZONE)
    site = f.make_site(name="Ratio Clinic")
    chairs = [f.make_room(site, name=f"Chair {i}") for i in range(RACERS + 1)]
    prescriber = f.make_staff("Dr Ada Kim", ["MD"])
    nurse = f.make_staff("Rosa Diaz", ["RN"], f.credentials(*RN_CREDS))
    on_shift(site, day, prescriber, nurse)
    patients = [f.make_patient(f"MRN-B{i}") for i in range(RACERS + 1)]
    iv = f.make_session_type(f.IV_DOSING)
    token = reception_token()
    # She already watches one patient at 10:00 (chair 0); the default limit lets her take one more.
    first = requests.post(f"{live_server.url}/api/sessions", headers={"Authorization": f"Bearer {token}"},
                          json=order(site, iv, patients[0], chairs[0], at(day, 10), prescriber, nurse), timeout=30)
    assert first.status_code == 201, first.text
    bodies = [order(site, iv, patients[i], chairs[i], at(day, 10), prescriber, nurse) for i in range(1, RACERS + 1)]
    before = snapshot()

    burst = race(live_server, token, bodies)

    won = assert_one_winner(burst, "staff_over_capacity")
    after = assert_only_the_winner_was_written(before, burst, bodies)
    hers = sorted(r["session_id"] for r in after["session_staff"].values() if r["staff_id"] == nurse)
    assert hers == sorted([first.json()["id"], won["id"]]), burst.explain()


def test_twenty_desks_booking_one_patient_into_twenty_chairs_book_one_session(app, live_server):
    day = clinic_day(ZONE)
    site = f.make_site(name="One Patient Clinic")
    chairs = [f.make_room(site, name=f"Chair {i}") for i in range(RACERS)]
    prescriber = f.make_staff("Dr Ada Kim", ["MD"])
    nurses = [f.make_staff(f"Nurse {i}", ["RN"], f.credentials(*RN_CREDS)) for i in range(RACERS)]
    on_shift(site, day, prescriber, *nurses)
    patient = f.make_patient("MRN-C1")
    iv = f.make_session_type(f.IV_DOSING)
    token = reception_token()
    # Starts five minutes apart from 09:00 to 10:35: a 105-minute infusion, so every pair overlaps.
    first_start = to_utc(day, time(9), ZONE)
    bodies = [order(site, iv, patient, chairs[i], (first_start + timedelta(minutes=5 * i)).isoformat(), prescriber,
                    nurses[i]) for i in range(RACERS)]
    before = snapshot()

    burst = race(live_server, token, bodies)

    won = assert_one_winner(burst, "patient_double_booked")
    after = assert_only_the_winner_was_written(before, burst, bodies)
    assert [r["id"] for r in after["sessions"].values() if r["patient_id"] == patient] == [won["id"]]
