"""A protocol in the clinic's words: each phase's cadence, each therapy link, and what changed between versions."""

from __future__ import annotations

from collections.abc import Mapping

from planner.domain.protocols import BEFORE_FIRST, Phase, Protocol, TherapyLink

MISSED_DOSE_WORDS = {
    "replan": "A missed dose is re-planned: the rest of the course moves to keep the cadence.",
    "keep_schedule": "A missed dose is not made up: the course keeps its planned schedule (esketamine induction label).",
}


def _days(n: int) -> str:
    return f"{n} day" if abs(n) == 1 else f"{n} days"


def _span(low: int, high: int | None, unit: str) -> str:
    if high is None:
        return f"at least {low} {unit}"
    return f"{low} {unit}" if low == high else f"{low} to {high} {unit}"


def phase_words(phase: Phase, first: bool = True) -> list[str]:
    """A phase's cadence as short phrases: doses, gaps, doses a week, window, start after the phase before."""
    words = [f"{phase.doses} dose" + ("" if phase.doses == 1 else "s")]
    if phase.doses > 1:
        if phase.consecutive:
            words.append("on consecutive days")
        elif phase.max_gap_days is None:
            words.append(f"at least {_days(phase.min_gap_days)} apart")
        else:
            words.append(f"{phase.min_gap_days} to {_days(phase.max_gap_days)} apart"
                         if phase.min_gap_days != phase.max_gap_days else f"{_days(phase.min_gap_days)} apart")
    if phase.per_week_min is not None or phase.per_week_max is not None:
        low, high = phase.per_week_min, phase.per_week_max
        if low and high:
            words.append(f"{low} to {high} a week" if low != high else f"{low} a week")
        elif high:
            words.append(f"at most {high} a week")
        elif low:
            words.append(f"at least {low} a week")
    if phase.window_days is not None:
        words.append(f"all within {_days(phase.window_days)} of the first")
    if not first:
        low, high = phase.gap_from_previous_phase
        words.append(f"starts {_span(low, high, 'days')} after the last dose before it")
    return words


def therapy_words(link: TherapyLink, names: Mapping[str, str]) -> str:
    """A therapy link as a sentence: how many of which session, when, tied to which doses."""
    what = names.get(link.session_type, link.session_type)
    count = f"{link.count} × {what}"
    if link.anchor == BEFORE_FIRST:
        return f"{count}, {_span(-link.max_days, -link.min_days, 'days')} before dose 1"
    doses = "every dose" if not link.doses else (
        "dose " if len(link.doses) == 1 else "doses ") + ", ".join(str(n) for n in link.doses)
    if link.min_days >= 0:
        when = f"{_span(link.min_days, link.max_days, 'days')} after" if link.max_days else "the same day as"
    else:
        when = f"from {_days(-link.min_days)} before to {_days(link.max_days)} after"
    return f"{count}, {when} {doses}"


def protocol_changes(before: Protocol, after: Protocol, names: Mapping[str, str]) -> list[str]:
    """What changed from one version to the next, in plain words (empty when nothing did)."""
    changes: list[str] = []
    for label, old, new in (("Name", before.name, after.name),
                            ("Dosing session", names.get(before.dosing_type, before.dosing_type),
                             names.get(after.dosing_type, after.dosing_type))):
        if old != new:
            changes.append(f"{label}: “{old}” became “{new}”.")
    if before.missed_dose_policy != after.missed_dose_policy:
        changes.append("Missed doses: " + MISSED_DOSE_WORDS[after.missed_dose_policy])
    if before.course_window_days != after.course_window_days:
        changes.append(f"Whole course within: {_limit(before.course_window_days)} became "
                       f"{_limit(after.course_window_days)}.")
    changes += _phase_changes(before.phases, after.phases)
    changes += _therapy_changes(before.therapy, after.therapy, names)
    if before.notes != after.notes:
        changes.append("Notes changed.")
    return changes


def _limit(days: int | None) -> str:
    return "no limit" if days is None else _days(days)


def _phase_changes(before: tuple[Phase, ...], after: tuple[Phase, ...]) -> list[str]:
    changes = []
    for i in range(max(len(before), len(after))):
        old = before[i] if i < len(before) else None
        new = after[i] if i < len(after) else None
        if old is None and new is not None:
            changes.append(f"Phase {i + 1} added: {new.name}, " + ", ".join(phase_words(new, i == 0)) + ".")
        elif new is None and old is not None:
            changes.append(f"Phase {i + 1} ({old.name}) removed.")
        elif old is not None and new is not None and old != new:
            was, now = phase_words(old, i == 0), phase_words(new, i == 0)
            label = new.name if old.name == new.name else f"{old.name}, now {new.name}"
            gone = [w for w in was if w not in now]
            came = [w for w in now if w not in was]
            if gone or came:
                changes.append(f"Phase {i + 1} ({label}): " + ", ".join(gone or ["—"]) + " became "
                               + ", ".join(came or ["—"]) + ".")
            else:
                changes.append(f"Phase {i + 1} renamed: {old.name} became {new.name}.")
    return changes


def _therapy_changes(before: tuple[TherapyLink, ...], after: tuple[TherapyLink, ...],
                     names: Mapping[str, str]) -> list[str]:
    changes = []
    for i in range(max(len(before), len(after))):
        old = before[i] if i < len(before) else None
        new = after[i] if i < len(after) else None
        if old == new:
            continue
        if old is None and new is not None:
            changes.append(f"Psychotherapy added: {therapy_words(new, names)}.")
        elif new is None and old is not None:
            changes.append(f"Psychotherapy removed: {therapy_words(old, names)}.")
        elif old is not None and new is not None:
            changes.append(f"Psychotherapy {i + 1}: {therapy_words(old, names)} became {therapy_words(new, names)}.")
    return changes
