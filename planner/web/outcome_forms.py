"""Reading a questionnaire's form (staff's and the patient's): one radio group per item, errors back per item."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from planner.domain.errors import InvalidData
from planner.domain.outcomes.measures import Measure


def answers_from(form: MultiDict, measure: Measure) -> tuple[dict[int, str], list[int | None]]:
    """What was chosen per item (to show it again) and the answers to score: None for none, -1 for nonsense."""
    given = {k: form.get(f"item_{k + 1}", "") for k in range(len(measure.items))}
    # Anything but a small whole number becomes -1, which the scoring refuses naming its item.
    answers = [int(v) if v.isascii() and v.isdigit() and len(v) <= 2 else (None if not v else -1)
               for v in given.values()]
    return given, answers


def item_errors(invalid: InvalidData) -> tuple[dict[int, str], list[str]]:
    """The refusal's messages per item (0-based, for beside each question) and those about anything else."""
    per_item = {int(p.field[6:-1]): p.message for p in invalid.problems if (p.field or "").startswith("items[")}
    other = [p.message for p in invalid.problems if not (p.field or "").startswith("items[")]
    return per_item, other
