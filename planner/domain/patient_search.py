"""Reading what reception types in the patient search: words of a name, an MRN, a date of birth, phone digits."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

# The clinic writes dates the US way (month first); ISO is always understood too.
BIRTH_DATE_FORMS = "2026-01-31 or 01/31/2026"
_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_US = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
# A phone as people type it: digits with spaces, dashes, dots, brackets and a leading plus.
_PHONE = re.compile(r"^\+?[0-9 ().\-]+$")
# Fewer digits than this match too many numbers to be worth a phone search.
MIN_PHONE_DIGITS = 4
# What separates words of a name (and of a query): spaces, hyphens, apostrophes, dots, commas.
_WORD_BREAK = re.compile(r"[\s\-'’.,]+")
# A query longer than this is no search anyone typed; it is cut, not refused.
MAX_QUERY = 100


@dataclass(frozen=True)
class SearchTerms:
    """What a query asks for: name words (folded), an MRN prefix, a date of birth, phone digits."""

    text: str
    words: tuple[str, ...]
    birth_date: date | None
    phone_digits: str | None

    @property
    def empty(self) -> bool:
        return not self.text


def fold(text: str) -> str:
    """Lower case without accents, so "José Núñez" and "jose nunez" compare equal."""
    if text.isascii():  # most names: nothing to decompose (a search folds every patient's name)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_name(name: str) -> str:
    """A name as the search compares it: folded, a space before each word (" jose maria nunez alvarez").

    Hyphens and apostrophes split words, so "Lopez-Garcia" is found by "garcia" and "O'Brien" by "brien".
    """
    return "".join(" " + part for part in _WORD_BREAK.split(fold(name)) if part)


def read_query(raw: str) -> SearchTerms:
    """Split a typed query into what it could mean; any text is a valid query (at worst it finds no one)."""
    # Control characters (NUL, lone surrogates) are no part of any name or number, and a database refuses some.
    printable = "".join(c if c.isprintable() else " " for c in raw[:MAX_QUERY * 4])
    text = " ".join(printable.split())[:MAX_QUERY]
    words = tuple(w for w in _WORD_BREAK.split(fold(text)) if w)
    digits = re.sub(r"[^0-9]", "", text) if _PHONE.match(text) else ""
    return SearchTerms(text, words, birth_date(text), digits if len(digits) >= MIN_PHONE_DIGITS else None)


def birth_date(text: str) -> date | None:
    """A date written 2026-01-31 or 01/31/2026 (month first), or None when it is neither or no real day."""
    iso, us = _ISO.match(text), _US.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif us:
        month, day, year = (int(g) for g in us.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
