"""Offers to move one booked session (move_offers: as if it were not there), busy clinic, one day.

On the busy synthetic clinic (bench/synthetic.py: 38 chairs at ~70 % use, 60 staff, ~15,000 IV
sessions in 12 weeks), for a random booked session of the window and its own local day, the call
the session page (/sessions/<id>?day=...) makes: move_offers(session, day, day, now) with the
default 20 offers. Unlike find_offers it cannot use the kept free windows (they count the session
being moved), so it works the day's windows out on the kept snapshot each time.

The front desk's target for offers (issue 11) is p95 under 50 ms for one day.

    python -m bench.bench_move_offers --dbs sqlite --calls 100
"""

from __future__ import annotations

import argparse
import random
import time as timer
from datetime import time, timedelta

from bench.common import DATABASES, databases, load, machine, summary

SEED, WARM = 12, 5
TARGET_P95 = 50.0


def measure(url: str, calls: int) -> dict:
    """Build the clinic at url and time move_offers for random booked sessions on their own day."""
    from sqlalchemy import select

    from bench import synthetic
    from planner.db.models import Session
    from planner.domain.calendar import local, to_utc
    from planner.extensions import db
    from planner.services.session_moves import move_offers

    app, clinic, built = synthetic.create(url, 1)
    rng = random.Random(SEED)
    out: dict = {"wall": [], "cpu": [], "offers": [], "built_s": built}
    with app.app_context():
        now = to_utc(clinic.first - timedelta(days=1), time(12), clinic.zone)
        ids = db.session.scalars(select(Session.id).where(Session.status == "booked", Session.starts_at > now)
                                 .order_by(Session.id)).all()
        picks = [rng.choice(ids) for _ in range(WARM + calls)]
        starts = dict(db.session.execute(select(Session.id, Session.starts_at).where(Session.id.in_(set(picks)))).all())
        db.session.rollback()
        for index, session_id in enumerate(picks):
            day = local(starts[session_id], clinic.zone).date()
            cpu, began = timer.process_time(), timer.perf_counter()
            found = move_offers(session_id, day, day, now)
            if index >= WARM:
                out["wall"].append(timer.perf_counter() - began)
                out["cpu"].append(timer.process_time() - cpu)
                out["offers"].append(len(found.found.offers))
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--calls", type=int, default=100, help="calls timed per database")
    args = parser.parse_args()
    print(machine(), flush=True)
    rows = []
    with databases(args.dbs.split(",")) as make:
        for kind in args.dbs.split(","):
            print(f"-- {kind}", flush=True)
            found = measure(make(kind, "bench_move_offers"), args.calls)
            rows.append((kind, summary(found["wall"]), summary(found["cpu"]),
                         sum(found["offers"]) / max(1, len(found["offers"])), load()))
    print()
    print(f"Offers to move a booked session on its own day (move_offers, 20 asked, n={args.calls}), milliseconds")
    print()
    print("| database   | wall p50 | p95 | CPU p50 | p95 | offers per call | target p95 |")
    print("|------------|------:|------:|------:|------:|------:|------:|")
    for kind, wall, cpu, mean, _ in rows:
        print(f"| {kind:<10} | {wall['p50']:6.1f} | {wall['p95']:6.1f} | {cpu['p50']:6.1f} | {cpu['p95']:6.1f} "
              f"| {mean:5.1f} | {TARGET_P95:.0f} |")
    print()
    for kind, _, _, _, when in rows:
        print(f"{kind}: {when}")


if __name__ == "__main__":
    main()
