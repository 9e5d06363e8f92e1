"""Pre-dose vitals at check-in: which readings are possible, and which hold a dose for prescriber review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.domain.errors import Reason
from planner.domain.staffing import PRESCRIBERS, StaffMember

# domain.md "Before, at and after a session": above the clinic's threshold (default 140/90) the
# dose is held for prescriber review. "Above" is strict: 140/90 itself may go on.
DEFAULT_SYSTOLIC = 140
DEFAULT_DIASTOLIC = 90

# A site's own threshold stays where a clinic can defend it (domain.md, "The check-in gate"): not
# under 120/80, a normal pressure (ACC/AHA 2017), which would hold patients with nothing to review;
# not over 180/110, where severe (grade 3) hypertension begins (ESC/ESH 2018), which no clinic doses
# through without a prescriber's look.
THRESHOLD_BOUNDS = {"systolic": (120, 180), "diastolic": (80, 110)}

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
    """Why a site's threshold is not one a clinic could use, each naming its field (empty when it is).

    The order is checked even when a number is out of bounds: two numbers typed the wrong way
    round are told so at once, not one bound at a time.
    """
    problems = []
    for field, value in (("systolic", systolic), ("diastolic", diastolic)):
        low, high = THRESHOLD_BOUNDS[field]
        if not low <= value <= high:
            problems.append(Reason("out_of_bounds", f"The {field} threshold must be between {low} and {high} mmHg.",
                                   field))
    if diastolic >= systolic:
        problems.append(Reason("impossible", "The systolic threshold must be above the diastolic (are the two "
                                             "the wrong way round?).", "systolic"))
    return problems


def above(vitals: Vitals, threshold: Threshold) -> bool:
    """True when the blood pressure is above the threshold on either number, so the dose is held."""
    return vitals.systolic > threshold.systolic or vitals.diastolic > threshold.diastolic


def hold_reason(threshold: Threshold) -> str:
    """The reason a held dose shows everyone who sees it (the board, its history), in the clinic's words.

    Not the reading itself: the board and the history are read by reception too, who never read a
    patient's vitals (issue 13, part 7). The reading is on the session's page, for the patient's
    clinicians, and in the vitals it was recorded with.
    """
    return f"pre-dose blood pressure above the threshold {threshold}"


def review_refusal(member: StaffMember | None, day: date) -> Reason | None:
    """Why this staff member (None: an account linked to nobody) may not review a held dose on day; None when they may.

    domain.md: the dose is held for prescriber review. A prescriber is an MD, DO, NP or PA
    (staffing.PRESCRIBERS, as for the supervising role) whose licence is valid on the dose's local
    day (Credential.valid_on, as a booking judges it).
    """
    if member is None:
        return Reason("not_a_prescriber", "Only a prescriber may clear or hold a dose, and this account is not "
                                          "linked to a member of staff.", "reviewer")
    if not member.disciplines & PRESCRIBERS:
        return Reason("not_a_prescriber", f"Only a prescriber (MD, DO, NP or PA) may clear or hold a dose; "
                                          f"{member.label()} is not one.", "reviewer")
    if not member.active:
        return Reason("not_in_service", f"{member.name} is no longer in service: only a prescriber in service may "
                                        "clear or hold a dose.", "reviewer")
    if member.missing_credentials(("licence",), day):
        return Reason("licence_not_valid", f"{member.name}'s licence is not valid on {day:%a %d %b %Y}, the day of "
                                           "the dose: only a licensed prescriber may clear or hold it.", "reviewer")
    return None
