"""Writing the clinic out as a scenario file (docs/scenario-format.md) that load_scenario reads back.

Times are written in each site's local wall time, as a person would write them; passwords are
never written. Records come in a stable order, so exporting what was loaded from an export gives
the same document again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner.db.models import Patient, Room, Session, SessionType, Shift, Site, Staff, TimeOff, User
from planner.db.uow import unit_of_work
from planner.domain.errors import InvalidData, Reason
from planner.domain.staffing import ROLES, last_valid_day
from planner.services.scenario_schema import FORMAT

PATIENT_FIELDS = ("mrn", "name", "date_of_birth", "email", "phone", "preferred_channel", "consented_channels",
                  "escort_name", "escort_phone", "rems_patient_id", "rems_enrolled_on", "screening_status",
                  "consent_status")


def export_scenario() -> dict:
    """The whole clinic as a JSON-ready scenario document."""
    with unit_of_work(write=False) as session:
        sites = session.scalars(select(Site).order_by(Site.name).options(
            selectinload(Site.hours), selectinload(Site.closures), selectinload(Site.limits))).all()
        zones = {s.id: s.timezone for s in sites}
        site_names = {s.id: s.name for s in sites}
        staff = session.scalars(select(Staff).order_by(Staff.email, Staff.id)
                                .options(selectinload(Staff.credentials))).all()
        nameless = [s for s in staff if not s.email]
        if nameless:
            raise InvalidData([Reason("missing", f"{s.name} (staff id {s.id}) has no email address, and a scenario "
                                                 "names staff by email: add one before exporting.", "staff")
                               for s in nameless])
        emails = {s.id: s.email for s in staff}
        rooms = session.scalars(select(Room)).all()
        room_names = {r.id: r.name for r in rooms}
        shifts: dict[int, list[Shift]] = defaultdict(list)
        for shift in session.scalars(select(Shift).where(Shift.withdrawn_at.is_(None))
                                    .order_by(Shift.starts_at, Shift.site_id, Shift.id)):
            shifts[shift.staff_id].append(shift)
        leave: dict[int, list[TimeOff]] = defaultdict(list)
        for item in session.scalars(select(TimeOff).where(TimeOff.withdrawn_at.is_(None))
                                    .order_by(TimeOff.starts_at, TimeOff.id)):
            leave[item.staff_id].append(item)
        first_zone = sites[0].timezone if sites else "UTC"
        staff_docs = [_staff(s, shifts[s.id], leave[s.id], zones, site_names, first_zone) for s in staff]
        sessions = _sessions(session, zones, site_names, room_names, emails)
        doc: dict = {"format": FORMAT}
        days = [date.fromisoformat(s["day"]) for member in staff_docs for s in member["shifts"]]
        days += [date.fromisoformat(s["start"][:10]) for s in sessions]
        if days:
            first = min(days)
            doc["anchor"] = (first - timedelta(days=first.weekday())).isoformat()
        doc["sites"] = [_site(s) for s in sites]
        doc["rooms"] = sorted((_clean({"site": site_names[r.site_id], "name": r.name, "kind": r.kind,
                                       "capabilities": sorted(r.capabilities or ()), "active": r.active})
                               for r in rooms), key=lambda r: (r["site"], r["name"]))
        doc["staff"] = staff_docs
        doc["patients"] = [_clean({**{f: _plain(getattr(p, f)) for f in PATIENT_FIELDS},
                                   "home_site": site_names.get(p.home_site_id)})
                           for p in session.scalars(select(Patient).order_by(Patient.mrn))]
        doc["session_types"] = [_session_type(t) for t in session.scalars(select(SessionType)
                                                                           .order_by(SessionType.key))]
        doc["sessions"] = sessions
        doc["users"] = [{"email": u.email, "name": u.name, "role": u.role,
                         "staff": emails.get(u.staff_id) if u.staff_id else None, "active": u.active}
                        for u in session.scalars(select(User).order_by(User.email))]
        return doc


def to_json(doc: dict) -> str:
    """The document as JSON text: one line per small record, so a file reads and diffs well."""
    return _dump(doc, 0, top=True) + "\n"


def _dump(value, level: int, top: bool = False) -> str:
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, (dict, list)) or not value or (not top and len(flat) + 2 * level <= 116):
        return flat
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    return "[\n" + ",\n".join(f"{inner}{_dump(v, level + 1)}" for v in value) + f"\n{pad}]"


def _clean(record: dict) -> dict:
    """Leave out absent values: a missing key reads as null."""
    return {k: v for k, v in record.items() if v is not None}


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def _clock(at: time) -> str:
    return at.isoformat(timespec="minutes" if not (at.second or at.microsecond) else "auto")


def _wall(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def _site(site: Site) -> dict:
    return _clean({
        "name": site.name, "timezone": site.timezone, "esketamine_certified": site.esketamine_certified,
        "distinct_roles": site.distinct_roles, "slot_minutes": site.slot_minutes, "phone": site.phone,
        "hours": [{"weekday": h.weekday, "opens": _clock(h.opens), "closes": _clock(h.closes)} for h in site.hours],
        "closures": [{"day": c.day.isoformat(), "reason": c.reason} for c in site.closures],
        "limits": {limit.role: limit.max_concurrent for limit in sorted(site.limits, key=lambda x: x.role)},
    })


def _staff(member: Staff, shifts: list[Shift], leave: list[TimeOff], zones: dict[int, str],
           site_names: dict[int, str], first_zone: str) -> dict:
    shift_docs = []
    for shift in shifts:
        zone = zones[shift.site_id]
        starts, ends = _wall(shift.starts_at, zone), _wall(shift.ends_at, zone)
        doc = {"site": site_names[shift.site_id], "day": starts.date().isoformat(), "start": _clock(starts.time())}
        if ends.date() != starts.date():
            doc["end_day"] = ends.date().isoformat()
        doc["end"] = _clock(ends.time())
        shift_docs.append(doc)
    # Time off is read in the zone of the first shift's site (see scenario_plan.home_zone).
    home = zones[shifts[0].site_id] if shifts else first_zone
    credentials = sorted(member.credentials, key=lambda c: (c.kind, c.issued_on, c.number, c.id))
    return _clean({
        "name": member.name, "email": member.email, "phone": member.phone, "disciplines": sorted(member.disciplines),
        # The format knows no revocation: a revoked credential ends the day before it was revoked, as the
        # engine reads it, and one revoked before it was issued was never in force and is left out.
        "credentials": [_clean({"kind": c.kind, "number": c.number, "issued_on": c.issued_on.isoformat(),
                                "expires_on": _plain(last_valid_day(c.expires_on, c.revoked_on))})
                        for c in credentials if c.revoked_on is None or c.revoked_on > c.issued_on],
        "active": member.active, "shifts": shift_docs, "time_off": [_leave(item, home) for item in leave],
    })


def _leave(item: TimeOff, zone: str) -> dict:
    starts, ends = _wall(item.starts_at, zone), _wall(item.ends_at, zone)
    if starts.time() == time(0) and ends.time() == time(0):
        return {"first_day": starts.date().isoformat(), "last_day": (ends.date() - timedelta(days=1)).isoformat(),
                "reason": item.reason}
    tz = ZoneInfo(zone)
    return {"from": item.starts_at.astimezone(tz).isoformat(), "to": item.ends_at.astimezone(tz).isoformat(),
            "reason": item.reason}


def _session_type(row: SessionType) -> dict:
    needs = [{"role": n["role"], "disciplines": list(n.get("disciplines", [])),
              "credentials": list(n.get("credentials", [])), "part": n.get("part", "whole")}
             for n in row.role_requirements or ()]
    return _clean({"key": row.key, "name": row.name, "kind": row.kind, "route": row.route,
                   "active_minutes": row.active_minutes, "observation_minutes": row.observation_minutes,
                   "room_capability": row.room_capability, "role_requirements": needs, "active": row.active,
                   "reminder_hours": row.reminder_hours})


def _sessions(session, zones: dict[int, str], site_names: dict[int, str], room_names: dict[int, str],
              emails: dict[int, str]) -> list[dict]:
    mrns = dict(session.execute(select(Patient.id, Patient.mrn)).all())
    keys = dict(session.execute(select(SessionType.id, SessionType.key)).all())
    docs: list[tuple] = []
    order = {role: i for i, role in enumerate(ROLES)}
    for row in session.scalars(select(Session).options(selectinload(Session.staff))):
        wall = _wall(row.starts_at, zones[row.site_id])
        start = wall.isoformat(timespec="minutes" if not (wall.second or wall.microsecond) else "auto")
        staff = sorted(({"staff": emails[p.staff_id], "role": p.role} for p in row.staff),
                       key=lambda p: (order.get(p["role"], len(order)), p["staff"]))
        docs.append((row.starts_at, site_names[row.site_id], room_names.get(row.room_id, ""), mrns[row.patient_id],
                     row.id, _clean({"patient": mrns[row.patient_id], "site": site_names[row.site_id],
                            "type": keys[row.session_type_id], "start": start,
                            "room": room_names.get(row.room_id) if row.room_id else None, "staff": staff,
                            "status": row.status, "note": row.note or None})))
    # Ties at one instant: a stable order by place and patient rather than by database id.
    docs.sort(key=lambda d: d[:5])
    return [d[5] for d in docs]
