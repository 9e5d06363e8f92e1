"""What a patient's link may do (its verdict), and how a patient's note is cleaned before reception reads it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from planner.domain.errors import InvalidData
from planner.domain.links import read_link, sign_link
from planner.domain.patient_page import NOTE_LIMIT, clean_note, link_verdict

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
START = NOW + timedelta(days=3)


def claim(version: int = 3, now: datetime = NOW, secret: str = "s3cret"):
    return read_link(sign_link(42, version, START, "s3cret"), secret, now)


@pytest.mark.parametrize("link, current, used, verdict", [
    (claim(), 3, False, "ok"),
    (claim(), 4, False, "outdated"),             # reception moved it since the message went
    (claim(), 3, True, "used"),
    (claim(), 4, True, "used"),                  # confirmed: the version rose, the link says what was done
    (claim(now=START), 3, False, "expired"),     # from the session's start on
    (claim(now=START), 3, True, "used"),
    (claim(secret="another"), 3, False, "broken"),
    (claim(), None, False, "broken"),            # signed for a session that is not there
])
def test_a_link_s_verdict(link, current, used, verdict):
    assert link_verdict(link, current, used) == verdict


def test_a_token_with_characters_outside_ascii_is_broken_not_an_error():
    token = sign_link(42, 3, START, "s3cret")
    assert read_link(token[:-1] + "\u00e9", "s3cret", NOW).verdict == "broken"
    assert read_link("1.1.1.\u202e", "s3cret", NOW).verdict == "broken"


def test_a_note_keeps_its_words_and_line_breaks_and_loses_control_and_direction_characters():
    assert clean_note("  Tuesday\r\nor\tWednesday\x00\x1b[31m \u202eafternoon\u2069 ") == \
        "Tuesday\nor Wednesday[31m afternoon"
    assert clean_note(None) == "" and clean_note("   ") == ""
    assert clean_note("Café ☕ 👩‍⚕️") == "Café ☕ 👩‍⚕️"  # a zero-width joiner in an emoji is not a control


def test_a_note_longer_than_the_limit_is_refused_naming_the_field_not_cut():
    assert len(clean_note("x" * NOTE_LIMIT)) == NOTE_LIMIT
    with pytest.raises(InvalidData) as refused:
        clean_note("x" * (NOTE_LIMIT + 1))
    assert refused.value.problems[0].field == "note"
