"""Reception's patient search and patient page on the busy synthetic clinic, on SQLite and PostgreSQL.

The synthetic clinic (bench/synthetic.py: 3,000 patients, ~15,000 sessions at scale 1) names its
patients "Patient N" and gives them no phone; before timing, every patient gets a name from a
list of first and last names (some with accents, some hyphenated) and a New York number, and the
patients whose pages are timed get 30 messages each in the outbox, as a patient in a course has.

Server time is the whole request through the app (routing, sign-in check, service, template)
with Flask's test client, no network: what a gunicorn worker spends on it. It times
(a) the fragment the search box fetches as reception types (GET /patients/results?q=...) for a
few typical queries: part of a last name, a first and last name start, a name typed without its
accent, a full MRN, a date of birth in both forms, some phone digits; and (b) a patient's page
(GET /patients/<id>) for patients with the most sessions. Target: p95 under 100 ms for each.

    python -m bench.bench_patients                       # both databases, scale 1
    python -m bench.bench_patients --dbs sqlite --rounds 5 --scale 10
"""

from __future__ import annotations

import argparse
import random
import re
import time as timer
from datetime import datetime, timezone

from bench.common import DATABASES, databases, load, machine, summary

TARGET_P95 = 100.0
FIRST = ("Ana", "José", "Maya", "Luis", "Renée", "Kim", "Ben", "Olga", "Sam", "Zoë", "Omar", "Grace", "Chen", "Ada",
         "Noah", "Leila", "Tomás", "Ines", "Priya", "Jordan")
LAST = ("Lopez", "Núñez", "Okafor", "Smith", "Park", "Dubois", "García-Ruiz", "Kim", "Nguyen", "O'Brien", "Müller",
        "Avery", "Schmidt", "Rossi", "Khan", "Jones", "Ibáñez", "Cohen", "Diaz", "Wright")
# What reception types, by what it looks for; the MRN and date of birth name one real patient.
QUERIES = ("lop", "jose nun", "nunez", "B001234", "1983-05-19", "05/19/1983", "555 01", "garc")
PAGES = 40
MESSAGES_PER_PAGE = 30


def dress(app) -> list[int]:
    """Give every patient a name and a phone; return the ids of the PAGES patients with the most sessions."""
    from sqlalchemy import bindparam, func, select, update

    from planner.db.models import Patient, Session
    from planner.domain.patient_search import search_name
    from planner.extensions import db

    rng = random.Random(11)
    with app.app_context(), db.engine.begin() as conn:
        ids = conn.scalars(select(Patient.id).order_by(Patient.id)).all()
        names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in ids]
        # A Core update passes the model's events by: the folded name is written with the name.
        rows = [{"pid": pid, "name": name, "folded": search_name(name), "phone": f"+1212555{n % 10000:04d}"}
                for n, (pid, name) in enumerate(zip(ids, names))]
        conn.execute(update(Patient).where(Patient.id == bindparam("pid"))
                     .values(name=bindparam("name"), search_name=bindparam("folded"), phone=bindparam("phone")), rows)
        busiest = conn.execute(select(Session.patient_id).group_by(Session.patient_id)
                               .order_by(func.count().desc(), Session.patient_id).limit(PAGES)).scalars().all()
    return list(busiest)


def write_messages(app, patients: list[int]) -> None:
    """MESSAGES_PER_PAGE sent messages to each patient, about their own sessions."""
    from sqlalchemy import insert, select

    from planner.db.models import OutboxMessage, Session
    from planner.extensions import db

    moment = datetime(2029, 12, 1, tzinfo=timezone.utc)
    rows = []
    with app.app_context(), db.engine.begin() as conn:
        for pid in patients:
            sessions = conn.execute(select(Session.id, Session.starts_at, Session.ends_at)
                                    .where(Session.patient_id == pid).limit(MESSAGES_PER_PAGE)).all()
            for n in range(MESSAGES_PER_PAGE):
                sid, start, end = sessions[n % len(sessions)]
                facts = {"session_id": sid, "sequence": 0, "start": start.isoformat(), "end": end.isoformat(),
                         "timezone": "America/New_York", "clinic_name": "Bench", "site_name": "Bench",
                         "site_phone": None, "room_name": None, "cancelled": False, "preparation": [],
                         "detail": None, "attendees": []}
                rows.append({"dedupe_key": f"bench-{pid}-{n}", "session_id": sid, "recipient_kind": "patient",
                             "recipient_id": pid, "recipient_name": "Bench", "channel": "email",
                             "address": f"p{pid}@bench.example", "kind": "reminder-24h", "sequence": 0, "facts": facts,
                             "state": "sent", "due_at": moment, "created_at": moment, "sent_at": moment,
                             "attempts": 1, "reason": ""})
        conn.execute(insert(OutboxMessage), rows)


def signed_in(app):
    """A test client signed in as reception through the login form."""
    from planner.services import accounts

    with app.app_context():
        accounts.create_user("desk@bench.example", "Desk", "reception", "bench password 1",
                             now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    client = app.test_client()
    form = client.get("/login").data.decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"email": "desk@bench.example", "password": "bench password 1",
                                         "csrf_token": token})
    assert answer.status_code == 302, answer.status_code
    return client


def timed(client, path: str) -> float:
    began = timer.perf_counter()
    answer = client.get(path)
    took = timer.perf_counter() - began
    assert answer.status_code == 200, (path, answer.status_code)
    return took


def measure(kind: str, url: str, scale: int, rounds: int) -> dict:
    """Fill the clinic, then time the searches and pages in rounds; the figures per kind of request."""
    from bench.synthetic import create

    app, _, _ = create(url, scale, quiet=True, check=False)
    pages = dress(app)
    write_messages(app, pages)
    client = signed_in(app)
    searches = {q: [] for q in QUERIES}
    page_times: list[float] = []
    found = {q: client.get(f"/patients/results?q={q}").data.decode().count('class="hit-name"') for q in QUERIES}
    for _ in range(3):  # warm-up: templates compiled, connections open
        for q in QUERIES:
            timed(client, f"/patients/results?q={q}")
        timed(client, f"/patients/{pages[0]}")
    for _ in range(rounds):
        for q in QUERIES:
            searches[q].append(timed(client, f"/patients/results?q={q}"))
        for pid in pages:
            page_times.append(timed(client, f"/patients/{pid}"))
    every_search = [t for times in searches.values() for t in times]
    return {"kind": kind, "found": found, "per_query": {q: summary(t) for q, t in searches.items()},
            "search": summary(every_search), "page": summary(page_times)}


def report(result: dict) -> None:
    print(f"\n{result['kind']}: patient search (the fragment), per query  [load {load()}]")
    for q, figures in result["per_query"].items():
        print(f"  {q!r:14} {result['found'][q]:>3} shown   p50 {figures['p50']:6.1f} ms   p95 {figures['p95']:6.1f} ms")
    for name in ("search", "page"):
        figures = result[name]
        verdict = "meets" if figures["p95"] < TARGET_P95 else "MISSES"
        print(f"  {name:6} n={figures['n']:<5} p50 {figures['p50']:6.1f} ms   p95 {figures['p95']:6.1f} ms   "
              f"max {figures['max']:6.1f} ms   {verdict} p95 < {TARGET_P95:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=25, help="times each query and page is asked for")
    args = parser.parse_args()
    print(machine(), flush=True)
    with databases(args.dbs.split(",")) as make:
        for kind in args.dbs.split(","):
            report(measure(kind, make(kind, f"bench_patients_{args.scale}"), args.scale, args.rounds))


if __name__ == "__main__":
    main()
