"""A busy synthetic clinic, bulk-inserted with Core executemany (no ORM objects).

One site in New York open Mon-Sat 07:00-21:00, 38 infusion chairs and 6 therapy offices,
60 staff (12 prescribers, 30 RNs, 18 therapists) with credentials, a shift over the opening
hours for everyone on every open day, a day of leave per person every four weeks, and 12 weeks
(the measured window, from WINDOW_MONDAY) of about 15,000 IV dosing sessions (1 h 45) at ~70 %
chair use, each with a supervising prescriber and a monitoring nurse placed so that the rules
hold: no chair or patient is double booked, a nurse carries at most 2 patients at once and a
prescriber at most 4.

Why 38 chairs, not 20: 15,000 sessions of 1 h 45 in 12 weeks of 6 days x 14 h need
15,000 x 1.75 h / (71 open days x 14 h x 70 %) = 38 chairs; 20 chairs top out at 11,360 even when full.

--scale N adds (N - 1) x 12 weeks of history before the window (fulfilled, cancelled, no-show
sessions, shifts and leave), generated after the window with its own random stream, so the
window's rows, ids included, are identical at every scale: only the table size changes.

    python -m bench.synthetic --url sqlite:////tmp/clinic.sqlite3 --scale 10
"""

from __future__ import annotations

import argparse
import random
import time as timer
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, func, insert, select, text

from planner.db.models import (
    Closure, Credential, OpeningHours, Patient, Room, Session, SessionStaff, SessionType, Shift, Site, Staff,
    StaffingLimit, TimeOff,
)
from planner.domain.calendar import to_utc
from tests.factories import ESKETAMINE, INTEGRATION, IV_DOSING

# A fixed Monday, so every run books the same instants. It lies in the future so that the HTTP
# benchmark, which runs on the real clock, can book into it; the 12 weeks include the spring
# DST change (10 Mar 2030) and a holiday closure.
WINDOW_MONDAY = date(2030, 1, 7)
WEEKS = 12
ZONE = "America/New_York"
OPENS, CLOSES = time(7), time(21)
OPEN_WEEKDAYS = frozenset(range(6))  # Monday to Saturday
CLOSURES = (date(2030, 2, 18),)  # Presidents' Day
CHAIRS, OFFICES = 38, 6
MDS, NPS, NURSES, THERAPISTS = 8, 4, 30, 18
PATIENTS = 3000
SEED = 20300107
VALID_FROM, VALID_TO = date(2020, 1, 1), date(2035, 12, 31)

UNIT = timedelta(minutes=15)
IV_MINUTES = IV_DOSING["active_minutes"] + IV_DOSING["observation_minutes"]  # 105
IV_UNITS = IV_MINUTES // 15
LIMITS = {"supervising_prescriber": 4, "monitoring_clinician": 2}
CHUNK = 5000


@dataclass(frozen=True)
class Clinic:
    """What a benchmark needs to know about the generated clinic."""

    site_id: int
    iv_type_id: int
    chairs: tuple[int, ...]
    prescribers: tuple[int, ...]
    nurses: tuple[int, ...]
    therapists: tuple[int, ...]
    patients: tuple[int, ...]
    first: date  # first and last local day of the measured window
    last: date
    zone: str = ZONE


class _Writer:
    """Buffers rows per table and writes them in executemany chunks."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.rows: dict = {}
        self.ids: dict = {}
        self.counts: dict = {}

    def next_id(self, table) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def add(self, model, **row) -> int:
        table = model.__table__
        row.setdefault("id", self.next_id(table))
        self.rows.setdefault(table, []).append(row)
        if len(self.rows[table]) >= CHUNK:
            self.flush()
        return row["id"]

    def flush(self) -> None:
        # Every buffer at once, parents before children, so foreign keys always find their row.
        for t in sorted(self.rows, key=lambda t: list(t.metadata.sorted_tables).index(t)):
            batch = self.rows.pop(t, [])
            if batch:
                self.conn.execute(insert(t), batch)
                self.counts[t.name] = self.counts.get(t.name, 0) + len(batch)


def _chair_day(rng: random.Random, opens: datetime, closes: datetime) -> list[datetime]:
    """Start times on one chair for one day: 5 or 6 sessions, the slack spread in random gaps.

    6 sessions with probability 0.6 gives ~70 % use; gaps of 1 h 45 or more are left now and
    then, so some bookings still fit between sessions, as in a real, busy clinic.
    """
    count = 6 if rng.random() < 0.6 else 5
    slack = (closes - opens) // UNIT - count * IV_UNITS
    cuts = sorted(rng.randint(0, slack) for _ in range(count))
    starts, at, used = [], opens, 0
    for cut in cuts:
        at += (cut - used) * UNIT
        used = cut
        starts.append(at)
        at += IV_UNITS * UNIT
    return starts


def _pick(pool: list[int], state: dict, key: str, ends: dict[int, list[datetime]], start: datetime, limit: int,
          away: set[int]) -> int | None:
    """The next person round-robin who is not on leave and carries fewer than limit patients at start.

    Sessions of one day are placed in start order and all last as long, so everyone already placed
    who overlaps the new session is still busy at its start: the load at the start is the peak.
    """
    begin = state.get(key, 0)
    for step in range(len(pool)):
        index = (begin + step) % len(pool)
        person = pool[index]
        if person in away:
            continue
        busy = [end for end in ends.get(person, ()) if end > start]
        if len(busy) < limit:
            ends[person] = busy
            state[key] = index + 1
            return person
    return None


def _open_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() in OPEN_WEEKDAYS and day not in CLOSURES:
            days.append(day)
        day += timedelta(days=1)
    return days


def _leave(rng: random.Random, staff: list[int], days: list[date]) -> dict[date, set[int]]:
    """One open day of leave per person in every block of four weeks."""
    away: dict[date, set[int]] = {}
    blocks: dict[int, list[date]] = {}
    for day in days:
        blocks.setdefault((day - days[0]).days // 28, []).append(day)
    for block in blocks.values():
        for person in staff:
            away.setdefault(rng.choice(block), set()).add(person)
    return away


def _period(out: _Writer, rng: random.Random, clinic: Clinic, days: list[date], statuses: list[tuple[str, float]],
            patient_cursor: list[int]) -> int:
    """Shifts, leave, sessions and placements for a run of open days; returns the sessions written."""
    staff = [*clinic.prescribers, *clinic.nurses, *clinic.therapists]
    away = _leave(rng, staff, days)
    for day, people in away.items():
        for person in sorted(people):
            out.add(TimeOff, staff_id=person, starts_at=to_utc(day, time(0), ZONE),
                    ends_at=to_utc(day + timedelta(days=1), time(0), ZONE), reason="leave")
    written = 0
    turn: dict = {}
    for day in days:
        opens, closes = to_utc(day, OPENS, ZONE), to_utc(day, CLOSES, ZONE)
        for person in staff:
            out.add(Shift, staff_id=person, site_id=clinic.site_id, starts_at=opens, ends_at=closes)
        starts = sorted((start, chair) for chair in clinic.chairs for start in _chair_day(rng, opens, closes))
        ends: dict[int, list[datetime]] = {}
        off = away.get(day, set())
        for start, chair in starts:
            end = start + timedelta(minutes=IV_MINUTES)
            prescriber = _pick(list(clinic.prescribers), turn, "p", ends, start, LIMITS["supervising_prescriber"], off)
            nurse = _pick(list(clinic.nurses), turn, "n", ends, start, LIMITS["monitoring_clinician"], off)
            if prescriber is None or nurse is None:
                continue  # never happens with the default staff; kept so the rules always hold
            ends[prescriber].append(end)
            ends[nurse].append(end)
            patient = clinic.patients[patient_cursor[0] % len(clinic.patients)]
            patient_cursor[0] += 1
            status = _status(rng, statuses)
            session_id = out.add(Session, patient_id=patient, site_id=clinic.site_id, session_type_id=clinic.iv_type_id,
                                 room_id=chair, starts_at=start, ends_at=end, status=status, version=1, course_id=None,
                                 note="", created_at=start - timedelta(days=14), updated_at=start - timedelta(days=14))
            for person, role in ((prescriber, "supervising_prescriber"), (nurse, "monitoring_clinician")):
                out.add(SessionStaff, session_id=session_id, staff_id=person, role=role, starts_at=start, ends_at=end)
            written += 1
    return written


def _status(rng: random.Random, statuses: list[tuple[str, float]]) -> str:
    roll = rng.random()
    for status, share in statuses:
        if roll < share:
            return status
        roll -= share
    return statuses[-1][0]


def _setup(out: _Writer) -> Clinic:
    site = out.add(Site, name="Bench Clinic", timezone=ZONE, esketamine_certified=True, distinct_roles=True,
                   slot_minutes=15, phone="+12125550100")
    for weekday in sorted(OPEN_WEEKDAYS):
        out.add(OpeningHours, site_id=site, weekday=weekday, opens=OPENS, closes=CLOSES)
    for day in CLOSURES:
        out.add(Closure, site_id=site, day=day, reason="Holiday")
    for role, limit in LIMITS.items():
        out.add(StaffingLimit, site_id=site, role=role, max_concurrent=limit)
    chairs = tuple(out.add(Room, site_id=site, name=f"Chair {n:02d}", kind="infusion_chair",
                           capabilities=["infusion_pump_monitor", "pulse_oximeter"], active=True)
                   for n in range(1, CHAIRS + 1))
    for n in range(1, OFFICES + 1):
        out.add(Room, site_id=site, name=f"Office {n}", kind="therapy_office", capabilities=["therapy"], active=True)
    types = []
    for template in (IV_DOSING, ESKETAMINE, INTEGRATION):
        types.append(out.add(SessionType, key=template["key"], name=template["name"], kind=template["kind"],
                             route=template["route"], active_minutes=template["active_minutes"],
                             observation_minutes=template.get("observation_minutes", 0),
                             room_capability=template["room_capability"],
                             role_requirements=template["role_requirements"], active=True))

    def person(name: str, disciplines: list[str], kinds: tuple[str, ...]) -> int:
        staff_id = out.add(Staff, name=name, email=f"{name.lower().replace(' ', '.')}@bench.example",
                           phone=None, disciplines=disciplines, active=True)
        for kind in kinds:
            out.add(Credential, staff_id=staff_id, kind=kind, number=f"{kind.upper()}-{staff_id}",
                    issued_on=VALID_FROM, expires_on=VALID_TO)
        return staff_id

    prescribers = tuple([person(f"Doctor {n}", ["MD"], ("licence", "acls", "bls", "rems_training"))
                         for n in range(1, MDS + 1)]
                        + [person(f"Practitioner {n}", ["NP"], ("licence", "acls", "bls", "rems_training"))
                           for n in range(1, NPS + 1)])
    nurses = tuple(person(f"Nurse {n}", ["RN"], ("licence", "bls") if n > 5 else ("licence",))
                   for n in range(1, NURSES + 1))
    for nurse in nurses[:5]:
        # A renewal inside the window: the old BLS card overlaps the new one by a few days.
        out.add(Credential, staff_id=nurse, kind="bls", number=f"BLS-{nurse}-old", issued_on=VALID_FROM,
                expires_on=date(2030, 2, 15))
        out.add(Credential, staff_id=nurse, kind="bls", number=f"BLS-{nurse}", issued_on=date(2030, 2, 10),
                expires_on=VALID_TO)
    therapists = tuple(person(f"Therapist {n}", ["therapist"], ("licence",)) for n in range(1, THERAPISTS + 1))
    patients = tuple(out.add(Patient, mrn=f"B{n:06d}", name=f"Patient {n}", date_of_birth=date(1980, 1, 1)
                             + timedelta(days=n), email=f"p{n}@bench.example", phone=None, preferred_channel="email",
                             consented_channels=["email"], escort_name=None, escort_phone=None,
                             rems_patient_id=f"R{n:06d}", rems_enrolled_on=VALID_FROM, screening_status="cleared",
                             consent_status="signed")
                     for n in range(1, PATIENTS + 1))
    first = WINDOW_MONDAY
    return Clinic(site, types[0], chairs, prescribers, nurses, therapists, patients, first,
                  first + timedelta(weeks=WEEKS, days=-1))


def build(conn: Connection, scale: int = 1, seed: int = SEED) -> tuple[Clinic, dict[str, int]]:
    """Write the clinic into an empty, migrated database; returns it and the rows per table."""
    if conn.scalar(select(func.count()).select_from(Session.__table__)):
        raise RuntimeError("the database already holds sessions: give an empty, migrated one")
    out = _Writer(conn)
    clinic = _setup(out)
    out.flush()
    cursor = [0]
    window = _open_days(clinic.first, clinic.last)
    _period(out, random.Random(f"{seed}-window"), clinic, window, [("cancelled", 0.03), ("booked", 0.97)], cursor)
    out.flush()
    if scale > 1:
        first = clinic.first - timedelta(weeks=WEEKS * (scale - 1))
        history = _open_days(first, clinic.first - timedelta(days=1))
        _period(out, random.Random(f"{seed}-history"), clinic, history,
                [("cancelled", 0.04), ("no_show", 0.03), ("fulfilled", 0.93)], cursor)
        out.flush()
    if conn.dialect.name == "postgresql":
        # Ids were given explicitly: move each sequence past them so the app's inserts do not collide.
        for table in out.ids:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                              f"(SELECT max(id) FROM {table.name}))"))
    return clinic, dict(out.counts)


def load_clinic(conn: Connection) -> Clinic:
    """The Clinic of a database build() filled, read back (for a process that did not build it)."""
    staff = Staff.__table__
    site_id = conn.scalar(select(Site.__table__.c.id).where(Site.__table__.c.name == "Bench Clinic"))
    rooms = Room.__table__
    chairs = conn.scalars(select(rooms.c.id).where(rooms.c.site_id == site_id, rooms.c.kind == "infusion_chair")
                          .order_by(rooms.c.id)).all()
    iv = conn.scalar(select(SessionType.__table__.c.id).where(SessionType.__table__.c.key == IV_DOSING["key"]))
    people = conn.execute(select(staff.c.id, staff.c.name).where(staff.c.email.like("%@bench.example"))
                          .order_by(staff.c.id)).all()

    def named(*prefixes: str) -> tuple[int, ...]:
        return tuple(row.id for row in people if row.name.startswith(prefixes))

    patients = Patient.__table__
    pool = conn.scalars(select(patients.c.id).where(patients.c.mrn.like("B%")).order_by(patients.c.id)).all()
    return Clinic(site_id, iv, tuple(chairs), named("Doctor ", "Practitioner "), named("Nurse "), named("Therapist "),
                  tuple(pool), WINDOW_MONDAY, WINDOW_MONDAY + timedelta(weeks=WEEKS, days=-1))


from bench.synthetic_checks import verify  # noqa: E402  (re-exported: bench_http and create use it)


def analyze(engine) -> None:
    """Fresh planner statistics, as autovacuum would gather them on PostgreSQL after a bulk load.

    SQLite is left alone: nothing in the app runs ANALYZE there, so the benchmark sees the
    plans a real SQLite install gets.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def in_window(conn: Connection, clinic: Clinic) -> int:
    """Sessions whose start lies in the measured window."""
    start = to_utc(clinic.first, time(0), ZONE)
    end = to_utc(clinic.last + timedelta(days=1), time(0), ZONE)
    table = Session.__table__
    return conn.scalar(select(func.count()).select_from(table).where(table.c.starts_at >= start,
                                                                     table.c.starts_at < end))


def create(url: str, scale: int = 1, seed: int = SEED, quiet: bool = False, check: bool = True):
    """Migrate the database at url, fill it, and return (app, clinic, seconds taken)."""
    from bench.common import migrated_app
    from planner.extensions import db
    from planner.heap import freeze_startup_heap

    app = migrated_app(url)
    with app.app_context():
        began = timer.perf_counter()
        with db.engine.begin() as conn:
            clinic, counts = build(conn, scale, seed)
        analyze(db.engine)
        took = timer.perf_counter() - began
        with db.engine.connect() as conn:
            window = in_window(conn, clinic)
        if check:
            problems = verify(db.session, clinic)
            db.session.rollback()
            if problems:
                raise SystemExit("the synthetic clinic breaks the booking rules:\n" + "\n".join(problems[:20]))
    if not quiet:
        print(f"synthetic clinic at scale {scale}: {counts.get('sessions', 0):,} sessions "
              f"({window:,} in the window {clinic.first}..{clinic.last}), "
              f"{counts.get('session_staff', 0):,} placements, {counts.get('shifts', 0):,} shifts, "
              f"{counts.get('patients', 0):,} patients; written in {took:.1f} s"
              f"{'; 300 sampled sessions re-checked against the booking rules: all pass' if check else ''}",
              flush=True)
    # As the server's entry point does (wsgi.py): what exists before the first request is kept out
    # of the collector's full passes, so the timed requests pay what a served request pays.
    freeze_startup_heap()
    return app, clinic, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of an empty database (migrated here)")
    parser.add_argument("--scale", type=int, default=1, help="10 writes ~150,000 sessions, the window unchanged")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    create(args.url, args.scale, args.seed)


if __name__ == "__main__":
    main()
