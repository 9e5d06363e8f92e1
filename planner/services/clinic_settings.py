"""The clinic's settings for telling people: its name in messages, what staff invites show, quiet hours."""

from __future__ import annotations

from datetime import datetime

from planner.db.models import ClinicSettings
from planner.db.uow import unit_of_work
from planner.services import Actor
from planner.services.audit import record
from planner.services.inputs import ClockTime, Name, Strict
from planner.services.notices import Telling, telling
from planner.services.validation import parse


class MessageSettingsIn(Strict):
    """What the admin may set; the clinic name is what every subject and SMS starts with."""

    clinic_name: Name  # the project's name type: no control characters, which a mail header cannot carry
    staff_invites_detailed: bool = False
    quiet_from: ClockTime
    quiet_until: ClockTime


def message_settings() -> Telling:
    """The settings as they stand (defaults when none were saved)."""
    with unit_of_work(write=False) as session:
        return telling(session)


def update_message_settings(data: dict, actor: Actor, now: datetime) -> Telling:
    """Save the settings, or InvalidData naming each bad field; audited with the before and after."""
    wanted = parse(MessageSettingsIn, data)
    with unit_of_work() as session:
        row = session.get(ClinicSettings, 1)
        if row is None:
            row = ClinicSettings(id=1)
            session.add(row)
        before = {"clinic_name": row.clinic_name, "staff_invites_detailed": row.staff_invites_detailed,
                  "quiet_from": str(row.quiet_from), "quiet_until": str(row.quiet_until)}
        row.clinic_name, row.staff_invites_detailed = wanted.clinic_name, wanted.staff_invites_detailed
        row.quiet_from, row.quiet_until = wanted.quiet_from, wanted.quiet_until
        record(session, actor, "settings.messages_changed", "settings", 1, now, before=before,
               after=wanted.model_dump(mode="json"))
        session.commit()
        return telling(session)
