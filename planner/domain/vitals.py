"""Pre-dose vitals at check-in: which readings are possible, and which hold a dose for prescriber review."""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.errors import Reason

# domain.md "Before, at and after a session": above the clinic's threshold (default 140/90) the
# dose is held for prescriber review. "Above" is strict: 140/90 itself may go on.
DEFAULT_SYSTOLIC = 140
DEFAULT_DIASTOLIC = 90

# Readings outside these bounds are typing errors, not patients: refused before anything is written.
_BOUNDS = {"systolic": (50, 300), "diastolic": (20, 200), "heart_rate": (20, 250)}
_WORDS = {"systolic": "Systolic pressure", "diastolic": "Diastolic pressure", "heart_rate": "Heart rate"}
_UNITS = {"systolic": "mmHg", "diastolic": "mmHg", "heart_rate": "beats a minute"}


@dataclass(frozen=True)
class Threshold:
    """The blood pressure above which a site holds a dose (systolic/diastolic, mmHg)."""

    systolic: int = DEFAULT_SYSTOLIC
    diastolic: int = DEFAULT_DIASTOLIC

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic}"


@dataclass(frozen=True)
class Vitals:
    """One pre-dose reading: blood pressure (mmHg) and heart rate (beats a minute)."""

    systolic: int
    diastolic: int
    heart_rate: int


def reading_problems(systolic: int, diastolic: int, heart_rate: int) -> list[Reason]:
    """Why these numbers cannot be a real reading, each naming its field (empty when they can)."""
    problems = []
    for field, value in (("systolic", systolic), ("diastolic", diastolic), ("heart_rate", heart_rate)):
        low, high = _BOUNDS[field]
        if not low <= value <= high:
            problems.append(Reason("impossible", f"{_WORDS[field]} must be between {low} and {high} "
                                                 f"{_UNITS[field]}.", field))
    if not problems and diastolic >= systolic:
        problems.append(Reason("impossible", "The diastolic pressure must be below the systolic.", "diastolic"))
    return problems


def threshold_problems(systolic: int, diastolic: int) -> list[Reason]:
    """Why a site's threshold is not one a clinic could use (empty when it is)."""
    return reading_problems(systolic, diastolic, 60)


def above(vitals: Vitals, threshold: Threshold) -> bool:
    """True when the blood pressure is above the threshold on either number, so the dose is held."""
    return vitals.systolic > threshold.systolic or vitals.diastolic > threshold.diastolic


def hold_reason(vitals: Vitals, threshold: Threshold) -> str:
    """The reason a held dose shows its reviewer, in the clinic's words."""
    return f"blood pressure {vitals.systolic}/{vitals.diastolic} above {threshold}"
