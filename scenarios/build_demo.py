"""Build scenarios/demo-clinic.json: two sites, ~20 staff, ~40 patients, ~70 sessions that pass every rule.

    .venv/bin/python scenarios/build_demo.py          # rewrite the file
    .venv/bin/python scenarios/build_demo.py --check  # exit 1 when the committed file is stale

Deterministic: a seeded random and a fixed anchor, never the clock. Sessions are proposed at random
and kept only when the real booking rules (planner.domain.booking.check_session) accept them against
everything kept before. The result is loaded into a scratch in-memory database and exported again,
so the file is in the exporter's canonical order and is known to load. Every open day of the anchor
week and the next has sessions at both sites (the build stops otherwise): `seed-demo` moves the
anchor onto the current week, so whatever day the demo starts, today and the days ahead are busy.
"""

from __future__ import annotations

import random
import sys
from datetime import date, datetime, time, timedelta, timezone
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from planner.domain import clinic as dom  # noqa: E402
from planner.domain.booking import as_booked, check_session  # noqa: E402
from planner.domain.calendar import OpeningHours, SiteCalendar, to_utc  # noqa: E402
from planner.domain.intervals import Interval  # noqa: E402
from planner.domain.staffing import Credential, RoleNeed, Roster, Shift, StaffMember  # noqa: E402

from demo_data import (  # noqa: E402  # the clinic's people, rooms and session types, as plain data
    PATIENT_PLANS, ROOMS, SESSION_TYPES, SITES, STAFF, USERS, make_patients, shift_pattern,
)

ANCHOR = date(2026, 11, 23)  # a Monday
SEED = 20261123
WEEKS_OF_SHIFTS = 8
SESSION_WEEKS = 2  # every open day of the anchor week and the next has sessions at every site
OUTPUT = Path(__file__).resolve().parent / "demo-clinic.json"


def build() -> dict:
    """The demo clinic as a scenario document (before canonical ordering)."""
    rng = random.Random(SEED)
    sites = [dict(s) for s in SITES]
    patients = make_patients(rng, ANCHOR)
    staff = [_staff_doc(member, sites) for member in STAFF]
    doc = {"format": "planner-scenario/1", "anchor": ANCHOR.isoformat(), "sites": sites,
           "rooms": [dict(r) for r in ROOMS], "staff": staff, "patients": patients,
           "session_types": [dict(t) for t in SESSION_TYPES], "sessions": [],
           "users": [dict(u) for u in USERS]}
    doc["sessions"] = _sessions(rng, doc)
    gaps = days_without_sessions(doc)
    if gaps:
        raise SystemExit("The demo has open days without sessions (change PATIENT_PLANS in demo_data.py): "
                         + ", ".join(f"{site} {day:%a %d %b}" for site, day in gaps))
    return doc


def days_without_sessions(doc: dict, weeks: int = SESSION_WEEKS) -> list[tuple[str, date]]:
    """Open (site, local day)s in the anchor's first weeks with no session that still takes place."""
    anchor = date.fromisoformat(doc["anchor"])
    busy = {(s["site"], date.fromisoformat(s["start"][:10])) for s in doc["sessions"]
            if s.get("status", "booked") not in ("cancelled", "no_show")}
    return [(site["name"], day) for site in doc["sites"] for day in (anchor + timedelta(days=n) for n in range(weeks * 7))
            if not _closed(site, day) and (site["name"], day) not in busy]


def _closed(site: dict, day: date) -> bool:
    return day.isoformat() in {c["day"] for c in site["closures"]} or \
        day.weekday() not in {h["weekday"] for h in site["hours"]}


def _staff_doc(member: dict, sites: list[dict]) -> dict:
    site = next(s for s in sites if s["name"] == member["site"])
    leave = member.get("leave")
    off = set()
    if leave:
        first = ANCHOR + timedelta(days=leave[0])
        off = {first + timedelta(days=i) for i in range(leave[1] - leave[0] + 1)}
    shifts = []
    for offset in range(WEEKS_OF_SHIFTS * 7):
        day = ANCHOR + timedelta(days=offset)
        hours = shift_pattern(member, day, offset // 7)
        if hours and not _closed(site, day) and day not in off:
            shifts.append({"site": site["name"], "day": day.isoformat(), "start": hours[0], "end": hours[1]})
    doc = {k: v for k, v in member.items() if k not in ("site", "pattern", "leave", "saturdays", "weekdays")}
    doc["credentials"] = [{"kind": kind, "number": number, "issued_on": (ANCHOR + timedelta(days=issued)).isoformat(),
                           "expires_on": (ANCHOR + timedelta(days=expires)).isoformat()}
                          for kind, number, issued, expires in member["credentials"]]
    doc["shifts"] = shifts
    doc["time_off"] = [{"first_day": min(off).isoformat(), "last_day": max(off).isoformat(),
                        "reason": "Annual leave"}] if off else []
    return doc


class _Clinic:
    """The doc as domain objects, plus the sessions kept so far."""

    def __init__(self, doc: dict) -> None:
        self.sites = {}
        for i, s in enumerate(doc["sites"], 1):
            hours = tuple(OpeningHours(h["weekday"], time.fromisoformat(h["opens"]), time.fromisoformat(h["closes"]))
                          for h in s["hours"])
            calendar = SiteCalendar(s["timezone"], hours, frozenset(date.fromisoformat(c["day"])
                                                                    for c in s["closures"]))
            limits = {**dom.Site(0, "", calendar).limits, **s.get("limits", {})}
            self.sites[s["name"]] = dom.Site(i, s["name"], calendar, s["esketamine_certified"], limits)
        self.rooms = {i: dom.Room(i, self.sites[r["site"]].id, r["name"], r["kind"], frozenset(r["capabilities"]))
                      for i, r in enumerate(doc["rooms"], 1)}
        self.room_names = {room.id: room.name for room in self.rooms.values()}
        zones = {s["name"]: s["timezone"] for s in doc["sites"]}
        self.staff, self.emails = {}, {}
        for i, m in enumerate(doc["staff"], 1):
            creds = tuple(Credential(c["kind"], date.fromisoformat(c["issued_on"]), date.fromisoformat(c["expires_on"]))
                          for c in m["credentials"])
            shifts = tuple(Shift(self.sites[s["site"]].id,
                                 Interval(_at(s["day"], s["start"], zones[s["site"]]),
                                          _at(s["day"], s["end"], zones[s["site"]]))) for s in m["shifts"])
            leave = tuple(Interval(_at(t["first_day"], "00:00", zones[m["shifts"][0]["site"]]),
                                   _at(t["last_day"], "00:00", zones[m["shifts"][0]["site"]]) + timedelta(days=1))
                          for t in m["time_off"])
            self.staff[i] = StaffMember(i, m["name"], frozenset(m["disciplines"]), creds, shifts, leave)
            self.emails[i] = m["email"]
        self.types = {}
        for i, t in enumerate(doc["session_types"], 1):
            needs = tuple(RoleNeed(n["role"], frozenset(n["disciplines"]), frozenset(n["credentials"]),
                                   n.get("part", "whole")) for n in t["role_requirements"])
            self.types[t["key"]] = dom.SessionType(i, t["key"], t["name"], t["kind"], t["route"], t["active_minutes"],
                                                   t.get("observation_minutes", 0), t.get("room_capability"), needs)
        self.patients = {p["mrn"]: dom.Patient(i, p["mrn"], p["name"], _day(p.get("rems_enrolled_on")),
                                               p.get("screening_status", "pending"), p.get("consent_status", "pending"))
                         for i, p in enumerate(doc["patients"], 1)}
        self.roster = Roster(self.staff, {})
        self.booked: list[dom.BookedSession] = []

    def state(self, site: dom.Site) -> dom.ClinicState:
        # One roster and one session list shared by both sites: people and patients are global.
        return dom.ClinicState(site, self.rooms, self.roster, self.booked)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _at(day: str, at: str, zone: str) -> datetime:
    return to_utc(date.fromisoformat(day), time.fromisoformat(at), zone)


def _sessions(rng: random.Random, doc: dict) -> list[dict]:
    clinic = _Clinic(doc)
    now = datetime.combine(ANCHOR - timedelta(days=3), time(12), tzinfo=timezone.utc)
    kept = []
    for mrn, site_name, wishes in PATIENT_PLANS:
        site = clinic.sites[site_name]
        for key, days in wishes:
            found = _place(rng, clinic, site, clinic.patients[mrn], clinic.types[key], days, now)
            if found is None:
                continue
            request, session_id = found
            clinic.booked.append(as_booked(request, session_id))
            for staff_id, duty in clinic.booked[-1].duties:
                clinic.roster.duties.setdefault(staff_id, []).append(duty)
            wall = request.start.astimezone(_zone(site)).replace(tzinfo=None)
            kept.append({"patient": mrn, "site": site_name, "type": key, "start": wall.isoformat(timespec="minutes"),
                         "room": clinic.room_names[request.room_id] if request.room_id else None,
                         "staff": [{"staff": clinic.emails[p.staff_id], "role": p.role} for p in request.placements],
                         "status": "booked"})
    # A couple of cancellations, as any real week has; they release their place, so the rest stay valid.
    for index in (7, len(kept) - 5):
        kept[index]["status"] = "cancelled"
        kept[index]["note"] = "Patient asked to cancel (unwell)."
    return kept


def _zone(site: dom.Site):
    from zoneinfo import ZoneInfo

    return ZoneInfo(site.calendar.zone)


def _place(rng: random.Random, clinic: _Clinic, site: dom.Site, patient: dom.Patient, stype: dom.SessionType,
           days: list[int], now: datetime):
    """The first request on the wished days that every rule accepts, or None."""
    rooms = [r.id for r in clinic.rooms.values() if r.site_id == site.id
             and (stype.room_capability is None or stype.room_capability in r.capabilities)]
    rng.shuffle(rooms)
    people = {}
    for need in stype.needs:
        fits = [m.id for m in clinic.staff.values() if m.disciplines & need.disciplines
                and any(s.site_id == site.id for s in m.shifts)]
        rng.shuffle(fits)
        people[need.role] = fits
    for offset in days:
        day = ANCHOR + timedelta(days=offset)
        for block in (b for b in site.calendar.hours if b.weekday == day.weekday()):
            starts, at = [], datetime.combine(day, block.opens)
            while at + stype.duration <= datetime.combine(day, block.closes):
                starts.append(at)
                at += timedelta(minutes=30)
            rng.shuffle(starts)
            for wall in starts[:12]:
                start = to_utc(day, wall.time(), site.calendar.zone)
                # Cheap filters first (free rooms, people on shift); check_session has the last word.
                window = stype.window(start)
                free = [r for r in rooms if not any(b.room_id == r and b.window.overlaps(window) for b in clinic.booked)]
                here = [[s for s in people[need.role] if clinic.staff[s].on_shift(site.id, stype.role_window(start, need))
                         and not clinic.staff[s].on_leave(window)] for need in stype.needs]
                for room in free if rooms else [None]:
                    for chosen in product(*here):
                        placements = tuple(dom.Placement(s, role) for s, role in zip(chosen, people, strict=True))
                        request = dom.SessionRequest(patient, site, stype, start, room, placements)
                        if not check_session(request, clinic.state(site), now):
                            return request, len(clinic.booked) + 1
    return None


def canonical(doc: dict) -> dict:
    """Load the doc into a scratch in-memory database and export it: the canonical, known-good file."""
    from planner import create_app
    from planner.extensions import db
    from planner.services import SYSTEM
    from planner.services.scenario import load_scenario
    from planner.services.scenario_export import export_scenario

    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():
        db.create_all()
        load_scenario(doc, SYSTEM, datetime.combine(ANCHOR, time(), tzinfo=timezone.utc))
        out = export_scenario()
    passwords = {u["email"]: u["password"] for u in doc["users"] if "password" in u}
    for user in out["users"]:
        if user["email"] in passwords:
            user["password"] = passwords[user["email"]]
    return out


def main(argv: list[str]) -> int:
    from planner.services.scenario_export import to_json

    text = to_json(canonical(build()))
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        print("demo-clinic.json is up to date" if current == text else "demo-clinic.json is stale: run build_demo.py")
        return 0 if current == text else 1
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
