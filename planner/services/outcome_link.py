"""What the patient's link offers of the questionnaires: which to answer before their appointment, and which are done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select

from planner.db.models import LinkUse, OutcomeEntry, Session, SessionType
from planner.db.models.outcomes import PATIENT_LINK
from planner.db.uow import unit_of_work
from planner.domain import lifecycle
from planner.domain.clinic import DOSING_KINDS
from planner.domain.links import read_link
from planner.domain.outcomes.measures import MEASURES, PHQ9
from planner.domain.patient_page import OK, USED, link_verdict


@dataclass(frozen=True)
class LinkQuestions:
    """The questionnaires a link offers: none unless it is good and its appointment a dose still to come."""

    measures: tuple[str, ...] = ()
    answered: frozenset[str] = frozenset()

    @property
    def open(self) -> tuple[str, ...]:
        """The measures still to answer."""
        return tuple(key for key in self.measures if key not in self.answered)


def link_questions(token: str, secret: str, now: datetime) -> LinkQuestions:
    """The questionnaires this link may answer now (the link's own rules: good, or just used to confirm)."""
    claim = read_link(token, secret, now)
    if not claim.session_id:
        return LinkQuestions()
    with unit_of_work(write=False) as session:
        found = session.execute(select(Session, SessionType.kind).join(SessionType)
                                .where(Session.id == claim.session_id)).first()
        if found is None:
            return LinkQuestions()
        row, kind = found
        used = session.scalar(select(exists().where(LinkUse.session_id == row.id, LinkUse.version == claim.version)))
        if link_verdict(claim, row.version, bool(used)) not in (OK, USED) or row.status not in lifecycle.MOVABLE \
                or kind not in DOSING_KINDS:
            return LinkQuestions()
        # The measures the course (or, outside a course, the patient) is followed with; else the PHQ-9.
        wanted = OutcomeEntry.course_id == row.course_id if row.course_id is not None \
            else OutcomeEntry.patient_id == row.patient_id
        tracked = set(session.scalars(select(OutcomeEntry.measure).where(wanted).distinct()))
        answered = frozenset(session.scalars(select(OutcomeEntry.measure).where(
            OutcomeEntry.session_id == row.id, OutcomeEntry.source == PATIENT_LINK)))
    return LinkQuestions(tuple(key for key in MEASURES if key in tracked) or (PHQ9,), answered)
