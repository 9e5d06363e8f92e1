"""The FHIR export on the busy clinic: a site's Slots over a day and over a week, a patient's Appointment Bundle.

On the busy synthetic clinic (bench/synthetic.py: 38 chairs at ~70 % use, 60 staff, ~15,000 IV
sessions in 12 weeks), the services the FHIR routes call, without HTTP:
- schedule_slots for a random local day of the window, then for the week from a random day: every
  session type's free start times, each checked as an offer is (fit_at and check_session), and the
  busy sessions;
- patient_appointments for a random patient: their sessions with teams as Appointments, and the
  audit event of the read (one write transaction).
No target was set for these; the figures say what a FHIR client's poll costs.

    python -m bench.bench_fhir --dbs sqlite,postgresql --calls 20
"""

from __future__ import annotations

import argparse
import random
import time as timer
from datetime import time, timedelta

from bench.common import DATABASES, databases, load, machine, summary

SEED, WARM = 13, 2


def measure(url: str, calls: int) -> dict:
    """Build the clinic at url and time the three FHIR reads."""
    from planner.domain.calendar import to_utc
    from planner.services import Actor
    from planner.services.fhir_export import patient_appointments
    from planner.services.fhir_slots import schedule_slots
    from bench import synthetic

    app, clinic, built = synthetic.create(url, 1)
    rng = random.Random(SEED)
    out: dict = {"day": [], "week": [], "patient": [], "slots_day": [], "slots_week": [], "appointments": [],
                 "built_s": built}
    span = (clinic.last - clinic.first).days - 7
    key = f"site-{clinic.site_id}"
    actor = Actor("bench@clinic.example")
    with app.app_context():
        now = to_utc(clinic.first - timedelta(days=1), time(12), clinic.zone)
        for index in range(WARM + calls):
            first = clinic.first + timedelta(days=rng.randrange(max(1, span)))
            for name, days in (("day", 1), ("week", 7)):
                began = timer.perf_counter()
                found = schedule_slots(key, first, first + timedelta(days=days), now, "http://b/fhir", "http://b")
                if index >= WARM:
                    out[name].append(timer.perf_counter() - began)
                    out[f"slots_{name}"].append(found["total"])
            patient = rng.choice(clinic.patients)
            began = timer.perf_counter()
            found = patient_appointments(patient, actor, now, "http://b/fhir", "http://b")
            if index >= WARM:
                out["patient"].append(timer.perf_counter() - began)
                out["appointments"].append(found["total"])
        from planner.extensions import db

        db.engine.dispose()
    return out


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
    print(f"FHIR export on the busy clinic (n={args.calls} per read), wall milliseconds")
    print()
    print("| database   | read | p50 | p95 | resources per answer (mean) |")
    print("|------------|------|------:|------:|------:|")
    for kind, found, _ in rows:
        for name, label, count in (("day", "Slot, one day", "slots_day"), ("week", "Slot, one week", "slots_week"),
                                   ("patient", "Patient's Appointments", "appointments")):
            times = summary(found[name])
            mean = sum(found[count]) / max(1, len(found[count]))
            print(f"| {kind:<10} | {label} | {times['p50']:6.1f} | {times['p95']:6.1f} | {mean:7.1f} |")
    print()
    for kind, _, when in rows:
        print(f"{kind}: {when}")


if __name__ == "__main__":
    main()
