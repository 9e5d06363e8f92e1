"""Each site's blood pressure threshold for the check-in gate: read it (the default 140/90 when unset), change it.

A change is judged by domain/vitals.threshold_problems (422 naming the field, nothing written),
audited with the values before and after, and judges the check-ins recorded from then on: a
reading keeps the threshold it was judged by (vitals_readings.threshold), and a held dose stays
held until a prescriber reviews it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import AuditEvent, Site, VitalsThreshold
from planner.db.uow import unit_of_work
from planner.domain.errors import InvalidData, NotFound
from planner.domain.vitals import Threshold, threshold_problems
from planner.services import Actor
from planner.services.audit import record

CHANGED = "vitals_threshold.changed"
HISTORY_SHOWN = 10  # per site, newest first


@dataclass(frozen=True)
class SiteThreshold:
    """A site's threshold as the page and the API show it; own is False while the default applies."""

    site_id: int
    site: str
    active: bool
    systolic: int
    diastolic: int
    own: bool
    updated_at: datetime | None

    def as_dict(self) -> dict:
        """The values the API answers with (the instant left to the edge to write)."""
        return {"site_id": self.site_id, "site": self.site, "systolic": self.systolic, "diastolic": self.diastolic,
                "is_default": not self.own}

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic}"


def site_thresholds() -> list[SiteThreshold]:
    """Every site's threshold, sites in service first, by name."""
    with unit_of_work(write=False) as session:
        rows = session.execute(select(Site, VitalsThreshold).outerjoin(VitalsThreshold,
                                                                       VitalsThreshold.site_id == Site.id)
                               .order_by(Site.active.desc(), Site.name, Site.id)).all()
        return [_shown(site, own) for site, own in rows]


def threshold_of(site_id: int) -> SiteThreshold:
    """One site's threshold; NotFound for no such site."""
    with unit_of_work(write=False) as session:
        return _read(session, site_id)


def set_threshold(site_id: int, systolic: int, diastolic: int, actor: Actor, now: datetime) -> SiteThreshold:
    """Set a site's threshold within the clinical bounds; audited before and after. Saving the same values writes nothing."""
    problems = threshold_problems(systolic, diastolic)
    if problems:
        raise InvalidData(problems)
    with unit_of_work() as session:
        # The site's row, locked: two admins saving at once take turns (SQLite's write lock does it there).
        site = session.get(Site, site_id, with_for_update=True)
        if site is None:
            raise NotFound("site", site_id)
        before = _read(session, site_id)
        if before.own and (before.systolic, before.diastolic) == (systolic, diastolic):
            return before
        row = session.get(VitalsThreshold, site_id)
        if row is None:
            row = VitalsThreshold(site_id=site_id)
            session.add(row)
        row.systolic, row.diastolic, row.updated_at = systolic, diastolic, now
        session.flush()
        after = _read(session, site_id)
        record(session, actor, CHANGED, "site", site_id, now, before=_values(before), after=_values(after))
        session.commit()
        return after


def threshold_history(site_ids: list[int]) -> dict[int, list[AuditEvent]]:
    """Each site's threshold changes, newest first (at most HISTORY_SHOWN a site)."""
    if not site_ids:
        return {}
    with unit_of_work(write=False) as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == CHANGED, AuditEvent.entity == "site",
            AuditEvent.entity_id.in_([str(i) for i in site_ids])).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
        found: dict[int, list[AuditEvent]] = {i: [] for i in site_ids}
        for event in events:
            shown = found[int(event.entity_id)]
            if len(shown) < HISTORY_SHOWN:
                session.expunge(event)  # read by the template after the transaction ends
                shown.append(event)
        return found


def _read(session: OrmSession, site_id: int) -> SiteThreshold:
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("site", site_id)
    return _shown(site, session.get(VitalsThreshold, site_id))


def _shown(site: Site, own: VitalsThreshold | None) -> SiteThreshold:
    threshold = Threshold() if own is None else Threshold(own.systolic, own.diastolic)
    return SiteThreshold(site.id, site.name, site.active, threshold.systolic, threshold.diastolic, own is not None,
                         own.updated_at if own is not None else None)


def _values(shown: SiteThreshold) -> dict:
    return {"systolic": shown.systolic, "diastolic": shown.diastolic, "default": not shown.own}
