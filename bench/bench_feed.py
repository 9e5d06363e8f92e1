"""A clinician's calendar feed served end to end over HTTP: GET /feeds/<token>.ics, and the conditional GET.

The busy synthetic clinic (bench/synthetic.py) at scale 2: 12 weeks of history before a 12-week
window of about 15,000 sessions. The app is served by `gunicorn -w 4` as of a fixed day inside
the window (bench/fixed_clock_app.py), so a feed (31 days back, 400 days ahead) holds a month of
fulfilled sessions and the window ahead. The clinician is the one whose feed is nearest 1,500
sessions, a busy prescriber's year. Their token comes from `issue_feed_token`, as the My calendar
page issues it.

One client asks one request at a time (what a calendar app polling does; no queueing in the
figures): REQUESTS full GETs, each answer a 200 whose VEVENTs are counted, then REQUESTS
conditional GETs with the ETag it got (If-None-Match), each a 304. The target (issue 10) is a
p95 under 50 ms. For reference, the same feed built in this process (calendar_feed, no HTTP).

    python -m bench.bench_feed                      # SQLite and PostgreSQL, 200 requests of each kind
    python -m bench.bench_feed --dbs sqlite --requests 50
"""

from __future__ import annotations

import argparse
import http.client
import tempfile
import time as timer
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.bench_http import _port
from bench.bench_reads import serve, stop
from bench.common import DATABASES, databases, load, machine, summary

WANTED = 1500
WARM_UP = 12  # a few requests per worker: each builds its VTIMEZONE and warms its connection


def prepare(url: str) -> tuple[str, datetime, int, int]:
    """The clinic, the moment it is served as of, the clinician with a ~1,500-session feed; returns a token."""
    from bench import synthetic
    from planner.db.models import Session, SessionStaff
    from planner.domain.calendar import to_utc
    from planner.domain.messages import STAFF
    from planner.extensions import db
    from planner.services import SYSTEM
    from planner.services.feeds import FeedOwner, _SHOWN, _window, issue_feed_token

    app, clinic, _ = synthetic.create(url, 2, check=False)
    moment = to_utc(clinic.first + timedelta(days=8), time(12), clinic.zone)
    first, end = _window(moment)
    with app.app_context():
        counts = db.session.execute(
            select(SessionStaff.staff_id, func.count()).join(Session, Session.id == SessionStaff.session_id)
            .where(Session.status.in_(_SHOWN), Session.starts_at >= first, Session.starts_at < end)
            .group_by(SessionStaff.staff_id)).all()
        staff_id, sessions = min(counts, key=lambda c: abs(c[1] - WANTED))
        token = issue_feed_token(FeedOwner(STAFF, staff_id), SYSTEM, moment)
        db.engine.dispose()
    return token, moment, staff_id, sessions


def in_process(url: str, moment: datetime, staff_id: int, runs: int) -> list[float]:
    """calendar_feed for the clinician, built afresh each time (as after a change): the read and the file, no HTTP."""
    from bench.common import migrated_app
    from planner.domain.messages import STAFF
    from planner.extensions import db
    from planner.services import feeds
    from planner.services.feeds import FeedOwner, calendar_feed

    app = migrated_app(url)
    times = []
    with app.app_context():
        for _ in range(runs + 3):
            feeds._built.clear()  # each run builds, as the first poll after a change does
            began = timer.perf_counter()
            calendar_feed(FeedOwner(STAFF, staff_id), moment, "appointments@bench.example", "bench.example")
            times.append(timer.perf_counter() - began)
        db.engine.dispose()
    return times[3:]


def get(port: int, path: str, headers: dict) -> tuple[int, bytes, dict, float]:
    """One GET on a new connection (gunicorn's sync workers close each one): status, body, headers, seconds."""
    began = timer.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        answer = conn.getresponse()
        body = answer.read()
        return answer.status, body, dict(answer.getheaders()), timer.perf_counter() - began
    finally:
        conn.close()


def run(kind: str, url: str, requests: int) -> None:
    began = timer.perf_counter()
    token, moment, staff_id, sessions = prepare(url)
    print(f"[{kind}] staff member {staff_id}'s feed as of {moment:%Y-%m-%d %H:%M} UTC: {sessions:,} sessions; "
          f"set up in {timer.perf_counter() - began:.0f} s", flush=True)
    port = _port()
    path = f"/feeds/{token}.ics"
    env = {"DATABASE_URL": url, "PLANNER_ENV": "development", "SECRET_KEY": "bench", "BENCH_NOW": moment.isoformat()}
    log_path = Path(tempfile.gettempdir()) / f"bench_feed_{kind}_gunicorn.log"
    with open(log_path, "w") as log:
        server = serve("bench.fixed_clock_app:app", port, log, env, probe="/login")
        try:
            for _ in range(WARM_UP):
                get(port, path, {})
            full, conditional = [], []
            status, body, headers, _ = get(port, path, {})
            events, size = body.count(b"BEGIN:VEVENT"), len(body)
            etag = headers.get("ETag")
            if status != 200 or events != sessions or not etag:
                raise SystemExit(f"the feed answered {status} with {events} events (wanted {sessions}), ETag {etag}")
            for _ in range(requests):
                status, body, headers, seconds = get(port, path, {})
                if status != 200 or headers.get("ETag") != etag:
                    raise SystemExit(f"a full GET answered {status}, ETag {headers.get('ETag')}")
                full.append(seconds)
            for _ in range(requests):
                status, body, _, seconds = get(port, path, {"If-None-Match": etag})
                if status != 304 or body:
                    raise SystemExit(f"a conditional GET answered {status} with {len(body)} bytes")
                conditional.append(seconds)
        finally:
            stop(server)
    built = in_process(url, moment, staff_id, 30)
    for label, figures in ((f"200 ({events:,} VEVENTs, {size / 1024:.0f} KiB)", summary(full)),
                           ("304 (If-None-Match)", summary(conditional)),
                           ("built after a change, in process", summary(built))):
        print(f"  {label:34} n {figures['n']}, p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, "
              f"p99 {figures['p99']:.1f} ms, max {figures['max']:.1f} ms")
    print(f"  target: p95 < 50 ms; {load()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(f"A clinician's feed over HTTP (gunicorn -w 4, one request at a time); {machine()}")
    with databases() as make:
        for kind in args.dbs.split(","):
            run(kind, make(kind, "bench_feed"), args.requests)


if __name__ == "__main__":
    main()
