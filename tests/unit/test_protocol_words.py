"""A protocol in the clinic's words, and what changed between two versions."""

from __future__ import annotations

from dataclasses import replace

from planner.domain.protocol_library import DEFAULT_PROTOCOLS
from planner.domain.protocol_words import phase_words, protocol_changes, therapy_words
from planner.domain.protocols import AFTER_DOSE, BEFORE_FIRST, Phase, TherapyLink

NAMES = {"preparation": "Preparation", "integration": "Integration", "iv-infusion": "IV infusion",
         "esketamine": "Esketamine nasal spray"}
INDUCTION = DEFAULT_PROTOCOLS[0]


def test_a_phase_says_its_doses_gaps_weekly_count_and_window():
    assert phase_words(INDUCTION.phases[0]) == ["6 doses", "1 to 7 days apart", "2 to 3 a week",
                                                "all within 21 days of the first"]


def test_consecutive_days_and_a_later_phases_start_are_said_plainly():
    assert phase_words(Phase("series", 5, 1, 1)) == ["5 doses", "on consecutive days"]
    assert phase_words(Phase("weekly", 4, 6, None, None, 1, None, (5, 9)), first=False) == [
        "4 doses", "at least 6 days apart", "at most 1 a week", "starts 5 to 9 days after the last dose before it"]


def test_therapy_before_dose_one_and_after_named_doses_is_said_in_days():
    assert therapy_words(TherapyLink("preparation", BEFORE_FIRST, None, -21, -1, 2), NAMES) == \
        "2 × Preparation, 1 to 21 days before dose 1"
    assert therapy_words(TherapyLink("integration", AFTER_DOSE, (1, 3), 1, 2), NAMES) == \
        "1 × Integration, 1 to 2 days after doses 1, 3"
    assert therapy_words(TherapyLink("integration", AFTER_DOSE, None, 0, 0), NAMES) == \
        "1 × Integration, the same day as every dose"


def test_an_unchanged_version_has_no_changes_and_each_kind_of_change_is_named():
    assert protocol_changes(INDUCTION, INDUCTION, NAMES) == []
    later = replace(INDUCTION, name="IV induction 2027", phases=(replace(INDUCTION.phases[0], window_days=28),
                                                                 Phase("booster", 1)),
                    therapy=INDUCTION.therapy[:1], missed_dose_policy="keep_schedule", notes="Weigh first")
    changes = protocol_changes(INDUCTION, later, NAMES)
    assert changes == [
        "Name: “IV ketamine, depression induction” became “IV induction 2027”.",
        "Missed doses: A missed dose is not made up: the course keeps its planned schedule "
        "(esketamine induction label).",
        "Phase 1 (induction): all within 21 days of the first became all within 28 days of the first.",
        "Phase 2 added: booster, 1 dose, starts at least 1 days after the last dose before it.",
        "Psychotherapy removed: 1 × Integration, 1 to 3 days after every dose.",
        "Notes changed.",
    ]
