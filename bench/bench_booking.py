"""The booking decision and the free-window search, on SQLite and PostgreSQL, at 15k and 150k sessions.

(a) book_session, the whole service call (transaction, lock, loading the state near the window,
    the rules, and the insert and commit when accepted), for random requests in the busy window:
    half are placements the planner's own fit_at finds free (accepted), half are random chair,
    staff, patient and time (mostly refused: chair taken, staff at capacity, patient busy).
    An accepted session is deleted again, untimed, so every request sees the same clinic.
(b) find_free_windows over 4 weeks for the IV type from a random day of the window.

Each database is filled once per scale; the measured window's rows are identical at both scales,
so the 150k/15k ratio shows what table size costs. The timed calls are split into rounds, each in
a fresh process, and the two scales take turns round by round, so that other work on the machine
weighs on both alike. `now` is fixed (the day before the window), the random seed too.

    python -m bench.bench_booking                       # everything, ~5 minutes
    python -m bench.bench_booking --dbs sqlite --scales 1 --book 300 --search 50
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time as timer
from datetime import time, timedelta

from bench.common import DATABASES, databases, machine, summary

SEED = 7
WARM_BOOK, WARM_SEARCH = 20, 3
TARGET_BOOK_P95, TARGET_SEARCH_P95 = 15.0, 50.0


def _orders(session, clinic, count: int, rng: random.Random):
    """Booking requests in the window: alternately a free placement (fit_at) and a random one."""
    from planner.db.reads import fresh as rows
    from planner.domain.availability import fit_at
    from planner.domain.calendar import to_utc
    from planner.domain.intervals import Interval
    from planner.services.booking import SessionOrder
    from bench.synthetic import _open_days

    site = rows.site_rules(session, clinic.site_id)
    stype = rows.load_session_type(session, clinic.iv_type_id)
    days = _open_days(clinic.first, clinic.last)
    latest = (14 * 60 - stype.duration.seconds // 60) // 15  # last start on the 15-minute grid
    states: dict = {}
    orders = []
    while len(orders) < count:
        day = rng.choice(days)
        start = to_utc(day, time(7), clinic.zone) + timedelta(minutes=15 * rng.randint(0, latest))
        patient = rng.choice(clinic.patients)
        if len(orders) % 2 == 0:
            if day not in states:
                span = Interval(to_utc(day, time(0), clinic.zone), to_utc(day + timedelta(days=1), time(0), clinic.zone))
                states[day] = rows.reference(session, site, span, None)
            fit = fit_at(stype, states[day], start, patient)
            if fit is None:
                continue
            orders.append(SessionOrder(patient, clinic.site_id, clinic.iv_type_id, start, fit.room_id,
                                       tuple((p.staff_id, p.role) for p in fit.placements)))
        else:
            staff = ((rng.choice(clinic.prescribers), "supervising_prescriber"),
                     (rng.choice(clinic.nurses), "monitoring_clinician"))
            orders.append(SessionOrder(patient, clinic.site_id, clinic.iv_type_id, start, rng.choice(clinic.chairs),
                                       staff))
    session.rollback()
    return orders


def _undo(session, session_id: int) -> None:
    """Remove an accepted booking, its audit event and the messages it queued, so the next request sees the same clinic."""
    from sqlalchemy import text

    session.rollback()
    session.execute(text("DELETE FROM outbox_events WHERE message_id IN "
                         "(SELECT id FROM outbox_messages WHERE session_id = :id)"), {"id": session_id})
    session.execute(text("DELETE FROM outbox_messages WHERE session_id = :id"), {"id": session_id})
    session.execute(text("DELETE FROM audit_events WHERE entity = 'session' AND entity_id = :id"), {"id": str(session_id)})
    session.execute(text("DELETE FROM session_staff WHERE session_id = :id"), {"id": session_id})
    session.execute(text("DELETE FROM sessions WHERE id = :id"), {"id": session_id})
    session.commit()


def build(url: str, scale: int) -> dict:
    """Migrate and fill the database at url; returns what was built."""
    from sqlalchemy import func, select

    from bench import synthetic
    from planner.db.models import Session
    from planner.extensions import db

    app, clinic, built = synthetic.create(url, scale)
    with app.app_context():
        with db.engine.connect() as conn:
            assert synthetic.load_clinic(conn) == clinic, "the clinic does not read back as it was built"
            total = conn.scalar(select(func.count()).select_from(Session))
        db.engine.dispose()
    return {"sessions": total, "built_s": built}


def measure(url: str, book: int, search: int, part: int, parts: int) -> dict:
    """Time part `part` of `parts` of the requests and searches on a built clinic; returns raw timings.

    Every part builds the same request list (fixed seed) and times its own slice of it, after
    untimed warm-up calls, so parts taken in turns from two databases see the same requests.
    """
    from sqlalchemy import func, select

    from bench import synthetic
    from planner import create_app
    from planner.db import reads
    from planner.db.models import Session
    from planner.domain.calendar import to_utc
    from planner.domain.errors import BookingRefused
    from planner.extensions import db
    from planner.services import Actor
    from planner.services.availability import find_free_windows
    from planner.services.booking import book_session

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    actor = Actor("bench", None, "127.0.0.1")
    rng = random.Random(SEED)
    out: dict = {"book": [], "search": [], "week": [], "after_booking": [], "cold": [], "reasons": {}}
    accepted = []
    with app.app_context():
        clinic = synthetic.load_clinic(db.session.connection())
        now = to_utc(clinic.first - timedelta(days=1), time(12), clinic.zone)
        total = db.session.scalar(select(func.count()).select_from(Session))
        warm, orders = WARM_BOOK, _orders(db.session, clinic, WARM_BOOK + book, rng)
        firsts = [clinic.first + timedelta(days=rng.randint(0, 8 * 7)) for _ in range(WARM_SEARCH + search)]
        weeks = [clinic.first + timedelta(days=rng.randint(0, 11 * 7)) for _ in range(WARM_SEARCH + search)]
        mine = list(range(warm + part, warm + book, parts))
        for index in [*range(warm), *mine]:
            cpu, began = timer.process_time(), timer.perf_counter()
            try:
                session_id, outcome = book_session(orders[index], actor, now), "accepted"
            except BookingRefused as refused:
                session_id, outcome = None, "refused"
                if index >= warm:
                    for reason in refused.reasons:
                        out["reasons"][reason.code] = out["reasons"].get(reason.code, 0) + 1
            took, cpu = timer.perf_counter() - began, timer.process_time() - cpu
            if index >= warm:  # the warm-up fills caches and the connection pool
                out["book"].append((took, cpu, outcome))
            if session_id is not None:
                accepted.append(orders[index])
                _undo(db.session, session_id)
        after = db.session.scalar(select(func.count()).select_from(Session))
        assert after == total, f"the benchmark left {after - total} sessions behind"
        mine = list(range(WARM_SEARCH + part, WARM_SEARCH + search, parts))
        # A running server has answered searches over these weeks before; the bookings timed above
        # (each undone) have made every day they touched stale again.
        find_free_windows(clinic.site_id, clinic.iv_type_id, clinic.first, clinic.last, now)
        for index in [*range(WARM_SEARCH), *mine]:
            cpu, began = timer.process_time(), timer.perf_counter()
            found = find_free_windows(clinic.site_id, clinic.iv_type_id, firsts[index],
                                      firsts[index] + timedelta(days=27), now)
            took, cpu = timer.perf_counter() - began, timer.process_time() - cpu
            if index >= WARM_SEARCH:
                out["search"].append((took, cpu, len(found)))
        for index in [*range(WARM_SEARCH), *mine]:
            # One week, to show that the cost follows the span searched, not the size of the table.
            began = timer.perf_counter()
            find_free_windows(clinic.site_id, clinic.iv_type_id, weeks[index], weeks[index] + timedelta(days=6), now)
            if index >= WARM_SEARCH:
                out["week"].append(timer.perf_counter() - began)
        for index in mine:
            # Reception's rhythm: a booking lands inside the searched weeks between two searches,
            # so the day it touches is worked out again and the rest comes from the cache.
            first = firsts[index]
            inside = [o for o in accepted if first <= o.start.date() <= first + timedelta(days=26)]
            booked = book_session(rng.choice(inside), actor, now) if inside else None
            began = timer.perf_counter()
            find_free_windows(clinic.site_id, clinic.iv_type_id, first, first + timedelta(days=27), now)
            out["after_booking"].append(timer.perf_counter() - began)
            if booked is not None:
                _undo(db.session, booked)
        for index in mine:
            # A process that has never searched (just started, or every piece stale).
            reads.forget_kept()
            began = timer.perf_counter()
            find_free_windows(clinic.site_id, clinic.iv_type_id, firsts[index], firsts[index] + timedelta(days=27), now)
            out["cold"].append(timer.perf_counter() - began)
        db.engine.dispose()
    out["load"] = os.getloadavg()[0]
    return out


def _figures(kind: str, scale: int, built: dict, parts: list[dict]) -> dict:
    """One (database, scale) from its parts: percentiles over every timed call."""
    book = [b for p in parts for b in p["book"]]
    search = [s for p in parts for s in p["search"]]
    reasons: dict[str, int] = {}
    for p in parts:
        for code, n in p["reasons"].items():
            reasons[code] = reasons.get(code, 0) + n
    return {"db": kind, "scale": scale, **built,
            "book": summary([t for t, _, _ in book]),
            "accepted": summary([t for t, _, o in book if o == "accepted"]),
            "refused": summary([t for t, _, o in book if o == "refused"]),
            "book_cpu": summary([c for _, c, _ in book]), "reasons": reasons,
            "search": summary([t for t, _, _ in search]), "search_cpu": summary([c for _, c, _ in search]),
            "search_week": summary([t for p in parts for t in p["week"]]),
            "search_after_booking": summary([t for p in parts for t in p["after_booking"]]),
            "search_cold": summary([t for p in parts for t in p["cold"]]),
            "windows_found": sum(n for _, _, n in search) / max(1, len(search)),
            "load": f"load {min(p['load'] for p in parts):.1f}-{max(p['load'] for p in parts):.1f} "
                    f"on {os.cpu_count()} cores"}


def _row(r: dict) -> str:
    b, s = r["book"], r["search"]
    return (f"| {r['db']:<10} | {r['sessions']:>8,} | {b['p50']:6.1f} | {b['p95']:6.1f} | {b['p99']:6.1f} "
            f"| {r['accepted']['p95']:6.1f} / {r['refused']['p95']:6.1f} | {r['book_cpu']['p50']:6.1f} "
            f"| {s['p50']:7.1f} | {s['p95']:7.1f} | {r['search_cpu']['p50']:7.1f} "
            f"| {r['search_week']['p50']:6.1f} | {r['search_week']['p95']:6.1f} |")


def report(results: list[dict]) -> None:
    """The figures as a Markdown table, the 150k/15k ratios and the verdict on each target."""
    print()
    print(f"Booking decision (book_session, n={results[0]['book']['n']}) and free-window search "
          f"(find_free_windows, 4 weeks, n={results[0]['search']['n']}), milliseconds")
    print()
    print("| database   | sessions | book p50 | p95 | p99 | p95 accepted / refused | CPU p50 "
          "| 4-week search p50 | p95 | CPU p50 | 1-week p50 | p95 |")
    print("|------------|---------:|------:|------:|------:|------------:|------:|-------:|-------:|-------:|------:|------:|")
    for r in results:
        print(_row(r))
    print()
    print("Four-week search by what the process holds, milliseconds: repeated searches, a booking inside the")
    print("searched weeks before each search, and a process holding nothing (every piece read and worked out)")
    print()
    print("| database   | sessions | repeated p50 | p95 | after a booking p50 | p95 | cold p50 | p95 |")
    print("|------------|---------:|------:|------:|------:|------:|------:|------:|")
    for r in results:
        s, a, c = r["search"], r["search_after_booking"], r["search_cold"]
        print(f"| {r['db']:<10} | {r['sessions']:>8,} | {s['p50']:6.1f} | {s['p95']:6.1f} | {a['p50']:6.1f} "
              f"| {a['p95']:6.1f} | {c['p50']:6.1f} | {c['p95']:6.1f} |")
    print()
    print("CPU p50: CPU time of the benchmark process per call (on PostgreSQL the server's share is not in it);")
    print("wall time well above it means the process waited: for the machine, the disk or the server.")
    print()
    for kind in sorted({r["db"] for r in results}):
        by_scale = {r["scale"]: r for r in results if r["db"] == kind}
        if 1 in by_scale and len(by_scale) > 1:
            small, big = by_scale[1], by_scale[max(by_scale)]
            print(f"{kind}: {big['sessions']:,} / {small['sessions']:,} sessions -> "
                  f"book p50 x{big['book']['p50'] / small['book']['p50']:.2f}, "
                  f"p95 x{big['book']['p95'] / small['book']['p95']:.2f}; "
                  f"search p50 x{big['search']['p50'] / small['search']['p50']:.2f}, "
                  f"p95 x{big['search']['p95'] / small['search']['p95']:.2f}")
    print()
    for r in results:
        book_ok = "met" if r["book"]["p95"] < TARGET_BOOK_P95 else "MISSED"
        # Judged on the slower of repeated searches and searches after a booking; cold is shown above.
        search_p95 = max(r["search"]["p95"], r["search_after_booking"]["p95"])
        search_ok = "met" if search_p95 < TARGET_SEARCH_P95 else "MISSED"
        refusals = ", ".join(f"{code} {n}" for code, n in sorted(r["reasons"].items(), key=lambda i: -i[1]))
        print(f"{r['db']} {r['sessions']:,}: booking p95 < {TARGET_BOOK_P95:.0f} ms {book_ok}; "
              f"search p95 < {TARGET_SEARCH_P95:.0f} ms {search_ok}; "
              f"accepted {r['accepted']['n']}, refused {r['refused']['n']} ({refusals}); "
              f"{r['windows_found']:.0f} free windows per search; clinic written in {r['built_s']:.0f} s; {r['load']}")


def _child(*args: str) -> dict:
    child = subprocess.run([sys.executable, "-m", "bench.bench_booking", *args], capture_output=True, text=True)
    if child.returncode != 0:
        sys.stderr.write(child.stderr)
        raise SystemExit(f"bench_booking {' '.join(args[:2])} failed")
    lines = child.stdout.strip().splitlines()
    if lines[:-1]:
        print("\n".join(lines[:-1]), flush=True)
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--book", type=int, default=400, help="booking requests timed per database and scale")
    parser.add_argument("--search", type=int, default=60, help="searches timed per database and scale")
    parser.add_argument("--rounds", type=int, default=4, help="turns the scales take, to even out the machine's load")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--build", help=argparse.SUPPRESS)  # child: URL of a database to fill (--scales N)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child: URL of a filled database
    parser.add_argument("--part", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build(args.build, int(args.scales))))
        return
    if args.measure:
        print(json.dumps(measure(args.measure, args.book, args.search, args.part, args.rounds)))
        return
    print(machine(), flush=True)
    scales = [int(s) for s in args.scales.split(",")]
    results = []
    with databases(args.dbs.split(",")) as make:
        for kind in args.dbs.split(","):
            urls, built = {}, {}
            for scale in scales:
                urls[scale] = make(kind, f"bench_booking_{scale}")
                print(f"-- {kind} at scale {scale}", flush=True)
                built[scale] = _child("--build", urls[scale], "--scales", str(scale))
            parts: dict[int, list] = {scale: [] for scale in scales}
            for part in range(args.rounds):
                # The scales take turns, in alternating order, so a busy spell on the machine
                # falls on both rather than on one of them.
                for scale in scales if part % 2 == 0 else scales[::-1]:
                    parts[scale].append(_child("--measure", urls[scale], "--part", str(part), "--rounds",
                                               str(args.rounds), "--book", str(args.book), "--search",
                                               str(args.search)))
            print(f"   measured in {args.rounds} rounds, scales taking turns", flush=True)
            results += [_figures(kind, scale, built[scale], parts[scale]) for scale in scales]
    report(results)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
