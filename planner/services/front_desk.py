"""The today board's actions: a session moved along its lifecycle by the front desk, escort confirmed at check-in."""

from __future__ import annotations

from datetime import datetime

from planner.db import reads
from planner.db.models import Session, SessionType
from planner.db.uow import unit_of_work
from planner.domain import front_desk, lifecycle
from planner.domain.errors import InvalidData, NotFound, Reason, StatusRefused
from planner.services import Actor
from planner.services.audit import record
from planner.services.booking import set_status


def act_on_session(session_id: int, action_key: str, actor: Actor, now: datetime,
                   escort_confirmed: bool = False) -> str:
    """Apply one board action (check in, start, hold, fulfilled, no-show); returns the session's new status.

    The change goes through booking.set_status, so the lifecycle, its timing and the notices apply
    as on every other path; a check-in for a dose also needs the escort confirmed (domain.md: a
    responsible adult takes the patient home after every dose).
    """
    action = front_desk.BY_KEY.get(action_key)
    if action is None:
        raise InvalidData([Reason("unknown", "Choose one of the board's actions.", "action")])
    with unit_of_work() as session:
        row = session.get(Session, session_id)
        if row is None:
            raise NotFound("session", session_id)
        if lifecycle.can_become(row.status, action.status):
            kind = session.get(SessionType, row.session_type_id).kind
            zone = reads.site(session, row.site_id).calendar.zone
            # Every reason at once: a refusal names the escort and the timing together.
            reasons = (front_desk.escort_reasons(kind, action.status, escort_confirmed)
                       + lifecycle.timing_reasons(action.status, row.starts_at, now, zone))
            if reasons:
                raise StatusRefused(reasons)
            if action.status == lifecycle.ARRIVED and front_desk.needs_escort(kind):
                record(session, actor, "session.escort_confirmed", "session", session_id, now)
        set_status(session, session_id, action.status, actor, now)
        session.commit()
        return action.status
