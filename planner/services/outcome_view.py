"""Reading a course's outcome measures: every entry (corrections marked), the series, dose days, the status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from planner.db.models import Course, OutcomeEntry, Session, Site
from planner.db.uow import unit_of_work
from planner.domain import lifecycle
from planner.domain.courses import DOSE
from planner.domain.errors import NotFound
from planner.domain.outcomes.measures import MEASURES
from planner.domain.outcomes.scoring import SELF_HARM, band_of, score
from planner.domain.outcomes.trend import Point, Series, series



@dataclass(frozen=True)
class EntryRow:
    """One entry as the course's list shows it."""

    id: int
    measure: str
    items: tuple[int, ...]
    total: int
    band: str | None
    flags: tuple[str, ...]
    taken_at: datetime
    entered_by: str
    session_id: int | None
    supersedes: int | None
    superseded_by: int | None


@dataclass(frozen=True)
class CourseOutcomes:
    """A course's outcome measures: the entries, the series per measure, and the dose days to mark."""

    course_id: int
    patient_id: int
    zone: str
    entries: list[EntryRow]          # newest first, superseded ones included (marked)
    series: list[Series]
    doses: list[tuple[int, datetime]]  # (dose number, start) of every dose not cancelled or missed
    first_dose_at: datetime | None

    @property
    def flagged(self) -> list[EntryRow]:
        """Current entries with PHQ-9 item 9 answered above "not at all", newest first."""
        return [e for e in self.entries if e.superseded_by is None and SELF_HARM in e.flags]


def course_outcomes(course_id: int) -> CourseOutcomes:
    """Everything the course's outcome section and API show; NotFound for no such course."""
    with unit_of_work(write=False) as session:
        found = session.execute(select(Course.patient_id, Site.timezone).join(Site, Site.id == Course.site_id)
                                .where(Course.id == course_id)).first()
        if found is None:
            raise NotFound("course", course_id)
        later = aliased(OutcomeEntry)
        # Plain rows, not ORM objects: the unit of work's rollback would expire those, and each
        # entry would then be read again one by one.
        rows = session.execute(select(OutcomeEntry.id, OutcomeEntry.measure, OutcomeEntry.items, OutcomeEntry.total,
                                      OutcomeEntry.taken_at, OutcomeEntry.entered_by, OutcomeEntry.session_id,
                                      OutcomeEntry.supersedes_id, later.id)
                               .outerjoin(later, later.supersedes_id == OutcomeEntry.id)
                               .where(OutcomeEntry.course_id == course_id)
                               .order_by(OutcomeEntry.taken_at.desc(), OutcomeEntry.id.desc())).all()
        doses = session.execute(select(Session.dose_number, Session.starts_at)
                                .where(Session.course_id == course_id, Session.purpose == DOSE,
                                       Session.status.not_in(lifecycle.RELEASED))
                                .order_by(Session.starts_at)).all()
    entries = [_row(*row) for row in rows]
    first = doses[0][1] if doses else None
    points = [Point(e.id, e.measure, e.total, e.taken_at, e.flags) for e in entries if e.superseded_by is None]
    return CourseOutcomes(course_id, found[0], found[1], entries, series(points, first),
                          [(n or 0, at) for n, at in doses], first)


def _row(entry_id: int, measure: str, items: list, total: int, taken_at: datetime, entered_by: str,
         session_id: int | None, supersedes: int | None, superseded_by: int | None) -> EntryRow:
    scored = score(measure, list(items))
    return EntryRow(entry_id, measure, scored.items, total, band_of(MEASURES[measure], total), scored.flags, taken_at,
                    entered_by, session_id, supersedes, superseded_by)
