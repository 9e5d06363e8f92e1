"""Outcome measures over HTTP on the busy synthetic clinic: a course's page with its trend, the API, an entry.

A course is booked for a new patient (as bench_wizard does), given 13 entries of each measure,
and the outcome table is filled with 20,000 entries of other patients so its indexes are read
as they would be in use. Timed in process through Flask's test client:
- the course page as a clinician (the outcome section, its charts and entries) and as reception
  (no scores: the section's enter links only), so the section's own share shows;
- GET /api/courses/<id>/outcomes (clinician) and POST /api/patients/<id>/outcomes (one PHQ-9).

    python -m bench.bench_outcomes                 # both databases at 15k sessions
    python -m bench.bench_outcomes --dbs sqlite --runs 20
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import time as timer
from datetime import datetime, timedelta, timezone

from bench.bench_planning import _prepare
from bench.common import DATABASES, every_run, in_child, load, machine, summary

PASSWORD = "bench outcomes password"
TARGET_P95_MS = 100  # a page the prescriber opens between patients: the house target for reads


def _client(app, role: str):
    from planner.services import accounts

    email = f"{role}-{secrets.token_hex(3)}@bench.example"
    with app.app_context():
        accounts.create_user(email, role.title(), role, PASSWORD, now=datetime(2029, 1, 1, tzinfo=timezone.utc))
        token = accounts.create_api_token(email, "bench", datetime(2029, 1, 1, tzinfo=timezone.utc))
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf}).status_code == 302
    return client, {"Authorization": f"Bearer {token}"}


def _fill(app, clinic, patient: int, now: datetime) -> int:
    """Book the course, give it 13 entries per measure, and 20,000 entries to other patients; the course's id."""
    from sqlalchemy import insert, select

    from planner.db.models import OutcomeEntry, Patient
    from planner.extensions import db
    from planner.services import SYSTEM
    from planner.services.course_booking import book_course
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course
    from tests.factories import booking_order

    with app.app_context():
        proposal = propose_course(patient, "iv-induction", PreferencesIn(earliest=clinic.first), now)
        course = book_course(booking_order(proposal, patient), SYSTEM, now)
        sizes = {"phq9": (9, 3), "gad7": (7, 3), "pcl5": (20, 4), "pain": (1, 10)}
        rows = [{"patient_id": patient, "course_id": course, "measure": key, "items": [k % (top + 1)] * n,
                 "total": (k % (top + 1)) * n, "taken_at": now - timedelta(days=30 - 2 * k), "source": "staff",
                 "entered_by": "bench", "created_at": now} for key, (n, top) in sizes.items() for k in range(13)]
        others = db.session.scalars(select(Patient.id).where(Patient.id != patient).limit(2000)).all()
        rows += [{"patient_id": others[k % len(others)], "course_id": None, "measure": "phq9", "items": [1] * 9,
                  "total": 9, "taken_at": now - timedelta(hours=k), "source": "staff", "entered_by": "bench",
                  "created_at": now} for k in range(20000)]
        db.session.execute(insert(OutcomeEntry), rows)
        db.session.commit()
        return course


def measure(url: str, scale: int, runs: int) -> dict:
    """Generate the clinic at url, fill the outcomes, and time the pages and calls."""
    import logging

    from bench.synthetic import create
    from planner import clock

    logging.disable(logging.WARNING)
    app, clinic, _ = create(url, scale, quiet=True, check=False)
    patient = _prepare(app, clinic)
    now = datetime.combine(clinic.first - timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    clock.now = lambda: now
    course = _fill(app, clinic, patient, now)
    clinician, bearer = _client(app, "clinician")
    reception, _ = _client(app, "reception")
    calls = {
        "course page, clinician": lambda: clinician.get(f"/courses/{course}"),
        "course page, reception": lambda: reception.get(f"/courses/{course}"),
        "GET course outcomes API": lambda: clinician.get(f"/api/courses/{course}/outcomes", headers=bearer),
        "POST one PHQ-9 (API)": lambda: clinician.post(f"/api/patients/{patient}/outcomes", headers=bearer,
                                                       json={"measure": "phq9", "items": [1] * 9,
                                                             "course_id": course}),
    }
    result = {"db": url.split(":")[0].split("+")[0], "scale": scale, "calls": {}}
    for name, call in calls.items():
        call()  # warm, untimed
        wall, cpu = [], []
        for _ in range(runs):
            began, spent = timer.perf_counter(), timer.thread_time()
            answer = call()
            wall.append(timer.perf_counter() - began)
            cpu.append(timer.thread_time() - spent)
            assert answer.status_code in (200, 201), (name, answer.status_code)
        result["calls"][name] = {"wall": summary(wall), "cpu": summary(cpu)}
    result["load"] = load()
    return result


def report(results: list[dict]) -> None:
    """Print p50 and p95 (wall and CPU) for each call against the 100 ms p95 target."""
    print("\ncall                          db          scale   wall p50/p95 ms    (CPU p50/p95)   target p95")
    for r in results:
        for name, m in r["calls"].items():
            wall, cpu = m["wall"], m["cpu"]
            verdict = f"< {TARGET_P95_MS}  " + ("met" if wall["p95"] < TARGET_P95_MS else "MISSED")
            print(f"{name:<29} {r['db']:<11} {r['scale']:>5}   {wall['p50']:>7.1f} {wall['p95']:>7.1f}"
                  f"    ({cpu['p50']:>5.1f} {cpu['p95']:>5.1f})   {verdict}")
        print(f"  ({r['load']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--scales", default="1")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child run: the URL of its database
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, int(args.scales), args.runs)))
        return
    print(machine(), flush=True)
    report([in_child("bench.bench_outcomes", url, scale, "--runs", str(args.runs))
            for _, scale, url in every_run(args.dbs, args.scales, "bench_outcomes")])


if __name__ == "__main__":
    main()
