"""The course wizard's plan step over HTTP on the busy synthetic clinic, against the planner's own targets.

Times the whole request a receptionist's "Plan the course" sends (POST /courses/new?patient=...:
the form checked, `propose_course`, each plan drawn as a timeline, its score put in words and its
booking signed, the page rendered), in process through Flask's test client with a signed-in
reception session, and beside it `propose_course` alone with the same inputs, so the page's own
share shows. Protocols and starts as bench_planning (IV induction and esketamine TRD, starting on
each of the first five days, mornings, afternoons or any time); nothing is booked.

    python -m bench.bench_wizard                          # both databases at 15k sessions
    python -m bench.bench_wizard --dbs sqlite --runs 20
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time as timer
from datetime import datetime, timedelta, timezone

from bench.bench_planning import PARTS, TARGETS, _prepare
from bench.common import DATABASES, databases, load, machine, summary

PROTOCOLS = ("iv-induction", "esketamine-trd")
PASSWORD = "bench wizard password"


def _signed_in(app):
    """A test client signed in as a new reception account (signing in starts a new session and token)."""
    from planner.services import accounts

    with app.app_context():
        accounts.create_user("wizard@bench.example", "Bench Reception", "reception", PASSWORD,
                             now=datetime(2029, 1, 1, tzinfo=timezone.utc))
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"email": "wizard@bench.example", "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, answer.status_code
    return client


def measure(url: str, scale: int, runs: int) -> dict:
    """Generate the clinic at url, then time the plan step and the bare proposal for each protocol."""
    import logging

    from bench.synthetic import create
    from planner import clock
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course

    logging.disable(logging.WARNING)
    app, clinic, _ = create(url, scale, quiet=True, check=False)
    patient = _prepare(app, clinic)
    now = datetime.combine(clinic.first - timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    clock.now = lambda: now  # the synthetic clinic lies ahead: the app sees the day before it
    client = _signed_in(app)
    wizard = client.get(f"/courses/new?patient={patient}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', wizard).group(1)
    result = {"db": url.split(":")[0].split("+")[0], "scale": scale, "protocols": {}}
    for key in PROTOCOLS:
        def form(n: int, key: str = key) -> dict:
            return {"csrf_token": token, "protocol": key, "time_of_day": PARTS[n % 3],
                    "earliest": (clinic.first + timedelta(days=n % 5)).isoformat()}

        client.post(f"/courses/new?patient={patient}", data=form(0))  # warm the caches once, untimed
        page, cpu, bare, bare_cpu, plans = [], [], [], [], 0
        for n in range(runs):
            began, spent = timer.perf_counter(), timer.thread_time()
            answer = client.post(f"/courses/new?patient={patient}", data=form(n))
            page.append(timer.perf_counter() - began)
            cpu.append(timer.thread_time() - spent)
            assert answer.status_code == 200, (answer.status_code, answer.get_data(as_text=True)[:500])
            plans += answer.get_data(as_text=True).count('data-testid="plan"')
            with app.app_context():
                prefs = PreferencesIn(time_of_day=PARTS[n % 3], earliest=clinic.first + timedelta(days=n % 5))
                began, spent = timer.perf_counter(), timer.thread_time()
                propose_course(patient, key, prefs, now)
                bare.append(timer.perf_counter() - began)
                bare_cpu.append(timer.thread_time() - spent)
        result["protocols"][key] = {"page": summary(page), "cpu": summary(cpu), "propose": summary(bare),
                                    "propose_cpu": summary(bare_cpu), "plans_shown": plans}
    result["load"] = load()
    return result


def report(results: list[dict]) -> None:
    """Print the figures against the planner's own p95 targets (bench_planning's TARGETS)."""
    print("\nplan step: the whole POST, wall time (and this thread's CPU time, which other work on the machine")
    print("does not inflate; on PostgreSQL the server's share is outside it). propose_course: the service alone.")
    print("\nprotocol        db          scale   plan step p50/p95   (CPU p50/p95)   propose_course p50/p95"
          "   (CPU p50/p95)   page share p50 (CPU)   target p95")
    for r in results:
        for key, m in r["protocols"].items():
            page, cpu, bare, bare_cpu = m["page"], m["cpu"], m["propose"], m["propose_cpu"]
            verdict = f"< {TARGETS[key]:.0f}  " + ("met" if page["p95"] < TARGETS[key] else "MISSED")
            print(f"{key:<15} {r['db']:<11} {r['scale']:>5}   {page['p50']:>8.1f} {page['p95']:>8.1f}"
                  f"   ({cpu['p50']:>5.1f} {cpu['p95']:>6.1f})   {bare['p50']:>10.1f} {bare['p95']:>10.1f}"
                  f"   ({bare_cpu['p50']:>5.1f} {bare_cpu['p95']:>6.1f})"
                  f"   {page['p50'] - bare['p50']:>8.1f} ({cpu['p50'] - bare_cpu['p50']:>5.1f})   {verdict}")
        print(f"  ({r['load']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--scales", default="1")
    parser.add_argument("--runs", type=int, default=30, help="plan steps timed per protocol")
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
                url = make(kind, f"bench_wizard_{scale}")
                print(f"-- {kind} at scale {scale}", flush=True)
                child = subprocess.run([sys.executable, "-m", "bench.bench_wizard", "--one", url, "--scales",
                                        str(scale), "--runs", str(args.runs)], capture_output=True, text=True)
                if child.returncode != 0:
                    sys.stderr.write(child.stderr)
                    raise SystemExit(f"the {kind} run at scale {scale} failed")
                results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    report(results)


if __name__ == "__main__":
    main()
