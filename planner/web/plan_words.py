"""A plan's score in plain words, and why each offered plan ranks where it does."""

from __future__ import annotations

from collections.abc import Sequence

# The score, compared in this order (docs/planning.md "Soft goals"): lower is better.
GOALS = ("ends", "off_time", "split", "changes")


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def score_words(score: Sequence[int]) -> list[str]:
    """Each part of a score as a short sentence reception can read out."""
    ends, off_time, split, changes = score
    return [
        f"Ends {_plural(ends, 'day')} after the first day it could start.",
        "Every dose at the same time of day." if off_time == 0
        else f"{_plural(off_time, 'dose')} off the usual time.",
        "One therapist for all psychotherapy." if split == 0 else "Psychotherapy shared between therapists.",
        "Same chair and team for every dose." if changes == 0
        else f"{_plural(changes, 'change')} of chair or staff between doses.",
    ]


def rank_words(scores: list[Sequence[int]]) -> list[str]:
    """For each plan (best first), one sentence on why it ranks where it does against the best."""
    if not scores:
        return []
    said = [_best_words(scores)]
    best = scores[0]
    for score in scores[1:]:
        said.append(_against_best(best, score))
    return said


def _best_words(scores: list[Sequence[int]]) -> str:
    if len(scores) < 2 or scores[0][0] < scores[1][0]:
        return "Recommended: it ends soonest."
    if tuple(scores[0]) == tuple(scores[1]):
        return "Recommended: it ends soonest; the next plan is just as good at another time of day."
    return "Recommended: of the plans that end soonest, it keeps doses and people the most steady."


def _against_best(best: Sequence[int], score: Sequence[int]) -> str:
    """The first goal on which the plan loses to the best, in words."""
    ends, off_time, split, changes = (b - a for a, b in zip(best, score))
    if ends > 0:
        return f"Ranked lower: it ends {_plural(ends, 'day')} later than the recommended plan."
    if off_time > 0:
        return (f"Ranked lower: it ends the same day, but {_plural(off_time, 'more dose')} "
                "fall off the usual time.") if off_time > 1 else \
            "Ranked lower: it ends the same day, but one more dose falls off the usual time."
    if split > 0:
        return "Ranked lower: it ends the same day, but psychotherapy is shared between therapists."
    if changes > 0:
        return f"Ranked lower: it ends the same day, with {_plural(changes, 'more change')} of chair or staff."
    return "Equally good on every goal: a different time of day, if that suits the patient better."
