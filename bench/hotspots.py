"""Where the time goes: cProfile over the booking decision or the free-window search on the synthetic clinic.

    python -m bench.hotspots book                      # SQLite, 200 booking requests
    python -m bench.hotspots search --db postgresql    # 10 four-week searches
    python -m bench.hotspots search --sql              # also every statement with its time, for one call

Prints the functions of planner/ by cumulative time, then everything by own time. Not part of
run_all.sh: it is for finding the next thing to fix once a figure misses its target.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import time as timer
from datetime import time, timedelta

from bench.common import databases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("book", "search"))
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--n", type=int, help="calls profiled (200 bookings or 10 searches)")
    parser.add_argument("--sql", action="store_true", help="list the statements of one call with their times")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    from bench import synthetic
    from bench.bench_booking import _orders, _undo
    from planner.domain.calendar import to_utc
    from planner.domain.errors import BookingRefused
    from planner.extensions import db
    from planner.services import Actor
    from planner.services.availability import find_free_windows
    from planner.services.booking import book_session

    with databases([args.db]) as make:
        app, clinic, _ = synthetic.create(make(args.db, "bench_profile"), args.scale, check=False)
        now = to_utc(clinic.first - timedelta(days=1), time(12), clinic.zone)
        rng = random.Random(5)
        with app.app_context():
            if args.what == "book":
                orders = _orders(db.session, clinic, (args.n or 200) + 20, rng)

                def call(index: int) -> None:
                    try:
                        session_id = book_session(orders[index], Actor("bench"), now)
                    except BookingRefused:
                        return
                    _undo(db.session, session_id)
            else:
                firsts = [clinic.first + timedelta(days=rng.randint(0, 56)) for _ in range((args.n or 10) + 20)]

                def call(index: int) -> None:
                    find_free_windows(clinic.site_id, clinic.iv_type_id, firsts[index], firsts[index] + timedelta(days=27),
                                      now)

            for index in range(20):
                call(index)
            if args.sql:
                _statements(db.engine, lambda: call(20))
            profile = cProfile.Profile()
            began = timer.perf_counter()
            profile.enable()
            for index in range(20, 20 + (args.n or (200 if args.what == "book" else 10))):
                call(index)
            profile.disable()
            took = timer.perf_counter() - began
            db.engine.dispose()
    calls = args.n or (200 if args.what == "book" else 10)
    print(f"{calls} calls in {took:.2f} s under the profiler ({1000 * took / calls:.1f} ms a call; "
          "unprofiled calls are faster)")
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats("planner/", args.top)
    stats.sort_stats("tottime").print_stats(args.top)


def _statements(engine, call) -> None:
    from sqlalchemy import event

    log = []

    def before(conn, _cursor, _statement, _params, _context, _many):
        conn.info["bench_began"] = timer.perf_counter()

    def after(conn, _cursor, statement, _params, _context, _many):
        log.append((timer.perf_counter() - conn.info.pop("bench_began"), " ".join(statement.split())))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    began = timer.perf_counter()
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    total = timer.perf_counter() - began
    print(f"one call: {1000 * total:.1f} ms, {len(log)} statements through SQLAlchemy, "
          f"{1000 * sum(t for t, _ in log):.1f} ms in execute. Not listed: reads on the bare driver cursor "
          "(planner/db/reads/sql.py). On SQLite rows are read after execute returns, so fetching is not in it.")
    for took, statement in log:
        print(f"  {1000 * took:6.2f} ms  {statement[:140]}")
    print()


if __name__ == "__main__":
    main()
