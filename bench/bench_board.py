"""The today board's server time on the busy synthetic clinic: the page, its live part, and the live part's 304.

The busy synthetic clinic (bench/synthetic.py, one site, 38 chairs, ~15,000 sessions in 12 weeks)
at scale 1 or more. The board is asked for the busiest local day of the window, as of 12:00 on
that day in the site's zone (the one clock held there), so every chair has someone in it or due
and every visit shows its buttons. A signed-in receptionist (session cookie, as the browser) asks
one request at a time, in this process through Flask's test client (WSGI, no network: the app's
own time), REQUESTS times each:

- the page, GET /sites/<id>/board?day=...;
- its live part, GET /sites/<id>/board/live?day=... with no ETag (a 200, rendered);
- the live part with the ETag it got (If-None-Match), a 304 while nothing changed: what the page's
  refresh costs every 20 seconds on a quiet board.

The target (issue 11) is a p95 under 100 ms for the page and the live part, on both databases.

    python -m bench.bench_board                          # SQLite and PostgreSQL, scale 1, 200 of each
    python -m bench.bench_board --dbs sqlite --scales 1,10 --requests 100
"""

from __future__ import annotations

import argparse
import re
import time as timer
from collections import Counter
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bench.common import DATABASES, databases, load, machine, summary

WARM_UP = 10
PASSWORD = "bench password 1"


def busiest_day(clinic) -> tuple:
    """The local day of the window with the most sessions that still hold a place, and their count."""
    from planner.db.models import Session
    from planner.domain.calendar import to_utc
    from planner.extensions import db

    start = to_utc(clinic.first, time(0), clinic.zone)
    end = to_utc(clinic.last + timedelta(days=1), time(0), clinic.zone)
    zone = ZoneInfo(clinic.zone)
    days = Counter(at.astimezone(zone).date() for at in db.session.scalars(
        select(Session.starts_at).where(Session.site_id == clinic.site_id, Session.starts_at >= start,
                                        Session.starts_at < end, Session.status != "cancelled")))
    return days.most_common(1)[0]


def signed_in_client(app):
    """A test client signed in as a new receptionist through the login form (CSRF and all)."""
    from planner.services import accounts

    accounts.create_user("desk@bench.example", "Bench Desk", "reception", PASSWORD,
                         now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    client = app.test_client()
    form = client.get("/login").get_data(True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"email": "desk@bench.example", "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, answer.status_code
    return client


def timed(ask, expect: int, requests: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each of requests calls of ask(), after WARM_UP untimed ones; each answer must be expect.

    CPU time is this process's (the app, and SQLite, which runs inside it): on a busy machine it
    tells the code's own cost apart from time spent waiting for a core.
    """
    for _ in range(WARM_UP):
        ask()
    wall, cpu = [], []
    for _ in range(requests):
        began, began_cpu = timer.perf_counter(), timer.process_time()
        answer = ask()
        wall.append(timer.perf_counter() - began)
        cpu.append(timer.process_time() - began_cpu)
        assert answer.status_code == expect, (answer.status_code, answer.get_data(True)[:300])
    return wall, cpu


def run(kind: str, url: str, scale: int, requests: int) -> dict:
    from bench import synthetic
    from planner import clock
    from planner.domain.calendar import to_utc

    app, clinic, _ = synthetic.create(url, scale, quiet=True, check=False)
    real_now = clock.now
    with app.app_context():
        day, sessions = busiest_day(clinic)
        clock.now = lambda: to_utc(day, time(12), clinic.zone)  # noon on the busiest day, in the site's zone
        try:
            client = signed_in_client(app)
            page = f"/sites/{clinic.site_id}/board?day={day.isoformat()}"
            live = f"/sites/{clinic.site_id}/board/live?day={day.isoformat()}"
            first = client.get(live)
            shown = first.get_data(True).count('class="visit-patient"')
            assert shown == sessions, (shown, sessions)
            etag = first.headers["ETag"]
            figures = {
                "page": timed(lambda: client.get(page), 200, requests),
                "live part": timed(lambda: client.get(live), 200, requests),
                "live part, 304": timed(lambda: client.get(live, headers={"If-None-Match": etag}), 304,
                                        requests),
            }
        finally:
            clock.now = real_now
        from planner.extensions import db

        db.session.remove()
        db.engine.dispose()
    return {"kind": kind, "scale": scale, "day": day, "sessions": sessions, "load": load(),
            "figures": {name: (summary(wall), summary(cpu)) for name, (wall, cpu) in figures.items()}}


def report(results: list[dict]) -> None:
    print()
    print("| database | scale | what | visits | n | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms | target p95 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for name, (f, cpu) in r["figures"].items():
            target = "—" if name.endswith("304") else ("met" if f["p95"] < 100 else "MISSED") + " (< 100 ms)"
            print(f"| {r['kind']} | {r['scale']} | {name} | {r['sessions']} on {r['day']} | {f['n']} | "
                  f"{f['p50']:.1f} | {f['p95']:.1f} | {f['max']:.1f} | {cpu['p50']:.1f} | {cpu['p95']:.1f} | {target} |")
    for r in results:
        print(f"{r['kind']} scale {r['scale']}: measured under {r['load']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--scales", default="1")
    parser.add_argument("--requests", type=int, default=200, help="timed requests of each kind")
    args = parser.parse_args()
    print(machine(), flush=True)
    results = []
    with databases(args.dbs.split(",")) as make:
        for kind in args.dbs.split(","):
            for scale in (int(s) for s in args.scales.split(",")):
                print(f"-- {kind} at scale {scale}", flush=True)
                results.append(run(kind, make(kind, f"bench_board_{scale}"), scale, args.requests))
    report(results)


if __name__ == "__main__":
    main()
