"""The four outcome measures as published: their items' wording, answer scales and score bands.

docs/domain.md, "Outcome measures", states these rules for people.

Sources (each number below cites one of these):
- PHQ-9: Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity
  measure. J Gen Intern Med 2001;16:606-613. Nine items 0-3 ("not at all" to "nearly every day"),
  total 0-27; 5, 10, 15 and 20 are the cut points of mild, moderate, moderately severe and severe.
  The item wording is the PHQ-9's own (Pfizer; free to reproduce, no permission needed).
- GAD-7: Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized
  anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092-1097. Seven items 0-3, total 0-21;
  5, 10 and 15 are the cut points of mild, moderate and severe.
- PCL-5: Weathers FW et al., The PTSD Checklist for DSM-5 (PCL-5), National Center for PTSD, 2013
  (public domain); Blevins CA et al., J Trauma Stress 2015;28:489-498. Twenty items 0-4 ("not at
  all" to "extremely"), total 0-80. The National Center for PTSD gives a provisional PTSD cut-point
  "of 31-33"; we use 33, the top of that range, so fewer people are flagged by chance. It publishes
  no severity bands ("there are currently no empirically derived severity ranges").
- Pain: the 11-point numeric rating scale (0 no pain, 10 worst pain imaginable), one item.
"""

from __future__ import annotations

from dataclasses import dataclass

PHQ9, GAD7, PCL5, PAIN = "phq9", "gad7", "pcl5", "pain"

FREQUENCY = ("Not at all", "Several days", "More than half the days", "Nearly every day")
BOTHER = ("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")
PAIN_SCALE = ("0 (no pain)", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10 (worst pain imaginable)")


@dataclass(frozen=True)
class Band:
    """A published severity band: totals from `lowest` up to the next band's lowest."""

    lowest: int
    name: str


@dataclass(frozen=True)
class Measure:
    """One questionnaire: its items in order, the answers each takes, and how totals are read."""

    key: str
    name: str
    stem: str                       # the question every item answers
    items: tuple[str, ...]
    answers: tuple[str, ...]        # answer k scores k
    bands: tuple[Band, ...]         # empty: the measure publishes none

    @property
    def highest_answer(self) -> int:
        return len(self.answers) - 1

    @property
    def highest_total(self) -> int:
        return self.highest_answer * len(self.items)


PHQ9_MEASURE = Measure(
    PHQ9, "PHQ-9", "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    ("Little interest or pleasure in doing things",
     "Feeling down, depressed, or hopeless",
     "Trouble falling or staying asleep, or sleeping too much",
     "Feeling tired or having little energy",
     "Poor appetite or overeating",
     "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
     "Trouble concentrating on things, such as reading the newspaper or watching television",
     "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety "
     "or restless that you have been moving around a lot more than usual",
     "Thoughts that you would be better off dead or of hurting yourself in some way"),
    FREQUENCY,
    # Kroenke 2001: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe.
    (Band(0, "minimal"), Band(5, "mild"), Band(10, "moderate"), Band(15, "moderately severe"), Band(20, "severe")))

GAD7_MEASURE = Measure(
    GAD7, "GAD-7", "Over the last 2 weeks, how often have you been bothered by the following problems?",
    ("Feeling nervous, anxious, or on edge",
     "Not being able to stop or control worrying",
     "Worrying too much about different things",
     "Trouble relaxing",
     "Being so restless that it is hard to sit still",
     "Becoming easily annoyed or irritable",
     "Feeling afraid, as if something awful might happen"),
    FREQUENCY,
    # Spitzer 2006: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe.
    (Band(0, "minimal"), Band(5, "mild"), Band(10, "moderate"), Band(15, "severe")))

PCL5_MEASURE = Measure(
    PCL5, "PCL-5", "In the past month, how much were you bothered by:",
    ("Repeated, disturbing, and unwanted memories of the stressful experience?",
     "Repeated, disturbing dreams of the stressful experience?",
     "Suddenly feeling or acting as if the stressful experience were actually happening again (as if you were "
     "actually back there reliving it)?",
     "Feeling very upset when something reminded you of the stressful experience?",
     "Having strong physical reactions when something reminded you of the stressful experience (for example, "
     "heart pounding, trouble breathing, sweating)?",
     "Avoiding memories, thoughts, or feelings related to the stressful experience?",
     "Avoiding external reminders of the stressful experience (for example, people, places, conversations, "
     "activities, objects, or situations)?",
     "Trouble remembering important parts of the stressful experience?",
     "Having strong negative beliefs about yourself, other people, or the world (for example, having thoughts "
     "such as: I am bad, there is something seriously wrong with me, no one can be trusted, the world is "
     "completely dangerous)?",
     "Blaming yourself or someone else for the stressful experience or what happened after it?",
     "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
     "Loss of interest in activities that you used to enjoy?",
     "Feeling distant or cut off from other people?",
     "Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving "
     "feelings for people close to you)?",
     "Irritable behavior, angry outbursts, or acting aggressively?",
     "Taking too many risks or doing things that could cause you harm?",
     "Being “superalert” or watchful or on guard?",
     "Feeling jumpy or easily startled?",
     "Having difficulty concentrating?",
     "Trouble falling or staying asleep?"),
    BOTHER,
    # National Center for PTSD: provisional PTSD at a total of 31-33 or more; we take 33 (see above).
    # No severity bands are published, so the two "bands" are only below and at or above the cut-point.
    (Band(0, "below the provisional PTSD cut-point"), Band(33, "at or above the provisional PTSD cut-point")))

PAIN_MEASURE = Measure(
    PAIN, "Pain (0–10)", "On a scale of 0 to 10, where 0 is no pain and 10 is the worst pain you can imagine, "
    "how much pain do you have right now?",
    ("Pain right now",),
    PAIN_SCALE,
    # The numeric rating scale has no published severity bands that this product relies on.
    ())

MEASURES: dict[str, Measure] = {m.key: m for m in (PHQ9_MEASURE, GAD7_MEASURE, PCL5_MEASURE, PAIN_MEASURE)}
# Kroenke 2001 / the PHQ-9's instructions: any answer above "not at all" to item 9 needs the
# clinician's attention at once, whatever the total.
SELF_HARM_ITEM = 8   # 0-based: PHQ-9 item 9
PCL5_CUT_POINT = 33


def measure(key: str) -> Measure:
    """The measure with this key; KeyError for any other."""
    return MEASURES[key]
