"""The coverage page and the daily coverage check on the busy synthetic clinic (issue 12, parts 4, 6 and 9).

The busy synthetic clinic (bench/synthetic.py: one site, 38 chairs, 60 staff, ~15,000 IV sessions in
12 weeks) at scale 1 or more. Measured, one at a time, in this process (Flask's test client: the
app's own time, no network), after WARM_UP untimed runs:

- the page, GET /sites/<id>/coverage?day=<the window's busiest local day>, signed in as reception;
- the daily check, check_coverage(now) at 06:00 local on the window's first Monday: every booked
  session of the next 14 days (about 2,500) judged against its team's cover, credentials lapsing
  within 60 days, and the alerts kept in step (a run after the first writes only "seen again").

The target (issue 12, part 9) is a p95 under 500 ms for a full site's 14-day check, on both databases.

    python -m bench.bench_coverage                       # SQLite and PostgreSQL, scale 1
    python -m bench.bench_coverage --dbs sqlite --scales 1,10 --requests 50 --runs 20
"""

from __future__ import annotations

import argparse
import time as timer
from datetime import time, timedelta

from bench.bench_board import busiest_day, signed_in_client, timed
from bench.common import DATABASES, databases, load, machine, summary

WARM_UP = 3


def run(kind: str, url: str, scale: int, requests: int, runs: int) -> dict:
    from bench import synthetic
    from planner import clock
    from planner.domain.calendar import to_utc
    from planner.extensions import db
    from planner.services.coverage_check import check_coverage

    app, clinic, _ = synthetic.create(url, scale, quiet=True, check=False)
    real_now = clock.now
    with app.app_context():
        day, sessions = busiest_day(clinic)
        clock.now = lambda: to_utc(day, time(6), clinic.zone)
        try:
            client = signed_in_client(app)
            page = f"/sites/{clinic.site_id}/coverage?day={day.isoformat()}"
            shown = client.get(page).get_data(True)
            assert "Dosing load and capacity" in shown, shown[:300]
            page_wall, page_cpu = timed(lambda: client.get(page), 200, requests)
        finally:
            clock.now = real_now
        morning = to_utc(clinic.first, time(6), clinic.zone)
        first = check_coverage(morning)
        for _ in range(WARM_UP):
            check_coverage(morning)
        wall, cpu = [], []
        for _ in range(runs):
            began, began_cpu = timer.perf_counter(), timer.process_time()
            report = check_coverage(morning)
            wall.append(timer.perf_counter() - began)
            cpu.append(timer.process_time() - began_cpu)
        checked = _booked_ahead(clinic.site_id, morning, morning + timedelta(days=14))
        db.session.remove()
        db.engine.dispose()
    return {"kind": kind, "scale": scale, "day": day, "sessions": sessions, "checked": checked, "first": first,
            "last": report, "load": load(),
            "figures": {"page": (summary(page_wall), summary(page_cpu)), "14-day check": (summary(wall), summary(cpu))}}


def _booked_ahead(site_id: int, since, until) -> int:
    from sqlalchemy import func, select

    from planner.db.models import Session
    from planner.extensions import db

    return db.session.scalar(select(func.count()).select_from(Session).where(
        Session.site_id == site_id, Session.starts_at >= since, Session.starts_at < until,
        Session.status.not_in(("cancelled", "no_show", "fulfilled"))))


def report(results: list[dict]) -> None:
    print()
    print("| database | scale | what | size | n | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms | target p95 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for name, (f, cpu) in r["figures"].items():
            size = f"{r['sessions']} sessions on {r['day']}" if name == "page" else f"{r['checked']} sessions ahead"
            target = ("met" if f["p95"] < 500 else "MISSED") + " (< 500 ms)" if name != "page" else "—"
            print(f"| {r['kind']} | {r['scale']} | {name} | {size} | {f['n']} | {f['p50']:.1f} | {f['p95']:.1f} | "
                  f"{f['max']:.1f} | {cpu['p50']:.1f} | {cpu['p95']:.1f} | {target} |")
    for r in results:
        print(f"{r['kind']} scale {r['scale']}: first check {r['first']}; last {r['last']}; measured under {r['load']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--scales", default="1")
    parser.add_argument("--requests", type=int, default=100, help="timed page requests")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of the check")
    args = parser.parse_args()
    print(machine(), flush=True)
    results = []
    with databases(args.dbs.split(",")) as make:
        for kind in args.dbs.split(","):
            for scale in (int(s) for s in args.scales.split(",")):
                print(f"-- {kind} at scale {scale}", flush=True)
                results.append(run(kind, make(kind, f"bench_coverage_{scale}"), scale, args.requests, args.runs))
    report(results)


if __name__ == "__main__":
    main()
