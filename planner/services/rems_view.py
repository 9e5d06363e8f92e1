"""Reading the REMS monitoring forms: the prescriber's list, its filters, and the overview's counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, select

from planner.db.models import AuditEvent, MonitoringForm, Patient, Session, Site, Staff
from planner.db.uow import unit_of_work
from planner.domain import rems

LONGEST_LIST = 500  # done forms pile up for ever: the newest this many are listed


@dataclass(frozen=True)
class FormFilter:
    """Which forms to list: by state, prescriber (staff id), site, and overdue or not (None: either)."""

    state: str | None = rems.OPEN
    prescriber_id: int | None = None
    site_id: int | None = None
    overdue: bool | None = None
    form_id: int | None = None


@dataclass(frozen=True)
class FormRow:
    """One monitoring form as the list shows it; times in UTC, due_on in the site's wall time."""

    id: int
    session_id: int
    session_start: datetime
    patient_id: int
    patient_name: str
    mrn: str
    site_id: int
    site_name: str
    zone: str
    prescriber_id: int | None
    prescriber_name: str | None
    due_on: date
    due_at: datetime
    state: str
    done_at: datetime | None
    done_by: str | None
    overdue: bool


@dataclass(frozen=True)
class FormCounts:
    """Open and overdue forms across the clinic (the overview's line)."""

    open: int
    overdue: int


def monitoring_forms(wanted: FormFilter, now: datetime) -> list[FormRow]:
    """The forms the filter asks for, soonest due first (done ones: latest done first), in one query."""
    with unit_of_work(write=False) as session:
        query = (select(MonitoringForm.id, MonitoringForm.session_id, Session.starts_at, MonitoringForm.patient_id,
                        Patient.name, Patient.mrn, MonitoringForm.site_id, Site.name, Site.timezone,
                        MonitoringForm.prescriber_id, Staff.name, MonitoringForm.due_on, MonitoringForm.due_at,
                        MonitoringForm.state, MonitoringForm.done_at, MonitoringForm.done_by)
                 .join(Session, Session.id == MonitoringForm.session_id)
                 .join(Patient, Patient.id == MonitoringForm.patient_id)
                 .join(Site, Site.id == MonitoringForm.site_id)
                 .outerjoin(Staff, Staff.id == MonitoringForm.prescriber_id))
        if wanted.form_id:
            query = query.where(MonitoringForm.id == wanted.form_id)
        if wanted.state:
            query = query.where(MonitoringForm.state == wanted.state)
        if wanted.prescriber_id:
            query = query.where(MonitoringForm.prescriber_id == wanted.prescriber_id)
        if wanted.site_id:
            query = query.where(MonitoringForm.site_id == wanted.site_id)
        if wanted.overdue is not None:
            overdue = and_(MonitoringForm.state == rems.OPEN, MonitoringForm.due_at <= now)
            query = query.where(overdue if wanted.overdue else ~overdue)
        order = ((MonitoringForm.done_at.desc(), MonitoringForm.id.desc()) if wanted.state == rems.DONE
                 else (MonitoringForm.due_at, MonitoringForm.id))
        rows = session.execute(query.order_by(*order).limit(LONGEST_LIST)).all()
        return [FormRow(*row, overdue=rems.is_overdue(row.state, row.due_at, now)) for row in rows]


def form_counts(now: datetime) -> FormCounts:
    """How many forms are open, and how many of those are overdue, in one query."""
    with unit_of_work(write=False) as session:
        overdue = func.sum(case((MonitoringForm.due_at <= now, 1), else_=0))
        found = session.execute(select(func.count(), overdue).where(MonitoringForm.state == rems.OPEN)).one()
        return FormCounts(found[0], int(found[1] or 0))


@dataclass(frozen=True)
class FormStep:
    """One step in a form's history: owed, done, reopened (with the reason), by whom and when."""

    at: datetime
    actor: str
    action: str
    reason: str


def form_history(form_id: int) -> list[FormStep]:
    """A form's history from the audit log, oldest first."""
    with unit_of_work(write=False) as session:
        rows = session.execute(select(AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.details)
                               .where(AuditEvent.entity == "rems_form", AuditEvent.entity_id == str(form_id))
                               .order_by(AuditEvent.at, AuditEvent.id)).all()
        return [FormStep(at, actor, action.removeprefix("rems_form."), (details or {}).get("reason", ""))
                for at, actor, action, details in rows]


@dataclass(frozen=True)
class FilterChoices:
    """What the list's filters offer: every site, and every prescriber who owes or owed a form."""

    sites: list[tuple[int, str]]
    prescribers: list[tuple[int, str]]


def filter_choices() -> FilterChoices:
    """The sites and prescribers the list can be narrowed to, by name."""
    with unit_of_work(write=False) as session:
        sites = session.execute(select(Site.id, Site.name).order_by(Site.name)).all()
        owing = select(MonitoringForm.prescriber_id).distinct().scalar_subquery()
        prescribers = session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(owing))
                                      .order_by(Staff.name)).all()
        return FilterChoices([tuple(s) for s in sites], [tuple(p) for p in prescribers])
