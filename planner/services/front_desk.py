"""The today board's actions: a session moved along its lifecycle by the front desk, escort confirmed at check-in."""

from __future__ import annotations

from datetime import datetime

from planner.db.uow import unit_of_work
from planner.domain import front_desk, lifecycle
from planner.domain.errors import InvalidData, Reason
from planner.services import Actor
from planner.services.booking import set_status


def act_on_session(session_id: int, action_key: str, actor: Actor, now: datetime,
                   escort_confirmed: bool = False, reason: str = "") -> str:
    """Apply one board action (check in, start, hold, fulfilled, no-show); returns the session's new status.

    The change goes through booking.set_status, so the lifecycle, its timing and the notices apply
    as on every other path; a check-in for a dose also needs the escort confirmed (domain.md: a
    responsible adult takes the patient home after every dose), and a hold needs its reason
    (InvalidData naming "reason"), which set_status records in the session's history.
    """
    action = front_desk.BY_KEY.get(action_key)
    if action is None:
        raise InvalidData([Reason("unknown", "Choose one of the board's actions.", "action")])
    with unit_of_work() as session:  # set_status checks the hold's reason before it writes anything
        set_status(session, session_id, action.status, actor, now, reason if action.status == lifecycle.HELD else "",
                   escort_confirmed=escort_confirmed)
        session.commit()
        return action.status
