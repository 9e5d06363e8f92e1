"""Every list, on the API and on the pages, reads what it shows in a few queries, however many rows it lists.

Each endpoint is asked once with 2 rows of what it lists and again with 20; the statements the
app sends (counted with SQLAlchemy's before_cursor_execute, transaction control left out) must
be the same number both times, and no more than the endpoint's bound, which includes finding
who is asking (a token and its user in one query, or the user of a session cookie).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from planner.db.reads import sql

import planner.clock
from planner.db.models import (
    AuditEvent, Closure, Course, CourseEvent, Credential, OpeningHours, Patient, ProtocolVersion, Room, Session,
    SessionStaff, SessionType, Shift, Site, Staff, StaffingLimit, TimeOff,
)
from planner.extensions import db
from tests.web.api_client import ApiClient

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=timezone.utc)  # midday or evening in every zone below
ZONES = ("America/New_York", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata")
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@dataclass
class GrowingClinic:
    """A clinic that grows to n of everything the lists show: sites, rooms, staff, patients, sessions, ...

    It keeps ids, not rows: the session is emptied before every measured request, as a server's is.
    """

    n: int = 0
    sites: list[tuple[int, str]] = field(default_factory=list)  # (id, time zone)
    staff: list[int] = field(default_factory=list)
    session_type: int = 0
    course: int = 0

    def grow(self, n: int) -> None:
        """Add rows until every list holds n (the first site's day view and the course n sessions each)."""
        for i in range(self.n, n):
            self._add(i)
        self.n = n
        db.session.commit()
        db.session.remove()

    def _add(self, i: int) -> None:
        zone = ZONES[i % len(ZONES)]
        site = Site(name=f"Site {i:02d}", timezone=zone, phone=f"+1555000{i:04d}",
                    hours=[OpeningHours(weekday=d, opens=time(7), closes=time(21)) for d in range(7)],
                    closures=[Closure(day=date(2027, 1, 1), reason="New Year"),
                              Closure(day=date(2026, 12, 25), reason="Christmas")],
                    limits=[StaffingLimit(role="monitoring_clinician", max_concurrent=2),
                            StaffingLimit(role="supervising_prescriber", max_concurrent=4)])
        person = Staff(name=f"Staff {i:02d}", email=f"staff{i}@clinic.example", disciplines=["MD"],
                       credentials=[Credential(kind="licence", number=f"L{i}", issued_on=date(2020, 1, 1),
                                               expires_on=date(2026, 12, 10))])
        kind = SessionType(key=f"type-{i}", name=f"Type {i}", kind="dosing", route="IV", active_minutes=45,
                           observation_minutes=60, role_requirements=[])
        protocol = ProtocolVersion(key=f"protocol-{i}", version=1, name=f"Protocol {i}", definition={"phases": []},
                                   active=True, created_at=NOW)
        db.session.add_all([site, person, kind, protocol])
        db.session.flush()
        self.sites.append((site.id, zone))
        self.staff.append(person.id)
        first, lead = self.sites[0], self.staff[0]
        if not self.course:
            self.session_type = kind.id
            course = Course(patient_id=self._patient(f"C-{i}"), protocol_id=protocol.id, site_id=first[0],
                            first_day=NOW.date(), created_at=NOW, updated_at=NOW)
            db.session.add(course)
            db.session.flush()
            self.course = course.id
        # The overview: a session, a shift and a chair at each site on its own local day.
        self._session(self.sites[-1], f"Chair {i}", f"O-{i}", 12, i)
        db.session.add(Shift(staff_id=person.id, site_id=site.id, starts_at=_local(zone, 8), ends_at=_local(zone, 18)))
        # The day view and the course: n sessions at the first site, in n more chairs.
        self._session(first, f"Day chair {i}", f"D-{i}", 15, i, course=self.course)
        db.session.add(CourseEvent(course_id=self.course, at=NOW, actor="tests", kind="note", details={"i": i}))
        # The first staff member's detail: one more credential, shift and leave for every row.
        db.session.add_all([
            Credential(staff_id=lead, kind=f"extra-{i}", number="", issued_on=date(2020, 1, 1), expires_on=None),
            Shift(staff_id=lead, site_id=first[0], starts_at=NOW + timedelta(days=i + 1),
                  ends_at=NOW + timedelta(days=i + 1, hours=8)),
            TimeOff(staff_id=lead, starts_at=NOW + timedelta(days=40 + i), ends_at=NOW + timedelta(days=41 + i),
                    reason="leave"),
            AuditEvent(at=NOW, actor="tests", action="test.row", entity="site", entity_id=str(site.id), details={})])
        db.session.flush()

    def _patient(self, mrn: str) -> int:
        row = Patient(mrn=mrn, name=f"Patient {mrn}", date_of_birth=date(1980, 1, 1), consented_channels=[])
        db.session.add(row)
        db.session.flush()
        return row.id

    def _session(self, site: tuple[int, str], room_name: str, mrn: str, hour: int, i: int, course: int | None = None):
        room = Room(site_id=site[0], name=room_name, kind="infusion_chair", capabilities=["infusion_pump_monitor"])
        db.session.add(room)
        db.session.flush()
        start = _local(site[1], hour)
        end = start + timedelta(minutes=105)
        other = self.staff[(i + 1) % len(self.staff)]
        db.session.add(Session(
            patient_id=self._patient(mrn), site_id=site[0], session_type_id=self.session_type, room_id=room.id,
            starts_at=start, ends_at=end, status="booked", course_id=course, created_at=NOW, updated_at=NOW,
            staff=[SessionStaff(staff_id=self.staff[i], role="supervising_prescriber", starts_at=start, ends_at=end),
                   SessionStaff(staff_id=other, role="monitoring_clinician", starts_at=start, ends_at=end)]))


def _local(zone: str, hour: int) -> datetime:
    """An hour of the zone's local day at NOW, in UTC."""
    tz = ZoneInfo(zone)
    return datetime.combine(NOW.astimezone(tz).date(), time(hour), tzinfo=tz).astimezone(timezone.utc)


@pytest.fixture
def statements(app):
    """The statements the app sends to the database while the test runs (transaction control left out)."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, _parameters, _context, _executemany):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.append(statement)

    def note_raw(statement):  # the reads sent through the driver's own cursor (planner/db/reads/sql.py)
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    sql.watchers.append(note_raw)
    yield seen
    sql.watchers.remove(note_raw)
    event.remove(db.engine, "before_cursor_execute", note)


@pytest.fixture
def fixed_clock(monkeypatch):
    """The edges' clock stopped at NOW, the instant the clinic's "today" is built around."""
    monkeypatch.setattr(planner.clock, "now", lambda: NOW)


def queries_for(ask, statements: list[str]):
    """The answer to ask() and the statements it sent."""
    db.session.remove()  # nothing left over from the test or an earlier request, as on a server
    statements.clear()
    answer = ask()
    assert answer.status_code == 200, answer.data[:500]
    return answer, list(statements)


def grown_twice(clinic: GrowingClinic, ask, statements: list[str], rows) -> tuple[list[str], list[str]]:
    """The statements of ask() with 2 rows and then with 20; rows(answer) must show that many."""
    ask()  # the first call of a token writes its last use, once an hour: not what is measured
    counts = []
    for n in (2, 20):
        clinic.grow(n)
        answer, sent = queries_for(ask, statements)
        assert rows(answer) == n, f"expected {n} rows listed"
        counts.append(sent)
    return counts[0], counts[1]


def json_rows(key=None, pick=None):
    """How many items a JSON answer lists (under key, those pick accepts)."""
    def rows(answer):
        data = answer.get_json()
        data = data[key] if key else data
        return len([item for item in data if pick is None or pick(item)])
    return rows


API_LISTS = [
    # path (with {ids}), most statements (the token lookup is one), how to count the rows shown
    ("/api/sites", 3, json_rows()),  # who asks (and the config mark), then (the sites changed) sites and calendars
    ("/api/rooms", 2, json_rows(pick=lambda r: r["name"].startswith("Chair"))),
    ("/api/staff", 2, json_rows()),
    ("/api/staff/{lead}", 5, json_rows("time_off")),
    ("/api/patients", 2, json_rows(pick=lambda p: p["mrn"].startswith("O-"))),
    ("/api/session-types", 2, json_rows()),
    ("/api/sessions?from=2026-11-24T00:00:00Z&to=2026-11-27T00:00:00Z&site_id={first}", 3,
     json_rows(pick=lambda s: s["course_id"] is not None)),
    # One session at each site, in its own time zone, with two people placed in it.
    ("/api/sessions?from=2026-11-24T00:00:00Z&to=2026-11-27T00:00:00Z", 3,
     json_rows(pick=lambda s: s["course_id"] is None and len(s["staff"]) == 2 and s["timezone"] in ZONES)),
    ("/api/protocols", 2, json_rows()),
    ("/api/courses/{course}", 6, json_rows("history")),
]


@pytest.mark.parametrize("path, most, rows", API_LISTS, ids=[p for p, _, _ in API_LISTS])
def test_an_api_list_sends_as_few_queries_for_20_rows_as_for_2(client, statements, fixed_clock, path, most, rows):
    reader = ApiClient(client, "reception")
    clinic = GrowingClinic()
    clinic.grow(1)
    ids = {"lead": clinic.staff[0], "first": clinic.sites[0][0], "course": clinic.course}
    few, many = grown_twice(clinic, lambda: client.get(path.format(**ids), headers=reader.headers), statements, rows)
    assert len(many) == len(few) <= most, f"{len(few)} then {len(many)} statements:\n" + "\n".join(many)


PAGES = [
    # The admin's overview: one more for the REMS forms line and one for the open coverage alerts (issue 12);
    # the REMS count's own transaction ends in a rollback, so the signed-in user is read once more after it.
    ("/", "admin", 11, lambda page: page.count('class="card site"')),
    ("/sessions?site_id={first}&day={first_day}", "reception", 7, lambda page: page.count("Patient D-")),
    ("/audit", "admin", 2, lambda page: page.count("test.row")),
    ("/sites/{first}/board?day={first_day}", "reception", 8, lambda page: page.count('class="visit-patient">Patient D-')),
    ("/sites/{first}/board/live?day={first_day}", "reception", 8, lambda page: page.count('class="visit-patient">Patient D-')),
    # The coverage page reads the clinic's set-up afresh after it grew (10 statements, as any snapshot
    # does after a change), then the site's day in 6, and the signed-in user again after its read-only
    # transaction ends: 18, the same for 20 sessions as for 2. Its rows: the dosing sessions, less the overview's own.
    ("/sites/{first}/coverage?day={first_day}", "reception", 18, lambda page: page.count('class="dose"') - 1),

]


@pytest.mark.parametrize("path, role, most, rows", PAGES, ids=[p for p, _, _, _ in PAGES])
def test_a_page_sends_as_few_queries_for_20_rows_as_for_2(signed_in, statements, fixed_clock, path, role, most, rows):
    browser = signed_in(role)
    clinic = GrowingClinic()
    clinic.grow(1)
    site, zone = clinic.sites[0]
    target = path.format(first=site, first_day=NOW.astimezone(ZoneInfo(zone)).date().isoformat())
    few, many = grown_twice(clinic, lambda: browser.get(target), statements, lambda page: rows(page.get_data(True)))
    assert len(many) == len(few) <= most, f"{len(few)} then {len(many)} statements:\n" + "\n".join(many)


def test_the_token_and_its_user_are_found_in_one_query(client, statements):
    reader = ApiClient(client, "reception")
    client.get("/api/protocols", headers=reader.headers)  # the token's first use is written down, once an hour
    _, sent = queries_for(lambda: client.get("/api/protocols", headers=reader.headers), statements)
    assert len(sent) == 2, "\n".join(sent)  # who is asking, then the protocols
    assert "api_tokens" in sent[0] and "users" in sent[0]


def test_the_site_list_is_kept_until_the_clinics_set_up_changes(client, statements):
    from sqlalchemy import text

    reader = ApiClient(client, "reception")
    GrowingClinic().grow(2)
    client.get("/api/sites", headers=reader.headers)
    _, sent = queries_for(lambda: client.get("/api/sites", headers=reader.headers), statements)
    # One statement: who is asking, which brings along whether the clinic's set-up changed.
    assert len(sent) == 1 and "api_tokens" in sent[0] and "config_marks" in sent[0], "\n".join(sent)
    db.session.execute(text("UPDATE sites SET name = 'Renamed' WHERE id = (SELECT min(id) FROM sites)"))
    db.session.commit()  # written around the application: the trigger still raises the mark
    answer, sent = queries_for(lambda: client.get("/api/sites", headers=reader.headers), statements)
    assert "Renamed" in {site["name"] for site in answer.get_json()} and len(sent) == 3


SHOWN_ALONE = [("/api/sites", "/api/sites/{id}"), ("/api/rooms", "/api/rooms/{id}"), ("/api/staff", "/api/staff/{id}"),
               ("/api/patients", "/api/patients/{id}"), ("/api/session-types", "/api/session-types/{id}"),
               ("/api/sessions?from=2026-11-24T00:00:00Z&to=2026-11-27T00:00:00Z", "/api/sessions/{id}")]


@pytest.mark.parametrize("listed, alone", SHOWN_ALONE, ids=[p for p, _ in SHOWN_ALONE])
def test_a_list_shows_each_row_exactly_as_its_own_endpoint_does(client, fixed_clock, listed, alone):
    reader = ApiClient(client, "reception")
    GrowingClinic().grow(3)
    rows = client.get(listed, headers=reader.headers).get_json()
    assert len(rows) >= 3
    for row in rows:
        own = client.get(alone.format(id=row["id"]), headers=reader.headers).get_json()
        if "credentials" in own:  # a staff member's own page adds credentials, shifts and leave
            own = {k: v for k, v in own.items() if k not in ("credentials", "shifts", "time_off")}
        assert row == own
