"""Scoring PHQ-9, GAD-7, PCL-5 and the pain scale against their published rules, every band edge."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from planner.domain.errors import InvalidData
from planner.domain.outcomes.measures import GAD7, MEASURES, PAIN, PCL5, PHQ9
from planner.domain.outcomes.progress import progress, thresholds
from planner.domain.outcomes.scoring import SELF_HARM, score
from planner.domain.outcomes.trend import Point, series


def answers_totalling(key: str, total: int, spare_last: bool = False) -> list[int]:
    """Answers of a measure that add up to total, filled from item 1 (item 9 of the PHQ-9 kept at 0 if asked)."""
    found = MEASURES[key]
    items, left = [0] * len(found.items), total
    order = range(len(items) - 1) if spare_last else range(len(items))
    for k in order:
        items[k] = min(found.highest_answer, left)
        left -= items[k]
    assert left == 0
    return items


@pytest.mark.parametrize(("total", "band"), [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "moderately severe"), (19, "moderately severe"), (20, "severe"), (27, "severe")])
def test_phq9_totals_fall_in_kroenke_s_bands_at_every_edge(total, band):
    scored = score(PHQ9, answers_totalling(PHQ9, total))
    assert (scored.total, scored.band) == (total, band)


@pytest.mark.parametrize(("total", "band"), [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "severe"), (21, "severe")])
def test_gad7_totals_fall_in_spitzer_s_bands_at_every_edge(total, band):
    scored = score(GAD7, answers_totalling(GAD7, total))
    assert (scored.total, scored.band) == (total, band)


@pytest.mark.parametrize(("total", "at_or_above"), [(0, False), (32, False), (33, True), (80, True)])
def test_pcl5_totals_are_read_against_the_provisional_cut_point_of_33(total, at_or_above):
    scored = score(PCL5, answers_totalling(PCL5, total))
    assert scored.total == total
    assert scored.band == ("at or above the provisional PTSD cut-point" if at_or_above
                           else "below the provisional PTSD cut-point")


@pytest.mark.parametrize("pain", [0, 7, 10])
def test_the_pain_score_is_its_one_answer_and_has_no_band(pain):
    assert (score(PAIN, [pain]).total, score(PAIN, [pain]).band) == (pain, None)


def test_phq9_item_9_above_not_at_all_is_flagged_for_the_prescriber_whatever_the_total():
    quiet = [0] * 8 + [1]
    assert score(PHQ9, quiet).flags == (SELF_HARM,) and score(PHQ9, quiet).band == "minimal"
    assert score(PHQ9, answers_totalling(PHQ9, 24, spare_last=True)).flags == ()


@pytest.mark.parametrize(("key", "answers", "field", "words"), [
    (PHQ9, [0, 1, 2, 4, 0, 0, 0, 0, 0], "items[3]", "PHQ-9 item 4 (Feeling tired or having little energy) must be"),
    (GAD7, [0, 0, 0, 0, 0, 0, -1], "items[6]", "GAD-7 item 7"),
    (PCL5, [0] * 19 + [5], "items[19]", "PCL-5 item 20"),
    (PAIN, [11], "items[0]", "from 0 to 10"),
    (PHQ9, [0] * 8, "items[8]", "PHQ-9 item 9 (Thoughts that you would be better…) is missing"),
    (PHQ9, [0] * 8 + [True], "items[8]", "must be a whole number from 0 to 3"),
    (GAD7, [0] * 6 + ["2"], "items[6]", "must be a whole number from 0 to 3"),
    (PHQ9, [0] * 8 + [1.0], "items[8]", "must be a whole number from 0 to 3"),
])
def test_a_wrong_or_missing_answer_is_refused_naming_its_item(key, answers, field, words):
    with pytest.raises(InvalidData) as refused:
        score(key, answers)
    assert [p.field for p in refused.value.problems] == [field]
    assert words in refused.value.problems[0].message


def test_every_bad_item_is_named_at_once_and_extra_answers_are_refused():
    with pytest.raises(InvalidData) as refused:
        score(GAD7, [9, 0, 9, 0, 0, 0, 0, 0])
    assert [p.field for p in refused.value.problems] == ["items", "items[0]", "items[2]"]


def test_an_unknown_measure_or_answers_not_in_a_list_are_refused_naming_the_field():
    for key, answers, field in (("beck", [0], "measure"), (PHQ9, "000000000", "items"), (PHQ9, None, "items")):
        with pytest.raises(InvalidData) as refused:
            score(key, answers)
        assert refused.value.problems[0].field == field


@pytest.mark.parametrize(("baseline", "latest", "response", "remission"), [
    (18, 9, True, False), (18, 10, False, False), (10, 5, True, False), (10, 4, True, True),
    (6, 4, False, True), (0, 0, False, True)])
def test_phq9_response_is_a_fall_of_half_and_remission_a_total_under_5(baseline, latest, response, remission):
    found = progress(PHQ9, baseline, latest)
    assert (found.response, found.remission) == (response, remission)


def test_the_status_reads_in_words_as_the_prescriber_says_it():
    assert progress(PHQ9, 18, 8).words == "PHQ-9 down 56% from baseline 18: response; not yet remission"
    assert progress(GAD7, 12, 3).words == "GAD-7 down 75% from baseline 12: response; remission"
    assert progress(PHQ9, 12, 14).words == "PHQ-9 up 17% from baseline 12: no response yet; not yet remission"
    assert progress(PHQ9, None, 14).words == "PHQ-9 14: no baseline (no score before the first dose)"


@pytest.mark.parametrize(("baseline", "latest", "meaningful"), [(50, 41, False), (50, 40, True), (12, 0, True)])
def test_pcl5_change_of_10_points_or_more_is_clinically_meaningful(baseline, latest, meaningful):
    found = progress(PCL5, baseline, latest)
    assert found.meaningful is meaningful and found.response is None and found.remission is None
    assert f"down {baseline - latest} points" in found.words


@pytest.mark.parametrize(("baseline", "latest", "meaningful", "substantial"), [
    (10, 8, False, False), (10, 7, True, False), (10, 6, True, False), (10, 5, True, True), (0, 0, False, False)])
def test_pain_falls_of_30_and_50_percent_are_meaningful_and_substantial(baseline, latest, meaningful, substantial):
    found = progress(PAIN, baseline, latest)
    assert (found.meaningful, found.substantial) == (meaningful, substantial)


def test_the_chart_draws_response_at_half_the_baseline_and_remission_at_5():
    assert thresholds(PHQ9, 18) == [("response", 9.0), ("remission (under)", 5)]
    assert thresholds(PCL5, 8) == [("cut-point", 33), ("meaningful change", 0)]
    assert thresholds(PHQ9, None) == [("remission (under)", 5)]


def at(day: int) -> datetime:
    return datetime(2026, 11, day, 14, tzinfo=timezone.utc)


def test_the_baseline_is_the_first_score_before_the_first_dose_and_progress_reads_the_latest():
    points = [Point(3, PHQ9, 9, at(20)), Point(1, PHQ9, 20, at(2)), Point(2, PHQ9, 18, at(3)),
              Point(4, GAD7, 11, at(25))]
    found = {s.measure: s for s in series(points, first_dose_at=at(4))}
    assert found[PHQ9].baseline.total == 20 and [p.total for p in found[PHQ9].points] == [20, 18, 9]
    assert found[PHQ9].progress.response is True
    assert found[GAD7].baseline is None and found[GAD7].progress.response is None
    assert [s.measure for s in series(points, first_dose_at=None)] == [PHQ9, GAD7]
