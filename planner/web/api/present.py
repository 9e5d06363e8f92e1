"""Rows as JSON-ready dicts.

Each function reads its row by attribute, so it takes a model object (one record's own endpoint)
or a plain row from planner/db/queries.py (the lists); both give the same JSON.
"""

from __future__ import annotations

from planner.db.queries import SiteInFull
from planner.db.models import Patient, Room, Session, SessionType, Site, Staff
from planner.domain.calendar import local
from planner.web.api.common import instant


def site(row: Site | SiteInFull) -> dict:
    """A site with its calendar and policy (a model row, or the plain one the list reads)."""
    return {"id": row.id, "name": row.name, "timezone": row.timezone, "phone": row.phone,
            "esketamine_certified": row.esketamine_certified, "distinct_roles": row.distinct_roles,
            "slot_minutes": row.slot_minutes, "active": row.active, "deactivated_at": instant(row.deactivated_at),
            "hours": [{"weekday": h.weekday, "opens": h.opens.strftime("%H:%M"), "closes": h.closes.strftime("%H:%M")}
                      for h in row.hours],
            "closures": [{"day": c.day.isoformat(), "reason": c.reason} for c in row.closures],
            "limits": {limit.role: limit.max_concurrent for limit in row.limits}}


def room(row: Room) -> dict:
    """A room or chair."""
    return {"id": row.id, "site_id": row.site_id, "name": row.name, "kind": row.kind,
            "capabilities": list(row.capabilities or ()), "active": row.active,
            "deactivated_at": instant(row.deactivated_at)}


def staff(row: Staff, detail: bool = False) -> dict:
    """A staff member; with detail, credentials, shifts and time off too."""
    data = {"id": row.id, "name": row.name, "email": row.email, "phone": row.phone,
            "disciplines": list(row.disciplines or ()), "active": row.active,
            "deactivated_at": instant(row.deactivated_at)}
    if detail:
        data["credentials"] = [{"id": c.id, "kind": c.kind, "number": c.number, "issued_on": c.issued_on.isoformat(),
                                "expires_on": c.expires_on.isoformat() if c.expires_on else None,
                                "revoked_on": c.revoked_on.isoformat() if c.revoked_on else None}
                               for c in row.credentials]
        data["shifts"] = [{"id": s.id, "site_id": s.site_id, "starts_at": instant(s.starts_at),
                           "ends_at": instant(s.ends_at), "withdrawn_at": instant(s.withdrawn_at)} for s in row.shifts]
        data["time_off"] = [{"id": t.id, "starts_at": instant(t.starts_at), "ends_at": instant(t.ends_at),
                             "reason": t.reason, "withdrawn_at": instant(t.withdrawn_at)} for t in row.time_off]
    return data


def patient(row: Patient) -> dict:
    """A patient's record."""
    return {"id": row.id, "mrn": row.mrn, "name": row.name, "date_of_birth": row.date_of_birth.isoformat(),
            "email": row.email, "phone": row.phone, "preferred_channel": row.preferred_channel,
            "consented_channels": list(row.consented_channels or ()), "escort_name": row.escort_name,
            "escort_phone": row.escort_phone, "rems_patient_id": row.rems_patient_id,
            "rems_enrolled_on": row.rems_enrolled_on.isoformat() if row.rems_enrolled_on else None,
            "screening_status": row.screening_status, "consent_status": row.consent_status,
            "home_site_id": row.home_site_id}


def session_type(row: SessionType) -> dict:
    """A session type with its staffing needs."""
    return {"id": row.id, "key": row.key, "name": row.name, "kind": row.kind, "route": row.route,
            "active_minutes": row.active_minutes, "observation_minutes": row.observation_minutes,
            "room_capability": row.room_capability, "role_requirements": list(row.role_requirements or ()),
            "active": row.active, "reminder_hours": row.reminder_hours}


def session(row: Session) -> dict:
    """A session in UTC and in its site's wall time."""
    zone = row.site.timezone
    return {"id": row.id, "patient_id": row.patient_id, "site_id": row.site_id,
            "session_type_id": row.session_type_id, "room_id": row.room_id,
            "start": instant(row.starts_at), "end": instant(row.ends_at),
            "local_start": local(row.starts_at, zone).isoformat(), "local_end": local(row.ends_at, zone).isoformat(),
            "timezone": zone, "status": row.status, "version": row.version, "course_id": row.course_id,
            "note": row.note,
            "staff": [{"staff_id": p.staff_id, "role": p.role, "start": instant(p.starts_at), "end": instant(p.ends_at)}
                      for p in row.staff]}
