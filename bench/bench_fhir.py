"""The FHIR export on the busy clinic: a site's Slots over a day and a week, a patient's Appointments, a CarePlan.

On the busy synthetic clinic (bench/synthetic.py: 38 chairs at ~70 % use, 60 staff, ~15,000 IV
sessions in 12 weeks), timed in process:
- schedule_slots (the service the Slot route calls) for a random local day of the window, then for
  the week from a random day: every session type's free start times, each checked as an offer is
  (fit_at and check_session), and the busy sessions;
- the same week through GET /api/fhir/Slot (Flask's test client, a bearer token): what a client
  waits for, the JSON of ~1,900 Slots included;
- patient_appointments for a random patient (their sessions with teams, and the audited read);
- course_care_plan for a course booked for a new patient (after the Slots are timed: booking it
  adds the session types the shipped protocols name, which a Slot search would then list too).
The target: p95 under 150 ms for a week's Slots at one site (the house reads aim at 100 ms).

    python -m bench.bench_fhir --dbs sqlite,postgresql --calls 20
"""

from __future__ import annotations

import argparse
import random
import time as timer
from datetime import datetime, time, timedelta

from bench.common import DATABASES, databases, load, machine, summary

SEED, WARM = 13, 2
TARGET_P95_MS = 150  # a week of Slots at one site
READS = (("day", "Slot, one day"), ("week", "Slot, one week"), ("week_http", "Slot, one week (HTTP)"),
         ("patient", "Patient's Appointments"), ("care_plan", "Course's CarePlan"))


def measure(url: str, calls: int) -> dict:
    """Build the clinic at url and time the FHIR reads."""
    from planner import clock
    from planner.domain.calendar import to_utc
    from planner.services import Actor
    from planner.services.fhir_export import course_care_plan, patient_appointments
    from planner.services.fhir_slots import schedule_slots
    from bench import synthetic
    from bench.bench_outcomes import _client

    app, clinic, built = synthetic.create(url, 1)
    rng = random.Random(SEED)
    out: dict = {name: [] for name, _ in READS} | {"resources": {name: [] for name, _ in READS}, "built_s": built,
                                                   "cpu": {name: [] for name, _ in READS}}
    span = (clinic.last - clinic.first).days - 7
    key = f"site-{clinic.site_id}"
    actor = Actor("bench@clinic.example")
    now = to_utc(clinic.first - timedelta(days=1), time(12), clinic.zone)
    clock.now = lambda: now
    client, bearer = _client(app, "reception")

    def timed(name: str, index: int, read, *args) -> None:
        began, spent = timer.perf_counter(), timer.thread_time()
        found = read(*args)
        if index >= WARM:
            out[name].append(timer.perf_counter() - began)
            out["cpu"][name].append(timer.thread_time() - spent)
            out["resources"][name].append(found["total"] if "total" in found else len(found.get("activity", ())))

    with app.app_context():
        for index in range(WARM + calls):
            first = clinic.first + timedelta(days=rng.randrange(max(1, span)))
            for name, days in (("day", 1), ("week", 7)):
                timed(name, index, schedule_slots, key, first, first + timedelta(days=days), now, "http://b/fhir",
                      "http://b")
            other = clinic.first + timedelta(days=rng.randrange(max(1, span)))
            query = f"/api/fhir/Slot?schedule={key}&start=ge{other}&start=lt{other + timedelta(days=7)}"
            began, spent = timer.perf_counter(), timer.thread_time()
            answer = client.get(query, headers=bearer)
            # The server's work and its JSON (in this thread), not the client's parsing of it.
            took, cpu = timer.perf_counter() - began, timer.thread_time() - spent
            assert answer.status_code == 200, (answer.status_code, answer.get_data(as_text=True)[:300])
            if index >= WARM:
                out["week_http"].append(took)
                out["cpu"]["week_http"].append(cpu)
                out["resources"]["week_http"].append(answer.get_json()["total"])
            patient = rng.choice(clinic.patients)
            timed("patient", index, patient_appointments, patient, actor, now, "http://b/fhir", "http://b")
        course = _course(app, clinic, now)
        for index in range(WARM + calls):
            timed("care_plan", index, course_care_plan, course, actor, now)
        from planner.extensions import db

        db.engine.dispose()
    return out


def _course(app, clinic, now: datetime) -> int:
    """An IV induction course booked for a new patient from the window's first day (bench_planning's set-up)."""
    from bench.bench_planning import _prepare
    from planner.services import SYSTEM
    from planner.services.course_booking import book_course
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course
    from tests.factories import booking_order

    patient = _prepare(app, clinic)
    proposal = propose_course(patient, "iv-induction", PreferencesIn(earliest=clinic.first), now)
    return book_course(booking_order(proposal, patient), SYSTEM, now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--calls", type=int, default=20, help="calls timed per read and database")
    args = parser.parse_args()
    print(machine(), flush=True)
    rows = []
    with databases(args.dbs.split(",")) as make:
        for kind in args.dbs.split(","):
            print(f"-- {kind}", flush=True)
            found = measure(make(kind, "bench_fhir"), args.calls)
            rows.append((kind, found, load()))
    print()
    print(f"FHIR export on the busy clinic (n={args.calls} per read), milliseconds: wall, and the CPU time of "
          "the thread (what other work on the machine inflates least)")
    print()
    print("| database   | read | wall p50 | wall p95 | CPU p50 | CPU p95 | resources per answer (mean) |")
    print("|------------|------|------:|------:|------:|------:|------:|")
    for kind, found, _ in rows:
        for name, label in READS:
            times, cpu = summary(found[name]), summary(found["cpu"][name])
            counts = found["resources"][name]
            print(f"| {kind:<10} | {label} | {times['p50']:6.1f} | {times['p95']:6.1f} | {cpu['p50']:6.1f} | "
                  f"{cpu['p95']:6.1f} | {sum(counts) / max(1, len(counts)):7.1f} |")
    print()
    for kind, found, when in rows:
        week = summary(found["week_http"])["p95"]
        verdict = "met" if week < TARGET_P95_MS else "MISSED"
        print(f"{kind}: {when}; a week's Slots over HTTP p95 {week:.0f} ms against {TARGET_P95_MS} ms: {verdict}")


if __name__ == "__main__":
    main()
