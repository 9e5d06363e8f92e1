"""Changing a busy person's set-up on the busy synthetic clinic: each change re-checks the sessions it could break.

The busy synthetic clinic (bench/synthetic.py, one site, ~15,000 sessions in 12 weeks) at scale 1
or more, as of 06:00 on the window's first day, so the whole window is still to come. The person
is the prescriber placed in the most sessions of the window (about 1,000: every one of them is
re-checked when a dated thing changes). Through the services, one change at a time, CHANGES times each:

- a shift edit that keeps cover: their shift on their busiest day ends a minute later, then back
  (checks the sessions within the shift);
- time off refused over that busiest day (CoverBroken naming each session; nothing written);
- a credential edit that keeps cover: their licence number, then back (checks every session to come);
- a staff edit that keeps cover: their disciplines given again in the other order (every session to come).

No target is set for these in issue 12; the figures show what an admin waits for.

    python -m bench.bench_setup_changes                          # SQLite and PostgreSQL, scale 1, 20 of each
    python -m bench.bench_setup_changes --dbs sqlite --changes 10
"""

from __future__ import annotations

import argparse
import time as timer
from collections import Counter
from datetime import time, timedelta

from sqlalchemy import func, select

from bench.common import DATABASES, databases, load, machine, summary

WARM_UP = 2


def timed(change, changes: int) -> list[float]:
    """Wall seconds of each of changes calls of change(i), after WARM_UP untimed ones."""
    for i in range(WARM_UP):
        change(i)
    seconds = []
    for i in range(changes):
        began = timer.perf_counter()
        change(i)
        seconds.append(timer.perf_counter() - began)
    return seconds


def run(kind: str, url: str, scale: int, changes: int) -> dict:
    from bench import synthetic
    from planner.db.models import Credential, Session, SessionStaff, Shift, Staff
    from planner.domain.calendar import to_utc
    from planner.domain.errors import CoverBroken
    from planner.extensions import db
    from planner.services import SYSTEM
    from planner.services.change_inputs import CredentialChange, ShiftChange, StaffChange
    from planner.services.clinic_setup import create_time_off
    from planner.services.inputs import TimeOffIn
    from planner.services.staff_edits import change_credential, change_shift
    from planner.services.staff_members import change_staff

    app, clinic, _ = synthetic.create(url, scale, quiet=True, check=False)
    now = to_utc(clinic.first, time(6), clinic.zone)
    with app.app_context():
        start, end = now, to_utc(clinic.last + timedelta(days=1), time(0), clinic.zone)
        placed = Counter(dict(db.session.execute(
            select(SessionStaff.staff_id, func.count()).join(Session, Session.id == SessionStaff.session_id)
            .where(Session.starts_at >= start, Session.starts_at < end, Session.status != "cancelled",
                   SessionStaff.staff_id.in_(clinic.prescribers)).group_by(SessionStaff.staff_id)).all()))
        person, sessions = placed.most_common(1)[0]
        days = Counter(at.date() for at in db.session.scalars(
            select(Session.starts_at).join(SessionStaff, SessionStaff.session_id == Session.id)
            .where(SessionStaff.staff_id == person, Session.starts_at >= start, Session.starts_at < end)))
        busiest = days.most_common(1)[0][0]
        shift = next(s for s in db.session.scalars(select(Shift).where(Shift.staff_id == person,
                                                                       Shift.starts_at >= start - timedelta(days=1)))
                     if s.starts_at.date() == busiest)
        shift_id, shift_end = shift.id, shift.ends_at
        licence = db.session.scalar(select(Credential.id).where(Credential.staff_id == person,
                                                               Credential.kind == "licence"))
        disciplines = list(db.session.get(Staff, person).disciplines)
        db.session.rollback()

        def refused_leave(_):
            try:
                create_time_off(person, TimeOffIn(starts_at=shift.starts_at, ends_at=shift_end), SYSTEM, now)
            except CoverBroken:
                return
            raise AssertionError("time off over a full day of sessions was accepted")

        figures = {
            "shift edit (kept cover)": timed(lambda i: change_shift(person, shift_id, ShiftChange(
                ends_at=shift_end + timedelta(minutes=i % 2)), SYSTEM, now), changes),
            "time off refused": timed(refused_leave, changes),
            "credential edit (kept cover)": timed(lambda i: change_credential(person, licence, CredentialChange(
                number=f"L-{i % 2}"), SYSTEM, now), changes),
            "staff edit (kept cover)": timed(lambda i: change_staff(person, StaffChange(
                disciplines=disciplines[::-1] if i % 2 else disciplines), SYSTEM, now), changes),
        }
        db.session.remove()
        db.engine.dispose()
    return {"kind": kind, "scale": scale, "sessions": sessions, "day": days[busiest], "load": load(),
            "figures": {name: summary(wall) for name, wall in figures.items()}}


def report(results: list[dict]) -> None:
    print()
    print("| database | scale | what | their sessions ahead | on the day | n | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for name, f in r["figures"].items():
            print(f"| {r['kind']} | {r['scale']} | {name} | {r['sessions']} | {r['day']} | {f['n']} | "
                  f"{f['p50']:.1f} | {f['p95']:.1f} | {f['max']:.1f} |")
    for r in results:
        print(f"{r['kind']} scale {r['scale']}: measured under {r['load']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--scales", default="1")
    parser.add_argument("--changes", type=int, default=20, help="timed changes of each kind")
    args = parser.parse_args()
    print(machine(), flush=True)
    results = []
    with databases(args.dbs.split(",")) as make:
        for kind in args.dbs.split(","):
            for scale in (int(s) for s in args.scales.split(",")):
                print(f"-- {kind} at scale {scale}", flush=True)
                results.append(run(kind, make(kind, f"bench_setup_changes_{scale}"), scale, args.changes))
    report(results)


if __name__ == "__main__":
    main()
