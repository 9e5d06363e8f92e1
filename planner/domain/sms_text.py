"""The words of an SMS: one GSM-7 segment, the time and the link always, the rest as room allows.

planner.domain.wording.sms(facts, kind, link) is the way in; this module holds the alphabet and
the order in which parts give way when a text would run past one message.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from planner.domain.discretion import discreet
from planner.domain.messages import CANCEL, INVITE

SMS_LIMIT = 160  # one GSM-7 segment: a longer text is split, billed twice and may arrive out of order
# The GSM 03.38 default alphabet without its escape table ({}[]~^|\\ and the euro sign take two
# septets each): with only these, a character is a septet and 160 of them fit one message. A
# character outside it (a curly quote, an em dash, an emoji) would switch the whole text to
# UCS-2, where one message holds only 70.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
STOP_NOTICE = "Reply STOP to opt out"

_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...",
})


def _gsm(text: str | None) -> str | None:
    """A name in GSM-7 letters: typography made plain, accents taken off where GSM lacks them, the rest dropped."""
    if text is None:
        return None
    kept = []
    for ch in text.translate(_TYPOGRAPHY):
        if ch.isspace():
            kept.append(" ")
        elif ch in GSM7_BASIC:
            kept.append(ch)
        else:  # "ç" becomes "c", "ﬁ" becomes "fi"; a letter GSM cannot write at all is left out
            kept.extend(part for part in unicodedata.normalize("NFKD", ch) if part in GSM7_BASIC and not part.isspace())
    return " ".join("".join(kept).split()) or None


@dataclass(frozen=True)
class _SmsParts:
    clinic: str
    site: str | None
    room: str | None
    phone: str | None
    stop: bool = True


def _shorten(name: str | None, limit: int) -> str | None:
    """The name cut to whole words within the limit (a hard cut if its first word is longer)."""
    if name is None or len(name) <= limit:
        return name
    kept = ""
    for word in name.split():
        if len(f"{kept} {word}".strip()) > limit:
            break
        kept = f"{kept} {word}".strip()
    return discreet(kept or name[:limit].rstrip())


# What goes, in this order, while the text is longer than one message. The room first (reception
# directs people); the site and clinic names cut to 20 characters (enough to recognise a place);
# the STOP notice (carriers ask for it in the first message and now and then, not in every one,
# and STOP works whether or not it is printed); the site; the phone number; the clinic's name.
# The time and the link are never dropped: they are what the message is for.
_SHORTER = (
    lambda p: p,
    lambda p: replace(p, room=None),
    lambda p: replace(p, site=_shorten(p.site, 20)),
    lambda p: replace(p, stop=False),
    lambda p: replace(p, clinic=_shorten(p.clinic, 20) or "Your clinic"),
    lambda p: replace(p, site=None),
    lambda p: replace(p, phone=None),
    lambda p: replace(p, clinic=""),
)


def _sms_text(base: str, updated: bool, when: str, link: str | None, parts: _SmsParts) -> str:
    at = ""
    if parts.site:
        at = f" at {parts.site}" + (f", {parts.room}" if parts.room else "")
    elif parts.room:
        at = f" in {parts.room}"
    if base == CANCEL:
        news = f"appointment on {when} is cancelled."
    elif base == INVITE and updated:
        news = f"appointment updated, now {when}{at}."
    elif base == INVITE:
        news = f"appointment booked for {when}{at}."
    else:
        news = f"reminder of your appointment {when}{at}."
    first = f"{parts.clinic}: {news}" if parts.clinic else news[0].upper() + news[1:]
    if parts.phone:
        first += f" Call {parts.phone}."
    # The link on a line of its own: punctuation right after it would be taken into it by some phones.
    # The STOP notice: US carrier rules (CTIA) and the TCPA expect the way out to be told.
    return "\n".join([first, *([link] if link else []), *([STOP_NOTICE] if parts.stop else [])])


def compose_sms(base: str, updated: bool, when: str, link: str | None, *, clinic: str, site: str | None,
                room: str | None, phone: str | None) -> str:
    """An SMS of one kind (INVITE, CANCEL or REMINDER) from the names as the clinic typed them; wording.sms is the door."""
    if link and any(ch not in GSM7_BASIC or ch.isspace() for ch in link):
        raise ValueError("an SMS link must be plain GSM-7 characters without spaces (no ~, ^, {, }, [, ], |, \\)")
    sender = discreet(_gsm(clinic)) or discreet(_gsm(site)) or "your clinic"
    if sender[0].upper() in GSM7_BASIC:  # "ì" is GSM-7, "Ì" is not
        sender = sender[0].upper() + sender[1:]
    parts = _SmsParts(clinic=sender, site=discreet(_gsm(site)), room=discreet(_gsm(room)),
                      phone=discreet(_gsm(phone)))
    for shorter in _SHORTER:
        parts = shorter(parts)
        text = _sms_text(base, updated, when, link, parts)
        if len(text) <= SMS_LIMIT:
            return text
    raise ValueError(f"a link of {len(link or '')} characters leaves no room for the time in one SMS")
