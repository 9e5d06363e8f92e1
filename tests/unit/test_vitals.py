"""Pre-dose vitals: impossible readings are named by field; only a pressure above the threshold holds a dose."""

from planner.domain.vitals import Threshold, Vitals, above, hold_reason, reading_problems


def test_a_reading_above_140_90_on_either_number_holds_the_dose_and_one_at_it_does_not():
    assert above(Vitals(141, 80, 70), Threshold()) and above(Vitals(130, 91, 70), Threshold())
    assert not above(Vitals(140, 90, 70), Threshold())


def test_the_hold_reason_names_the_threshold_but_never_the_reading_reception_sees_it_on_the_board():
    assert hold_reason(Threshold(150, 90)) == "pre-dose blood pressure above the threshold 150/90"


def test_impossible_readings_name_each_field():
    assert [r.field for r in reading_problems(20, 10, 300)] == ["systolic", "diastolic", "heart_rate"]
    assert [r.field for r in reading_problems(120, 125, 70)] == ["diastolic"]
    assert reading_problems(120, 80, 70) == []


def test_a_site_threshold_lies_between_a_normal_pressure_and_severe_hypertension():
    from planner.domain.vitals import threshold_problems

    assert threshold_problems(120, 80) == [] and threshold_problems(180, 110) == [] and threshold_problems(150, 95) == []
    assert [(r.field, r.message) for r in threshold_problems(119, 111)] == [
        ("systolic", "The systolic threshold must be between 120 and 180 mmHg."),
        ("diastolic", "The diastolic threshold must be between 80 and 110 mmHg.")]
    assert [r.field for r in threshold_problems(181, 79)] == ["systolic", "diastolic"]


def test_a_threshold_typed_the_wrong_way_round_says_so_beside_the_systolic():
    from planner.domain.vitals import threshold_problems

    problems = threshold_problems(90, 140)
    assert [r.field for r in problems] == ["systolic", "diastolic", "systolic"]
    assert problems[-1].message.startswith("The systolic threshold must be above the diastolic")
