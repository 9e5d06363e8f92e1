"""A clinician's calendar feed served end to end over HTTP: GET /feeds/<token>.ics, and the conditional GET.

The busy synthetic clinic (bench/synthetic.py) at scale 2: 12 weeks of history before a 12-week
window of about 15,000 sessions. The app is served by `gunicorn -w 4` as of a fixed day inside
the window (bench/fixed_clock_app.py), so a feed (31 days back, 400 days ahead) holds a month of
fulfilled sessions and the window ahead. The clinician is the one whose feed is nearest 1,500
sessions, a busy prescriber's year. Their token comes from `issue_feed_token`, as the My calendar
page issues it.

One client asks one request at a time (what a calendar app polling does; no queueing in the
figures): REQUESTS full GETs, each answer a 200 whose VEVENTs are counted, then REQUESTS
conditional GETs with the ETag it got (If-None-Match), each a 304. Then the polls that follow a
change, CHANGES of each kind, the change written by this process between two requests:

- elsewhere: a session of the same day as one of the clinician's, not theirs, is touched (its
  status written again, which raises its date's change marks as any edit does); then a full GET,
  which rebuilds the feed (its bytes must be the same), and after another such change a
  conditional GET, which must be a 304;
- own: one of the clinician's sessions moves five minutes earlier (or back), its SEQUENCE and
  last change rising as a reschedule makes them; then a full GET, whose ETag must be new.

Before timing, WARM_UP requests let every gunicorn worker build the feed once, as a worker that
has served a clinician before has. The target (issue 10) is a p95 under 50 ms for all of them.
For reference, the same feed built in this process by one that kept nothing (a worker's first
poll for this clinician; calendar_feed, no HTTP).

    python -m bench.bench_feed                      # SQLite and PostgreSQL, 200 requests, 100 changes of each kind
    python -m bench.bench_feed --dbs sqlite --requests 50 --changes 20
"""

from __future__ import annotations

import argparse
import http.client
import tempfile
import time as timer
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from bench.bench_http import _port
from bench.bench_reads import serve, stop
from bench.common import DATABASES, databases, load, machine, summary
from planner.db.models import Session, SessionStaff

WANTED = 1500
WARM_UP = 40  # every one of the 4 workers gets some (each builds the feed once, warms its connection)
FROM = "appointments@bench.example"


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
    """calendar_feed for the clinician by a process that kept nothing (a worker's first poll for them), no HTTP."""
    from bench.common import migrated_app
    from planner.domain.messages import STAFF
    from planner.extensions import db
    from planner.services.feeds import FeedOwner, calendar_feed, forget_kept_feeds

    app = migrated_app(url)
    times = []
    with app.app_context():
        for _ in range(runs + 3):
            forget_kept_feeds()
            began = timer.perf_counter()
            calendar_feed(FeedOwner(STAFF, staff_id), moment, FROM, "bench.example")
            times.append(timer.perf_counter() - began)
        db.engine.dispose()
    return times[3:]


class Changes:
    """Writes the changes between polls: another clinician's session touched, or one of this one's moved."""

    def __init__(self, url: str, moment: datetime, staff_id: int):
        from bench.common import migrated_app
        from planner.services.feeds import _SHOWN, _window

        self.app, self.moment = migrated_app(url), moment
        first, end = _window(moment)
        with self.app.app_context():
            from planner.extensions import db

            mine = select(SessionStaff.session_id).where(SessionStaff.staff_id == staff_id)
            ahead = (Session.status == "booked", Session.starts_at > moment, Session.starts_at < end)
            candidates = db.session.execute(select(Session.id, Session.starts_at, Session.ends_at, Session.room_id,
                                                   Session.patient_id).where(Session.id.in_(mine), *ahead)
                                            .order_by(Session.starts_at).limit(400)).all()
            # Only sessions that can move five minutes earlier: no other live session in their room or of
            # their patient then (PostgreSQL's exclusion constraints would refuse the move).
            self.own = [row.id for row in candidates if not db.session.scalar(
                select(func.count()).where(Session.id != row.id, Session.status.in_(_SHOWN),
                                           (Session.room_id == row.room_id) | (Session.patient_id == row.patient_id),
                                           Session.starts_at < row.ends_at,
                                           Session.ends_at > row.starts_at - timedelta(minutes=5)))][:100]
            days = {row.starts_at.date() for row in candidates}
            others = db.session.execute(select(Session.id, Session.starts_at).where(
                Session.id.not_in(mine), Session.status.in_(_SHOWN), Session.starts_at >= first, *ahead[1:])
                .order_by(Session.starts_at)).all()
            self.elsewhere = [i for i, start in others if start.date() in days][:100]
            db.session.rollback()
        if not self.own or not self.elsewhere:
            raise SystemExit("no sessions to change")
        self.touched = self.moved = 0

    def elsewhere_touched(self) -> None:
        """Another clinician's session on one of this one's days is written again (its marks rise)."""
        from planner.extensions import db

        with self.app.app_context():
            # status listed in the UPDATE, as every edit of a session lists what it sets: the trigger fires.
            db.session.execute(update(Session).where(Session.id == self.elsewhere[self.touched % len(self.elsewhere)])
                               .values(status=Session.status))
            db.session.commit()
        self.touched += 1

    def own_moved(self) -> None:
        """One of this clinician's sessions moves five minutes earlier (or back again), with a new SEQUENCE."""
        from planner.extensions import db

        with self.app.app_context():
            row = db.session.get(Session, self.own[self.moved % len(self.own)])
            step = timedelta(minutes=-5 if (self.moved // len(self.own)) % 2 == 0 else 5)
            row.starts_at, row.ends_at = row.starts_at + step, row.ends_at + step
            row.sequence, row.version, row.updated_at = row.sequence + 1, row.version + 1, self.moment
            db.session.commit()
        self.moved += 1

    def close(self) -> None:
        from planner.extensions import db

        with self.app.app_context():
            db.engine.dispose()


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


def run(kind: str, url: str, requests: int, changes: int) -> None:
    began = timer.perf_counter()
    token, moment, staff_id, sessions = prepare(url)
    print(f"[{kind}] staff member {staff_id}'s feed as of {moment:%Y-%m-%d %H:%M} UTC: {sessions:,} sessions; "
          f"set up in {timer.perf_counter() - began:.0f} s", flush=True)
    port = _port()
    path = f"/feeds/{token}.ics"
    env = {"DATABASE_URL": url, "PLANNER_ENV": "development", "SECRET_KEY": "bench", "BENCH_NOW": moment.isoformat()}
    log_path = Path(tempfile.gettempdir()) / f"bench_feed_{kind}_gunicorn.log"
    change = Changes(url, moment, staff_id)
    figures: dict[str, list[float]] = {}
    with open(log_path, "w") as log:
        server = serve("bench.fixed_clock_app:app", port, log, env, probe="/login")
        try:
            for _ in range(WARM_UP):
                get(port, path, {})
            status, body, headers, _ = get(port, path, {})
            events, size = body.count(b"BEGIN:VEVENT"), len(body)
            etag = headers.get("ETag")
            if status != 200 or events != sessions or not etag:
                raise SystemExit(f"the feed answered {status} with {events} events (wanted {sessions}), ETag {etag}")
            full = figures.setdefault(f"200 ({events:,} VEVENTs, {size / 1024:.0f} KiB)", [])
            for _ in range(requests):
                status, body, headers, seconds = get(port, path, {})
                if status != 200 or headers.get("ETag") != etag:
                    raise SystemExit(f"a full GET answered {status}, ETag {headers.get('ETag')}")
                full.append(seconds)
            conditional = figures.setdefault("304 (If-None-Match)", [])
            for _ in range(requests):
                status, body, _, seconds = get(port, path, {"If-None-Match": etag})
                if status != 304 or body:
                    raise SystemExit(f"a conditional GET answered {status} with {len(body)} bytes")
                conditional.append(seconds)
            before = body = get(port, path, {})[1]
            elsewhere = figures.setdefault("200 after a change elsewhere", [])
            unchanged = figures.setdefault("304 after a change elsewhere", [])
            for _ in range(changes):
                change.elsewhere_touched()
                status, body, headers, seconds = get(port, path, {})
                if status != 200 or body != before or headers.get("ETag") != etag:
                    raise SystemExit(f"after a change elsewhere: {status}, the same bytes: {body == before}")
                elsewhere.append(seconds)
                change.elsewhere_touched()
                status, body, _, seconds = get(port, path, {"If-None-Match": etag})
                if status != 304:
                    raise SystemExit(f"a conditional GET after a change elsewhere answered {status}")
                unchanged.append(seconds)
            own = figures.setdefault("200 after one of theirs moved", [])
            for _ in range(changes):
                change.own_moved()
                status, body, headers, seconds = get(port, path, {})
                if status != 200 or headers.get("ETag") == etag or body.count(b"BEGIN:VEVENT") != sessions:
                    raise SystemExit(f"after one of theirs moved: {status}, ETag {headers.get('ETag')}")
                etag = headers["ETag"]
                own.append(seconds)
        finally:
            stop(server)
            change.close()
    figures["built by a process that kept nothing"] = in_process(url, moment, staff_id, 30)
    for label, times in figures.items():
        numbers = summary(times)
        print(f"  {label:38} n {numbers['n']}, p50 {numbers['p50']:.1f} ms, p95 {numbers['p95']:.1f} ms, "
              f"p99 {numbers['p99']:.1f} ms, max {numbers['max']:.1f} ms")
    print(f"  target: p95 < 50 ms; {load()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--changes", type=int, default=100, help="changes of each kind, each followed by a poll")
    args = parser.parse_args()
    print(f"A clinician's feed over HTTP (gunicorn -w 4, one request at a time); {machine()}")
    with databases() as make:
        for kind in args.dbs.split(","):
            run(kind, make(kind, "bench_feed"), args.requests, args.changes)


if __name__ == "__main__":
    main()
