"""Esketamine REMS duties: the patient monitoring form owed after each dose, marked done, reopened by an admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import MonitoringForm, Session
from planner.db.uow import unit_of_work
from planner.domain import rems
from planner.domain.calendar import local
from planner.domain.errors import InvalidData, NotFound, Reason, StatusRefused
from planner.services import Actor
from planner.services.audit import record

PRESCRIBER_ROLE = "supervising_prescriber"
REASON_LONGEST = 500


@dataclass(frozen=True)
class FormState:
    """A form's state after a change, as the edges answer it."""

    id: int
    state: str
    done_at: datetime | None
    done_by: str | None


def owe_monitoring_form(session: OrmSession, row: Session, zone: str, actor: Actor, now: datetime) -> int | None:
    """Inside the fulfilment's transaction: the form this esketamine session owes, written once; its id.

    domain.md (REMS, REG): a patient monitoring form is due within 7 calendar days after each
    session. Asking twice for one session writes nothing more (the session id is unique too).
    """
    found = session.scalar(select(MonitoringForm.id).where(MonitoringForm.session_id == row.id))
    if found is not None:
        return found
    due = rems.form_due(local(row.starts_at, zone).date(), zone)
    prescriber = next((p.staff_id for p in row.staff if p.role == PRESCRIBER_ROLE), None)
    form = MonitoringForm(session_id=row.id, patient_id=row.patient_id, site_id=row.site_id, prescriber_id=prescriber,
                          due_on=due.due_on, due_at=due.due_at, state=rems.OPEN, created_at=now)
    session.add(form)
    session.flush()
    record(session, actor, "rems_form.owed", "rems_form", form.id, now, session_id=row.id,
           prescriber_id=prescriber, due_on=due.due_on.isoformat())
    return form.id


def mark_done(form_id: int, actor: Actor, now: datetime) -> FormState:
    """Mark a form sent; marking one already done changes nothing (the first who marked it stays on it)."""
    with unit_of_work() as session:
        # Conditional: of two people marking it at once, exactly one is written down.
        changed = session.execute(update(MonitoringForm).where(MonitoringForm.id == form_id,
                                                               MonitoringForm.state == rems.OPEN)
                                  .values(state=rems.DONE, done_at=now, done_by=actor.label,
                                          done_by_id=actor.user_id)).rowcount
        if changed:
            record(session, actor, "rems_form.done", "rems_form", form_id, now, before=rems.OPEN, after=rems.DONE)
        state = _state(session, form_id)
        session.commit()
        return state


def reopen(form_id: int, reason: str, actor: Actor, now: datetime) -> FormState:
    """Undo a form's "done" (an admin's correction), with the reason kept in the audit log; 409 unless it is done."""
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_LONGEST:
        raise InvalidData([Reason("reason", f"Say why the form is reopened (1 to {REASON_LONGEST} characters).",
                                  "reason")])
    with unit_of_work() as session:
        before = _state(session, form_id)
        changed = session.execute(update(MonitoringForm).where(MonitoringForm.id == form_id,
                                                               MonitoringForm.state == rems.DONE)
                                  .values(state=rems.OPEN, done_at=None, done_by=None, done_by_id=None)).rowcount
        if not changed:
            raise StatusRefused([Reason("form_not_done", "The form is not marked done: there is nothing to undo.",
                                        "state")])
        record(session, actor, "rems_form.reopened", "rems_form", form_id, now, reason=reason, before=rems.DONE,
               after=rems.OPEN, done_at=before.done_at.isoformat() if before.done_at else None,
               done_by=before.done_by)
        state = _state(session, form_id)
        session.commit()
        return state


def _state(session: OrmSession, form_id: int) -> FormState:
    found = session.execute(select(MonitoringForm.state, MonitoringForm.done_at, MonitoringForm.done_by)
                            .where(MonitoringForm.id == form_id)).first()
    if found is None:
        raise NotFound("monitoring form", form_id)
    return FormState(form_id, *found)
