"""Finding a patient as reception types: by name (forgiving), MRN, date of birth or phone digits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from planner.db import patient_rows
from planner.db.models import Patient
from planner.db.patient_rows import PatientHit
from planner.db.uow import unit_of_work
from planner.domain.errors import NotFound
from planner.domain.patient_search import SearchTerms, read_query

LIMIT = 20


@dataclass(frozen=True)
class SearchResult:
    """The patients a query found, best first, at most LIMIT; `more` when others matched too."""

    terms: SearchTerms
    hits: list[PatientHit]
    more: bool


def search_patients(raw: str, limit: int = LIMIT) -> SearchResult:
    """The patients matching what was typed, best first; an empty query finds no one (the page asks to type)."""
    terms = read_query(raw)
    if terms.empty:
        return SearchResult(terms, [], False)
    # An MRN is typed without spaces; MRNs are matched in lower case (they are ASCII in practice).
    mrn = terms.text.replace(" ", "").lower()
    with unit_of_work(write=False) as session:
        found = patient_rows.matching(session, terms.words, mrn, terms.birth_date, terms.phone_digits, limit + 1)
    return SearchResult(terms, found[:limit], len(found) > limit)


@dataclass(frozen=True)
class PatientBrief:
    """A patient as a page that works for one names them: who, and their home site."""

    id: int
    name: str
    mrn: str
    home_site_id: int | None


def patient_brief(patient_id: int) -> PatientBrief:
    """One patient's name, MRN and home site, or NotFound."""
    with unit_of_work(write=False) as session:
        row = session.execute(select(Patient.id, Patient.name, Patient.mrn, Patient.home_site_id)
                              .where(Patient.id == patient_id)).first()
        if row is None:
            raise NotFound("patient", patient_id)
        return PatientBrief(*row)
