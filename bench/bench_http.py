"""Booking throughput through the HTTP API: gunicorn -w 4 on the synthetic clinic, SQLite and PostgreSQL.

The clinic is generated at scale 1 (~15,000 sessions). Free slots are computed first with the
planner's own fit_at, day by day, each accepted slot counted before the next is sought, so every
slot can be booked alongside all the others; each gets a fresh patient. One request in ten
repeats an earlier slot for another patient and must be refused (409: the chair is taken).
Eight client threads post them in a fixed random order for DURATION seconds (or until the slots
run out) to POST /api/sessions with a reception bearer token. The server runs on the real clock;
the window lies in 2030, so every slot is in the future.

Afterwards the new sessions are re-checked with the booking rules, and the database is asked
for two live sessions overlapping in one chair or for one patient: both must come out empty.

    python -m bench.bench_http                     # both databases, 15 s each
    python -m bench.bench_http --dbs sqlite --seconds 5
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time as timer
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import requests

from bench.common import DATABASES, databases, load, machine, summary

ROOT = Path(__file__).absolute().parent.parent  # not resolve(): keep the checkout the bench runs in
WORKERS, THREADS, DURATION, SEED = 4, 8, 15.0, 11
CONFLICT_EVERY = 10


def _free_slots(session, clinic) -> list[tuple[datetime, int, tuple]]:
    """(start, room, placements) for every slot that can be booked together with all the others."""
    from planner.db.reads import fresh as rows
    from planner.domain.availability import fit_at
    from planner.domain.calendar import to_utc
    from planner.domain.clinic import BookedSession
    from planner.domain.intervals import Interval
    from planner.domain.staffing import Duty

    from bench.synthetic import _open_days

    site = rows.site_rules(session, clinic.site_id)
    stype = rows.load_session_type(session, clinic.iv_type_id)
    needs = {need.role: need for need in stype.needs}
    slots, fake_id = [], 0
    for day in _open_days(clinic.first, clinic.last):
        span = Interval(to_utc(day, time(0), clinic.zone), to_utc(day + timedelta(days=1), time(0), clinic.zone))
        state = rows.reference(session, site, span, None)
        for block in site.calendar.open_intervals(day, day):
            start = block.start
            while start + stype.duration <= block.end:
                fit = fit_at(stype, state, start)
                while fit is not None:
                    fake_id -= 1
                    duties = tuple((p.staff_id, Duty(stype.role_window(start, needs[p.role]), p.role, fake_id,
                                                         stype.route))
                                   for p in fit.placements)
                    state.add(BookedSession(fake_id, 0, site.id, fit.room_id, stype.window(start), duties))
                    slots.append((start, fit.room_id, tuple((p.staff_id, p.role) for p in fit.placements)))
                    fit = fit_at(stype, state, start)
                start += timedelta(minutes=site.slot_minutes)
    session.rollback()
    return slots


def _prepare(conn, clinic, slots) -> tuple[str, list[dict], int]:
    """A reception user with a token, a fresh patient per request, and the request bodies."""
    from sqlalchemy import func, insert, select

    from planner.db.models import ApiToken, Patient, Session, User
    from planner.services.accounts import token_digest

    rng = random.Random(SEED)
    rng.shuffle(slots)
    plan = []
    for index, slot in enumerate(slots):
        plan.append((slot, True))
        if index % CONFLICT_EVERY == CONFLICT_EVERY - 1:
            plan.append((rng.choice(slots[:index]), False))  # a slot already asked for earlier: 409
    token = secrets.token_urlsafe(24)
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    user = conn.execute(insert(User.__table__).returning(User.__table__.c.id),
                        {"email": "bench-reception@bench.example", "name": "Bench reception", "role": "reception",
                         "password_hash": "!", "staff_id": None, "active": True}).scalar_one()
    conn.execute(insert(ApiToken.__table__), {"user_id": user, "name": "bench", "token_hash": token_digest(token),
                                              "created_at": moment, "last_used_at": None, "revoked_at": None})
    table = Patient.__table__
    first = conn.scalar(select(func.max(table.c.id))) + 1
    conn.execute(insert(table), [
        {"id": first + n, "mrn": f"H{n:06d}", "name": f"HTTP patient {n}", "date_of_birth": datetime(1985, 1, 1).date(),
         "email": None, "phone": None, "preferred_channel": "email", "consented_channels": [], "escort_name": None,
         "escort_phone": None, "rems_patient_id": None, "rems_enrolled_on": None, "screening_status": "cleared",
         "consent_status": "signed"} for n in range(len(plan))])
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('patients', 'id'), (SELECT max(id) FROM patients))")
    bodies = []
    for n, ((start, room, staff), _fresh) in enumerate(plan):
        bodies.append({"patient_id": first + n, "site_id": clinic.site_id, "session_type_id": clinic.iv_type_id,
                       "start": start.isoformat(), "room_id": room,
                       "staff": [{"staff_id": s, "role": r} for s, r in staff]})
    last_session = conn.scalar(select(func.max(Session.__table__.c.id)))
    return token, bodies, last_session


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(url: str, port: int, log) -> subprocess.Popen:
    """gunicorn on the database; its log goes to a file (a pipe nobody reads would fill and stall it)."""
    env = {**os.environ, "DATABASE_URL": url, "PLANNER_ENV": "production", "SECRET_KEY": secrets.token_hex(16)}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", str(WORKERS), "-b",
                               f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    deadline = timer.monotonic() + 60
    while timer.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log.name}")
        try:
            # Every worker imports the app before it answers; give them all a moment to come up.
            if requests.get(f"http://127.0.0.1:{port}/api/sessions", timeout=2).status_code in (401, 403):
                timer.sleep(2)
                return server
        except requests.RequestException:
            pass
        timer.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def _hammer(port: int, token: str, bodies: list[dict], seconds: float) -> tuple[list, float]:
    """Post the bodies from THREADS threads until they run out or time is up; returns (status, seconds) pairs."""
    results: list[tuple[int, float, str]] = []
    cursor = iter(bodies)
    lock = threading.Lock()
    began = timer.perf_counter()

    def worker():
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        while timer.perf_counter() - began < seconds:
            with lock:
                body = next(cursor, None)
            if body is None:
                return
            start = timer.perf_counter()
            try:
                answer = http.post(f"http://127.0.0.1:{port}/api/sessions", json=body, timeout=60)
                status, text = answer.status_code, answer.text[:300]
            except requests.RequestException as error:
                status, text = 599, str(error)[:300]
            took = timer.perf_counter() - start
            with lock:
                results.append((status, took, text))

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, timer.perf_counter() - began


def _overlaps(conn) -> int:
    """Pairs of live sessions overlapping in one chair or for one patient (must be 0)."""
    found = 0
    for column in ("room_id", "patient_id"):
        found += conn.exec_driver_sql(
            f"SELECT count(*) FROM sessions a JOIN sessions b ON a.{column} = b.{column} AND a.id < b.id "
            f"AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
            f"WHERE a.status NOT IN ('cancelled', 'no_show') AND b.status NOT IN ('cancelled', 'no_show')").scalar()
    return found


def _distinct_errors(log: str) -> str:
    """The distinct error lines of a server log, most frequent first, with counts."""
    counts: dict[str, int] = {}
    for line in log.splitlines():
        if "Error" in line or "WORKER TIMEOUT" in line or "CRITICAL" in line:
            key = line.split("] ", 3)[-1][:200]  # without gunicorn's time stamp and pid
            counts[key] = counts.get(key, 0) + 1
    return "\n".join(f"  {n} x {line}" for line, n in sorted(counts.items(), key=lambda i: -i[1])[:8])


def run(kind: str, url: str, seconds: float) -> dict:
    """Generate, prepare, serve, hammer, verify; returns the figures."""
    from bench import synthetic
    from planner.extensions import db

    app, clinic, _ = synthetic.create(url, 1)
    with app.app_context():
        began = timer.perf_counter()
        slots = _free_slots(db.session, clinic)
        with db.engine.begin() as conn:
            token, bodies, last_session = _prepare(conn, clinic, slots)
        print(f"{len(slots):,} free slots computed and {len(bodies):,} requests prepared in "
              f"{timer.perf_counter() - began:.0f} s", flush=True)
        db.engine.dispose()
    port = _port()
    log_path = Path(tempfile.gettempdir()) / f"bench_http_{kind}_gunicorn.log"
    with open(log_path, "w") as log:
        server = _serve(url, port, log)
        try:
            results, elapsed = _hammer(port, token, bodies, seconds)
            machine_load = load()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    errors = log_path.read_text()
    with app.app_context():
        problems = synthetic.verify(db.session, clinic, 300, after_id=last_session)
        db.session.rollback()
        with db.engine.connect() as conn:
            doubled = _overlaps(conn)
            created = conn.exec_driver_sql(f"SELECT count(*) FROM sessions WHERE id > {last_session}").scalar()
        db.engine.dispose()
    statuses: dict[int, int] = {}
    for status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    failures = [(status, text) for status, _, text in results if status >= 500]
    return {"db": kind, "requests": len(results), "seconds": elapsed, "per_second": len(results) / elapsed,
            "latency": summary([took for _, took, _ in results]), "statuses": statuses, "failures": failures[:5],
            "created": created, "rule_problems": problems[:5], "overlaps": doubled, "load": machine_load,
            "server_log": str(log_path) if errors.strip() else None,
            "server_errors": _distinct_errors(errors)}


def report(results: list[dict]) -> None:
    print()
    print(f"Booking through the HTTP API: gunicorn -w {WORKERS} (sync workers), {THREADS} client threads, "
          f"POST /api/sessions")
    print()
    print("| database   | requests | seconds | requests/s | p50 ms | p95 ms | 201 | 409 | other |")
    print("|------------|---------:|--------:|-----------:|-------:|-------:|----:|----:|------:|")
    for r in results:
        s = r["statuses"]
        other = sum(n for code, n in s.items() if code not in (201, 409))
        print(f"| {r['db']:<10} | {r['requests']:>8,} | {r['seconds']:7.1f} | {r['per_second']:10.1f} "
              f"| {r['latency']['p50']:6.1f} | {r['latency']['p95']:6.1f} | {s.get(201, 0)} | {s.get(409, 0)} "
              f"| {other} |")
    print()
    for r in results:
        verdict = "no 5xx" if not r["failures"] else f"5xx ANSWERS: {r['failures']}"
        sound = ("rules hold" if not r["rule_problems"] and not r["overlaps"]
                 else f"RULES BROKEN: {r['rule_problems']} overlaps {r['overlaps']}")
        print(f"{r['db']}: {verdict}; {r['created']} sessions created for {r['statuses'].get(201, 0)} answers 201; "
              f"{sound}; statuses {dict(sorted(r['statuses'].items()))}; {r['load']}")
        if r["server_errors"]:
            print(f"  from the server log ({r['server_log']}):\n{r['server_errors']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--seconds", type=float, default=DURATION)
    args = parser.parse_args()
    print(machine(), flush=True)
    results = []
    with databases(args.dbs.split(",")) as make:
        for kind in args.dbs.split(","):
            print(f"-- {kind}", flush=True)
            results.append(run(kind, make(kind, "bench_http"), args.seconds))
    report(results)
    if any(r["failures"] or r["rule_problems"] or r["overlaps"] for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
