"""The README's terminal example, run as printed against the demo clinic that `make run` loads."""

from __future__ import annotations

import re
import shlex
from datetime import datetime, timedelta, timezone

import pytest

from planner import ROOT, clock

DATES = "MON=$(date -d 'next monday' +%F) THU=$(date -d 'next monday +3 days' +%F) " \
        "FRI=$(date -d 'next monday +4 days' +%F)"
FLASK = [".venv/bin/flask", "--app", "wsgi", "planner"]


def readme_commands() -> list[list[str]]:
    """The `flask planner` commands of the README's terminal example, in order, as argument lists."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert DATES in text, "the README's example no longer sets its dates as this test computes them"
    block = text.split(DATES, 1)[1].split("```", 1)[0]
    commands = []
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words:
            assert words[:4] == FLASK, line
            commands.append(words[4:])
    return commands


def with_dates(words: list[str], today) -> list[str]:
    # GNU date's 'next monday': the first Monday after today (a week ahead on a Monday).
    monday = today + timedelta(days=7 - today.weekday())
    dates = {"$MON": monday, "${THU}": monday + timedelta(days=3), "$FRI": monday + timedelta(days=4)}
    for name, day in dates.items():
        words = [word.replace(name, day.isoformat()) for word in words]
    return words


@pytest.mark.parametrize("moment", [datetime(2026, 11, 29, 7, tzinfo=timezone.utc),
                                    datetime(2027, 3, 10, 15, tzinfo=timezone.utc)], ids=["sunday", "wednesday"])
def test_every_command_of_the_readme_example_works_against_a_fresh_demo(app, monkeypatch, moment):
    monkeypatch.setattr(clock, "now", lambda: moment)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["planner", "seed-demo"]).exit_code == 0
    commands = readme_commands()
    assert [c[0] for c in commands] == ["availability", "book", "reschedule", "cancel", "plan-course", "book-course",
                                        "show-course", "replan-course"]
    ids = {}
    outputs = {}
    for words in commands:
        words = with_dates(words, moment.date())
        # ID stands for the session `book` printed, or the course `book-course` printed.
        key = "course" if words[0] in ("show-course", "replan-course") else "session"
        words = [ids[key] if word == "ID" else word for word in words]
        result = runner.invoke(args=["planner", *words])
        assert result.exit_code == 0, f"{shlex.join(words)}\n{result.output}"
        outputs[words[0]] = result.output
        for found in re.finditer(r"Booked (session|course) (\d+)", result.output):
            ids[found.group(1)] = found.group(2)
    assert outputs["reschedule"].startswith(f"Moved session {ids['session']}")
    assert "\nPlan 1:" in outputs["plan-course"] and outputs["plan-course"].startswith("Planned at")
    assert "nothing needs to move" in outputs["replan-course"]
