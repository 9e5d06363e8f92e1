"""Change from a course's baseline: response, remission and meaningful change, as each measure defines them.

The baseline is the first score of a measure taken before the course's first dose. Rules:
- PHQ-9: response is a fall of 50% or more from baseline; remission is a total under 5 (Kroenke
  2001; Löwe B et al., Med Care 2004;42:1194-1201, which uses the same definitions for monitoring).
- GAD-7: by the same convention, response is a fall of 50% or more, remission a total under 5
  (5 is the GAD-7's own "mild" cut point, Spitzer 2006).
- PCL-5: the National Center for PTSD treats a fall of 10 points or more as clinically meaningful
  change (5-10 points as reliable change only); it defines no remission.
- Pain (0-10): a fall of 30% or more is a clinically important difference (Farrar JT et al., Pain
  2001;94:149-158); 50% or more is substantial (IMMPACT: Dworkin RH et al., J Pain 2008;9:105-121).
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.outcomes.measures import GAD7, MEASURES, PAIN, PCL5, PCL5_CUT_POINT, PHQ9

RESPONSE_FALL = {PHQ9: 0.5, GAD7: 0.5}       # share of the baseline total
REMISSION_BELOW = {PHQ9: 5, GAD7: 5}         # a total under this is remission
PCL5_MEANINGFUL_POINTS = 10
PAIN_MEANINGFUL_FALL, PAIN_SUBSTANTIAL_FALL = 0.3, 0.5


@dataclass(frozen=True)
class Progress:
    """How the latest score stands against the baseline, and the lines the chart draws."""

    measure: str
    baseline: int | None
    latest: int | None
    change_percent: int | None   # negative: a fall; None without both scores or from a baseline of 0
    response: bool | None        # None: the measure defines none, or no baseline yet
    remission: bool | None
    meaningful: bool | None      # PCL-5: 10 points or more; pain: 30% or more
    substantial: bool | None     # pain: 50% or more
    words: str                   # "PHQ-9 down 56% from baseline 18: response; not yet remission"


def thresholds(measure_key: str, baseline: int | None) -> list[tuple[str, float]]:
    """The lines the trend chart draws for this measure and baseline: (label, total)."""
    lines: list[tuple[str, float]] = []
    if baseline is not None and measure_key in RESPONSE_FALL:
        lines.append(("response", baseline * (1 - RESPONSE_FALL[measure_key])))
    if measure_key in REMISSION_BELOW:
        lines.append(("remission (under)", REMISSION_BELOW[measure_key]))
    if measure_key == PCL5:
        lines.append(("cut-point", PCL5_CUT_POINT))
    if baseline is not None and measure_key == PCL5:
        lines.append(("meaningful change", max(0, baseline - PCL5_MEANINGFUL_POINTS)))
    if baseline is not None and measure_key == PAIN:
        lines.append(("meaningful (30%)", baseline * (1 - PAIN_MEANINGFUL_FALL)))
        lines.append(("substantial (50%)", baseline * (1 - PAIN_SUBSTANTIAL_FALL)))
    return lines


def progress(measure_key: str, baseline: int | None, latest: int | None) -> Progress:
    """Response, remission and meaningful change of `latest` against `baseline`, with the status in words."""
    name = MEASURES[measure_key].name
    if baseline is None or latest is None:
        words = f"{name}: no score yet" if latest is None else \
            f"{name} {latest}: no baseline (no score before the first dose)"
        return Progress(measure_key, baseline, latest, None, None, None, None, None, words)
    fall = baseline - latest
    # A fall from a baseline of 0 has no percentage: nothing can fall by half of nothing.
    share = fall / baseline if baseline else None
    percent = None if share is None else -round(share * 100)
    response = remission = meaningful = substantial = None
    verdicts: list[str] = []
    if measure_key in RESPONSE_FALL:
        response = share is not None and share >= RESPONSE_FALL[measure_key]
        remission = latest < REMISSION_BELOW[measure_key]
        verdicts = ["response" if response else "no response yet", "remission" if remission else "not yet remission"]
    elif measure_key == PCL5:
        meaningful = fall >= PCL5_MEANINGFUL_POINTS
        verdicts = ["clinically meaningful change" if meaningful else "no meaningful change yet"]
    else:
        meaningful = share is not None and share >= PAIN_MEANINGFUL_FALL
        substantial = share is not None and share >= PAIN_SUBSTANTIAL_FALL
        verdicts = ["substantial relief" if substantial else "meaningful relief" if meaningful
                    else "no meaningful relief yet"]
    return Progress(measure_key, baseline, latest, percent, response, remission, meaningful, substantial,
                    f"{name} {_moved(fall, percent, measure_key)} from baseline {baseline}: {'; '.join(verdicts)}")


def _moved(fall: int, percent: int | None, measure_key: str) -> str:
    if fall == 0:
        return "unchanged"
    direction = "down" if fall > 0 else "up"
    # PCL-5's rule is in points, so its words are too; the others speak in percent.
    if measure_key == PCL5 or percent is None:
        return f"{direction} {abs(fall)} point{'s' if abs(fall) != 1 else ''}"
    return f"{direction} {abs(percent)}%"
