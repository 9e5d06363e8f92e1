"""Planning whole courses on the busy synthetic clinic, on SQLite and PostgreSQL, at 15k and 150k sessions.

The whole service call `propose_course` is timed (loading the clinic near the horizon, the
search, rooms and staff for every session, and the alternatives) for three protocols:
IV ketamine induction with preparation and integration (13 sessions), esketamine for
treatment-resistant depression (16 doses) and ketamine-assisted psychotherapy (3 doses,
2 preparation, 3 integration). Courses start on each of the first days of the window, for
patients who want mornings, afternoons or any time. Nothing is booked, so every run sees the
same clinic. Each (database, scale) runs in its own process on a freshly generated clinic.

    python -m bench.bench_planning                       # everything, ~6 minutes
    python -m bench.bench_planning --dbs sqlite --scales 1 --runs 10
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time as timer
from datetime import date, datetime, timedelta, timezone

from bench.common import DATABASES, databases, load, machine, summary

TARGETS = {"iv-induction": 150.0, "esketamine-trd": 300.0, "kap": None}
PARTS = ("morning", "afternoon", "any")


def _prepare(app, clinic) -> int:
    """The session types the shipped protocols name, the protocols, and a patient ready for any course."""
    from sqlalchemy import select

    from planner.db.models import Patient, SessionType
    from planner.extensions import db
    from planner.services import SYSTEM
    from planner.services.clinic_setup import add_session_type
    from planner.services.inputs import SessionTypeIn
    from planner.services.protocols import install_default_protocols
    from tests import factories as f

    kap = {"key": "kap-im", "name": "Ketamine-assisted psychotherapy (IM)", "kind": "dosing", "route": "IM",
           "active_minutes": 150, "observation_minutes": 30, "room_capability": "pulse_oximeter",
           "role_requirements": f.IV_DOSING["role_requirements"] + f.INTEGRATION["role_requirements"]}
    with app.app_context():
        have = set(db.session.scalars(select(SessionType.key)))
        for data in ({**f.IV_DOSING, "key": "iv-infusion"}, {**f.ESKETAMINE, "key": "esketamine"},
                     {**f.INTEGRATION, "key": "preparation", "name": "Preparation", "kind": "preparation"}, kap):
            if data["key"] not in have:
                add_session_type(db.session, SessionTypeIn.model_validate(data))
        # A new patient starting treatment: nothing booked yet, screened, consented, REMS-enrolled.
        patient = Patient(mrn="NEW-COURSE", name="New Patient", date_of_birth=date(1985, 4, 2),
                          preferred_channel="email", consented_channels=[], screening_status="cleared",
                          consent_status="signed", rems_patient_id="R-NEW", rems_enrolled_on=date(2029, 12, 1))
        db.session.add(patient)
        db.session.commit()
        install_default_protocols(SYSTEM, datetime(2029, 1, 1, tzinfo=timezone.utc))
        return patient.id


def measure(url: str, scale: int, runs: int) -> dict:
    """Generate the clinic at url, then time proposals for each protocol."""
    import logging

    from bench.bench_booking import _orders, _undo
    from bench.synthetic import create
    from planner.db import reads
    from planner.extensions import db
    from planner.services import Actor
    from planner.services.booking import book_session
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course

    logging.disable(logging.WARNING)
    app, clinic, _ = create(url, scale, quiet=False, check=False)
    patient = _prepare(app, clinic)
    now = datetime.combine(clinic.first - timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    result = {"db": url.split(":")[0].split("+")[0], "scale": scale, "protocols": {}}
    with app.app_context():
        rng = random.Random(11)
        # Bookable sessions (the free placements among the benchmark's booking orders).
        orders = _orders(db.session, clinic, 80, rng)[::2]
        actor = Actor("bench", None, "127.0.0.1")
        for key in TARGETS:
            timings, sizes, ends, proven = [], set(), [], 0
            propose_course(patient, key, PreferencesIn(), now, clinic.first)  # warm the caches once, untimed
            for n in range(runs):
                start = clinic.first + timedelta(days=n % 5)
                began = timer.perf_counter()
                proposal = propose_course(patient, key, PreferencesIn(time_of_day=PARTS[n % 3]), now, start)
                timings.append(timer.perf_counter() - began)
                if proposal.plans:
                    best = proposal.plans[0]
                    sizes.add(len(best.sessions))
                    ends.append(best.score[0])
                    proven += best.proven_optimal
            after, cold = [], []
            for n in range(runs):
                # A booking lands in the course's first three weeks before each proposal (reception's
                # rhythm), then is taken back: the days it touched are read and worked out again.
                start = clinic.first + timedelta(days=n % 5)
                inside = [o for o in orders if start <= o.start.date() <= start + timedelta(days=20)]
                booked = book_session(rng.choice(inside), actor, now)
                began = timer.perf_counter()
                propose_course(patient, key, PreferencesIn(time_of_day=PARTS[n % 3]), now, start)
                after.append(timer.perf_counter() - began)
                _undo(db.session, booked)
            for n in range(runs):
                reads.forget_kept()  # a process holding nothing: every piece read and worked out
                start = clinic.first + timedelta(days=n % 5)
                began = timer.perf_counter()
                propose_course(patient, key, PreferencesIn(time_of_day=PARTS[n % 3]), now, start)
                cold.append(timer.perf_counter() - began)
            result["protocols"][key] = {**summary(timings), "sessions": sorted(sizes),
                                        "planned": len(ends), "proven_optimal": proven,
                                        "ends_after_days_median": sorted(ends)[len(ends) // 2] if ends else None,
                                        "after_booking": summary(after), "cold": summary(cold)}
    result["load"] = load()
    return result


def report(results: list[dict]) -> None:
    """Print the figures, the targets and the 150k/15k ratios."""
    print("\nrepeated: proposals in a row; after booking: a booking inside the course's first weeks before")
    print("each; cold: a process holding nothing. The target is judged on the slower of the first two.")
    print("\nprotocol        db          scale  sessions  planned   repeated p50/p95   after booking p50/p95"
          "   cold p50/p95  target p95")
    for r in results:
        for key, m in r["protocols"].items():
            target = TARGETS[key]
            judged = max(m["p95"], m["after_booking"]["p95"])
            verdict = "" if target is None else (f"< {target:.0f}  " + ("met" if judged < target else "MISSED"))
            a, c = m["after_booking"], m["cold"]
            print(f"{key:<15} {r['db']:<11} {r['scale']:>5}  {','.join(map(str, m['sessions'])):>8}  "
                  f"{m['planned']:>3}/{m['n']:<3} {m['p50']:>8.1f} {m['p95']:>8.1f}   {a['p50']:>8.1f} {a['p95']:>8.1f}"
                  f"   {c['p50']:>7.1f} {c['p95']:>7.1f}  {verdict}")
    for db in {r["db"] for r in results}:
        by_scale = {r["scale"]: r for r in results if r["db"] == db}
        if 1 in by_scale and 10 in by_scale:
            for key in TARGETS:
                low, high = by_scale[1]["protocols"][key], by_scale[10]["protocols"][key]
                print(f"{db} {key}: 150k/15k p50 ratio {high['p50'] / low['p50']:.2f}, "
                      f"p95 ratio {high['p95'] / low['p95']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--runs", type=int, default=30, help="proposals timed per protocol and run")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child run: the URL of its database
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, int(args.scales), args.runs)))
        return
    print(machine(), flush=True)
    results = []
    with databases(args.dbs.split(",")) as make:
        for kind in args.dbs.split(","):
            for scale in (int(s) for s in args.scales.split(",")):
                url = make(kind, f"bench_planning_{scale}")
                print(f"-- {kind} at scale {scale}", flush=True)
                child = subprocess.run([sys.executable, "-m", "bench.bench_planning", "--one", url, "--scales",
                                        str(scale), "--runs", str(args.runs)], capture_output=True, text=True)
                if child.returncode != 0:
                    sys.stderr.write(child.stderr)
                    raise SystemExit(f"the {kind} run at scale {scale} failed")
                lines = child.stdout.strip().splitlines()
                print("\n".join(lines[:-1]), flush=True)
                results.append(json.loads(lines[-1]))
    report(results)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
