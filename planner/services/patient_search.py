"""Finding a patient as reception types: by name (forgiving), MRN, date of birth or phone digits."""

from __future__ import annotations

from dataclasses import dataclass

from planner.db import patient_rows
from planner.db.patient_rows import PatientHit
from planner.db.uow import unit_of_work
from planner.domain.patient_search import SearchTerms, fold, name_matches, read_query

LIMIT = 20
# Best first: the MRN typed in full, then a date of birth or phone match, then names, then MRN prefixes.
_EXACT_MRN, _BORN_OR_DIALLED, _NAME, _MRN_PREFIX = range(4)


@dataclass(frozen=True)
class SearchResult:
    """The patients a query found, best first, at most LIMIT; `more` when others matched too."""

    terms: SearchTerms
    hits: list[PatientHit]
    more: bool


def search_patients(raw: str, limit: int = LIMIT) -> SearchResult:
    """The patients matching what was typed; an empty query finds no one (the page asks to type)."""
    terms = read_query(raw)
    if terms.empty:
        return SearchResult(terms, [], False)
    with unit_of_work(write=False) as session:
        everyone = patient_rows.names_and_mrns(session)
        also = set(patient_rows.born_on_or_dialling(session, terms.birth_date, terms.phone_digits))
        ranked = sorted(_ranks(terms, everyone, also))
        shown = [patient_id for _, _, patient_id in ranked[:limit]]
        found = patient_rows.hits(session, shown)
    return SearchResult(terms, [found[i] for i in shown if i in found], len(ranked) > limit)


def _ranks(terms: SearchTerms, everyone: list[tuple[int, str, str]], also: set[int]):
    """(rank, folded name, id) of each patient the terms match."""
    typed_mrn = fold(terms.text.replace(" ", ""))
    for patient_id, name, mrn in everyone:
        folded_mrn = fold(mrn)
        if folded_mrn == typed_mrn:
            rank = _EXACT_MRN
        elif patient_id in also:
            rank = _BORN_OR_DIALLED
        elif name_matches(terms.words, name):
            rank = _NAME
        elif folded_mrn.startswith(typed_mrn):
            rank = _MRN_PREFIX
        else:
            continue
        yield rank, fold(name), patient_id
