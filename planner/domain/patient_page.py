"""The patient's page: what a link may still do, and what a patient may write to the clinic.

A link is signed for one version of one session (planner/domain/links.py). It acts once: the
first confirm, cancel or request for another time uses it up, and any change to the session
(reception moved it, a re-plan, a check-in) leaves it outdated, so a patient never acts on a
time or place they were not shown.
"""

from __future__ import annotations

import unicodedata

from planner.domain.errors import InvalidData, LinkRefused, Reason
from planner.domain.links import BROKEN, EXPIRED, LinkClaim

OK, USED, OUTDATED = "ok", "used", "outdated"
VERDICTS = (OK, USED, OUTDATED, EXPIRED, BROKEN)
CLOSED = "closed"  # the link is good but the session no longer takes a patient's answer (cancelled, under way)

CONFIRM, CANCEL, ANOTHER_TIME = "confirm", "cancel", "another_time"
ANOTHER_TIME_REQUEST, REPLAN_REQUEST = "another_time", "replan"  # PatientRequest kinds reception works
NOTE_LIMIT = 500  # the column's width: a note reception reads at a glance, not a letter

# The kind words each refusal carries; the page adds the clinic's phone number.
_WHY = {
    USED: "This link has already been used.",
    OUTDATED: "Your appointment has changed since this link was sent.",
    EXPIRED: "This link has expired.",
    BROKEN: "This link is not complete or not valid.",
    CLOSED: "This appointment can no longer be changed from a link.",
}
# Bidirectional overrides and isolates: they could make a note read differently on reception's screen.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def link_verdict(claim: LinkClaim, current_version: int | None, used: bool) -> str:
    """What a link may do now: OK, or why not (USED, EXPIRED, OUTDATED, BROKEN).

    Used comes first, so a patient who opens the link they just acted on is told what they did,
    whatever happened to the session since; a link to no session at all is broken.
    """
    if claim.verdict == BROKEN or current_version is None:
        return BROKEN
    if used:
        return USED
    if claim.verdict == EXPIRED:
        return EXPIRED
    return OK if claim.version == current_version else OUTDATED


def refusal(verdict: str) -> LinkRefused:
    """The error for a link that cannot act, with its verdict as the reason's code."""
    return LinkRefused([Reason(verdict, _WHY[verdict], "token")])


def clean_note(text: str | None) -> str:
    """A patient's note as reception will read it: no control or direction characters, trimmed.

    Line breaks stay (a patient may list the days that suit them); tabs become spaces; a note
    longer than NOTE_LIMIT is refused rather than cut, so nothing the patient wrote is lost unseen.
    """
    kept = []
    for char in (text or "").replace("\r\n", "\n").replace("\r", "\n"):
        if char == "\t":
            kept.append(" ")
        elif char == "\n" or (unicodedata.category(char) != "Cc" and char not in _BIDI):
            kept.append(char)
    note = "".join(kept).strip()
    if len(note) > NOTE_LIMIT:
        raise InvalidData([Reason("too_long", f"Please keep the note under {NOTE_LIMIT} characters.", "note")])
    return note
