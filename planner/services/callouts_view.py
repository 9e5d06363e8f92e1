"""What the call-out pages read: the people one may call out, the wall time to enter a span in, past call-outs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from planner.db import reads
from planner.db.models import Callout, Shift, Site, Staff
from planner.domain.errors import NotFound

DEFAULT_ZONE = "America/New_York"  # a clinic with no site yet has no wall time of its own


@dataclass(frozen=True)
class Person:
    """Someone who may be called out, as the form lists them."""

    id: int
    label: str


@dataclass(frozen=True)
class PastCallout:
    """A call-out applied, with what it did and who was told."""

    id: int
    staff_id: int
    staff_name: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    made_at: datetime
    made_by: str
    repairs: list[dict]
    told: list[str]
    zone: str

    def count(self, action: str) -> int:
        """How many sessions took this repair."""
        return sum(1 for r in self.repairs if r.get("action") == action)


def people() -> list[Person]:
    """Active staff, by name."""
    with reads.reading() as session:
        rows = session.execute(select(Staff.id, Staff.name, Staff.disciplines).where(Staff.active.is_(True))
                               .order_by(Staff.name, Staff.id)).all()
    return [Person(r.id, f"{r.name} ({', '.join(sorted(r.disciplines or []))})" if r.disciplines else r.name)
            for r in rows]


def zone_for(staff_id: int | None, now: datetime) -> str:
    """The wall time a person's call-out is entered in: the site of their next (or current) shift, else the first site."""
    with reads.reading() as session:
        zone = None
        if staff_id is not None:
            zone = session.scalar(select(Site.timezone).join(Shift, Shift.site_id == Site.id)
                                  .where(Shift.staff_id == staff_id, Shift.ends_at > now - timedelta(hours=12),
                                         Shift.withdrawn_at.is_(None)).order_by(Shift.starts_at).limit(1))
        if zone is None:
            zone = session.scalar(select(Site.timezone).where(Site.active.is_(True)).order_by(Site.id).limit(1))
        return zone or DEFAULT_ZONE


def past_callouts(limit: int = 100) -> list[PastCallout]:
    """The latest call-outs applied, newest first."""
    with reads.reading() as session:
        return _rows(session, select(Callout).order_by(Callout.made_at.desc(), Callout.id.desc()).limit(limit))


def callout(callout_id: int) -> PastCallout:
    """One call-out applied, or NotFound."""
    with reads.reading() as session:
        found = _rows(session, select(Callout).where(Callout.id == callout_id))
    if not found:
        raise NotFound("call-out", callout_id)
    return found[0]


def _rows(session, query) -> list[PastCallout]:
    rows = session.scalars(query).all()
    names = dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_({r.staff_id for r in rows}))).all())
    return [PastCallout(r.id, r.staff_id, names.get(r.staff_id, f"Staff member {r.staff_id}"), r.starts_at, r.ends_at,
                        r.reason, r.made_at, r.made_by, list(r.repairs or []), list(r.told or []),
                        _zone(session, r.staff_id, r.starts_at))
            for r in rows]


def _zone(session, staff_id: int, at: datetime) -> str:
    zone = session.scalar(select(Site.timezone).join(Shift, Shift.site_id == Site.id)
                          .where(Shift.staff_id == staff_id, Shift.ends_at > at - timedelta(hours=12))
                          .order_by(Shift.starts_at).limit(1))
    return zone or session.scalar(select(Site.timezone).order_by(Site.id).limit(1)) or DEFAULT_ZONE
