"""Validated input for an outcome entry: the API's body and the pages' forms read into this."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from planner.domain.outcomes.measures import MEASURES
from planner.services.inputs import Id, Instant, Strict

Measure = Literal[tuple(MEASURES)]  # type: ignore[valid-type]


class OutcomeIn(Strict):
    """One questionnaire answered before a dose; the product scores it from the items."""

    measure: Measure
    # Whole numbers here; the range of each is the measure's and is checked item by item
    # (planner/domain/outcomes/scoring.py), so a refusal names the item and its wording.
    items: list[int] = Field(max_length=20, description="The answers, item 1 first: 0-3 (PHQ-9, GAD-7), "
                                                        "0-4 (PCL-5), 0-10 (pain).")
    taken_at: Instant | None = Field(None, description="When it was answered; now if left out. Not in the future.")
    course_id: Id | None = Field(None, description="The patient's course; the linked session's course if left out.")
    session_id: Id | None = Field(None, description="The patient's session it was taken before.")
    supersedes: Id | None = Field(None, description="An entry of the same patient and measure this one corrects.")
