"""My week and the site grid on the busy synthetic clinic (issue 13, parts 1 and 2): server time per page.

The busy synthetic clinic (bench/synthetic.py: one site, 38 chairs, 60 staff, ~15,000 sessions in
12 weeks) at scale 1 or more. Measured one request at a time in this process (Flask's test client:
the app's own time, no network), after WARM_UP untimed requests:

- my week, GET /me/week?week=<the busiest day's week>, signed in as the clinician placed in the
  most sessions that week (an account linked to their staff record);
- the site grid, GET /sites/<id>/grid?day=<the window's busiest local day>, signed in as the same
  clinician.

The target (issue 13) is a p95 under 100 ms for both, on both databases.

    python -m bench.bench_myday                          # SQLite and PostgreSQL, scale 1
    python -m bench.bench_myday --dbs sqlite --scales 1,10 --requests 100
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime, time, timedelta, timezone

from bench.bench_board import PASSWORD, busiest_day, timed
from bench.common import DATABASES, every_run, load, machine, summary


def busiest_clinician(clinic, monday) -> tuple[int, int]:
    """The staff member placed in the most sessions in the week from monday, and how many placements."""
    from sqlalchemy import func, select

    from planner.db.models import Session, SessionStaff
    from planner.domain.calendar import to_utc
    from planner.extensions import db

    start, end = to_utc(monday, time(0), clinic.zone), to_utc(monday + timedelta(days=7), time(0), clinic.zone)
    count = func.count().label("placed")
    return tuple(db.session.execute(
        select(SessionStaff.staff_id, count).join(Session, Session.id == SessionStaff.session_id)
        .where(Session.starts_at >= start, Session.starts_at < end, Session.status.not_in(("cancelled", "no_show")))
        .group_by(SessionStaff.staff_id).order_by(count.desc()).limit(1)).one())


def clinician_client(app, staff_id: int):
    """A test client signed in through the login form as a clinician linked to staff_id."""
    from planner.services import accounts

    accounts.create_user("clinician@bench.example", "Bench Clinician", "clinician", PASSWORD, staff_id,
                         now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    client = app.test_client()
    form = client.get("/login").get_data(True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"email": "clinician@bench.example", "password": PASSWORD,
                                         "csrf_token": token})
    assert answer.status_code == 302, answer.status_code
    return client


def run(kind: str, url: str, scale: int, requests: int) -> dict:
    from bench import synthetic
    from planner import clock
    from planner.domain.calendar import to_utc
    from planner.extensions import db

    app, clinic, _ = synthetic.create(url, scale, quiet=True, check=False)
    real_now = clock.now
    with app.app_context():
        day, sessions = busiest_day(clinic)
        monday = day - timedelta(days=day.weekday())
        staff_id, placed = busiest_clinician(clinic, monday)
        clock.now = lambda: to_utc(day, time(12), clinic.zone)
        try:
            client = clinician_client(app, staff_id)
            week = f"/me/week?week={monday.isoformat()}"
            grid = f"/sites/{clinic.site_id}/grid?day={day.isoformat()}"
            shown = client.get(week).get_data(True).count('data-testid="week-session"')
            assert shown == placed, (shown, placed)
            blocks = client.get(grid).get_data(True).count('data-testid="grid-block"')
            assert blocks == sessions, (blocks, sessions)
            figures = {f"my week ({placed} sessions)": timed(lambda: client.get(week), 200, requests),
                       f"site grid ({sessions} sessions)": timed(lambda: client.get(grid), 200, requests)}
        finally:
            clock.now = real_now
        db.session.remove()
        db.engine.dispose()
    return {"kind": kind, "scale": scale, "day": day, "load": load(),
            "figures": {name: (summary(wall), summary(cpu)) for name, (wall, cpu) in figures.items()}}


def report(results: list[dict]) -> None:
    print()
    print("| database | scale | page | n | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms | target p95 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for name, (f, cpu) in r["figures"].items():
            target = ("met" if f["p95"] < 100 else "MISSED") + " (< 100 ms)"
            print(f"| {r['kind']} | {r['scale']} | {name} | {f['n']} | {f['p50']:.1f} | {f['p95']:.1f} | "
                  f"{f['max']:.1f} | {cpu['p50']:.1f} | {cpu['p95']:.1f} | {target} |")
    for r in results:
        print(f"{r['kind']} scale {r['scale']} (busiest day {r['day']}): measured under {r['load']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--scales", default="1")
    parser.add_argument("--requests", type=int, default=100, help="timed requests of each page")
    args = parser.parse_args()
    print(machine(), flush=True)
    report([run(kind, url, scale, args.requests) for kind, scale, url in every_run(args.dbs, args.scales, "bench_myday")])


if __name__ == "__main__":
    main()
