"""Scoring a questionnaire from its answers, checked item by item, as the published rules say."""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.errors import InvalidData, Reason
from planner.domain.outcomes.measures import MEASURES, PHQ9, SELF_HARM_ITEM, Measure

SELF_HARM = "self_harm_item"


@dataclass(frozen=True)
class Score:
    """A questionnaire's total, its published band, and anything the prescriber must see at once."""

    measure: str
    items: tuple[int, ...]
    total: int
    band: str | None          # None where the measure publishes no bands (pain)
    flags: tuple[str, ...]    # SELF_HARM: PHQ-9 item 9 answered above "not at all"


def check_answers(measure_key: object, answers: object) -> tuple[Measure, tuple[int, ...]]:
    """The measure and its answers as whole numbers, or InvalidData naming each item that is missing or wrong."""
    if not isinstance(measure_key, str) or measure_key not in MEASURES:
        raise InvalidData([Reason("unknown_measure", f"The measure must be one of {', '.join(MEASURES)}.",
                                  "measure")])
    found = MEASURES[measure_key]
    if not isinstance(answers, (list, tuple)):
        raise InvalidData([Reason("not_a_list", f"Send the {found.name}'s {len(found.items)} answers as a list, "
                                                "item 1 first.", "items")])
    problems = [Reason("wrong_count", f"The {found.name} has {len(found.items)} items; {len(answers)} "
                                      f"answer{'s were' if len(answers) != 1 else ' was'} sent.", "items")] \
        if len(answers) > len(found.items) else []
    for k in range(len(found.items)):
        answer = answers[k] if k < len(answers) else None
        # bool is an int in Python: True must not pass for 1.
        if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= found.highest_answer:
            said = "is missing" if answer is None else f"must be a whole number from 0 to {found.highest_answer}"
            problems.append(Reason("missing" if answer is None else "out_of_range",
                                   f"{found.name} item {k + 1} ({_short(found.items[k])}) {said}.", f"items[{k}]"))
    if problems:
        raise InvalidData(problems)
    return found, tuple(answers)


def score(measure_key: object, answers: object) -> Score:
    """Score a questionnaire: the sum of its items (each checked), its band and its flags."""
    found, items = check_answers(measure_key, answers)
    total = sum(items)
    flags = (SELF_HARM,) if found.key == PHQ9 and items[SELF_HARM_ITEM] > 0 else ()
    return Score(found.key, items, total, band_of(found, total), flags)


def band_of(found: Measure, total: int) -> str | None:
    """The published band a total falls in (the highest band whose lowest total it reaches)."""
    named = [band.name for band in found.bands if total >= band.lowest]
    return named[-1] if named else None


def _short(wording: str) -> str:
    # Enough of the item's wording to recognise it beside its number.
    words = wording.split()
    return " ".join(words[:6]) + ("…" if len(words) > 6 else "")
