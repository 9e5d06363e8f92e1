"""The words a message must never carry where others may see it (domain.md, "Telling people").

A subject, a calendar title, an SMS or a lock-screen preview is read by whoever holds the phone
or shares the calendar. Naming the drug, its route, a diagnosis or a protocol there tells them
what the patient is treated for. Every patient-facing text and every subject, title and SMS is
checked against this list, in the tests and (for names the clinic typed in) when it is built.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CLINICAL_WORDS = frozenset({
    # The drugs, their brands and their family.
    "ketamine", "esketamine", "arketamine", "s-ketamine", "spravato", "ketalar", "ketanest",
    "psychedelic", "dissociative", "anesthetic", "anaesthetic", "anesthesia", "anaesthesia",
    "sedation", "sedative", "controlled substance", "dose", "dosing", "dosage", "prescriber",
    # Routes. "nasal" is here too: the clinic's own esketamine session type is a "nasal spray",
    # and "nasal" beside a clinic's name hints at it; the preparation line that needs the idea
    # says "a spray for your nose" instead (planner/domain/preparation.py).
    "iv", "im", "intravenous", "intramuscular", "intranasal", "nasal", "sublingual", "infusion",
    "injection", "lozenge", "troche", "drip",
    # Diagnoses.
    "depression", "depressive", "depressed", "mdd", "trd", "treatment-resistant", "ptsd",
    "post-traumatic", "anxiety", "ocd", "bipolar", "suicidal", "suicide", "suicidality",
    "mental health", "psychiatric", "psychiatry", "psychiatrist", "chronic pain", "crps",
    "fibromyalgia", "migraine", "neuropathic", "addiction", "substance use", "eating disorder",
    # Protocols and their parts (planner/domain/protocol_library.py).
    "induction", "booster", "maintenance", "kap", "ketamine-assisted", "psychotherapy", "therapy",
    "therapist", "rems",
})

# Longest first, so "mental health" wins over a shorter word at the same place; a trailing "s"
# catches plurals ("infusions", "boosters"); spaces in a phrase match any run of whitespace.
_ALTERNATIVES = sorted(CLINICAL_WORDS, key=len, reverse=True)
_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in _ALTERNATIVES) + r")s?\b",
    re.IGNORECASE,
)


def _folded(text: str) -> str:
    """The text with accents taken off, so "Kétamine" is caught as surely as "Ketamine"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def clinical_words_in(text: str) -> set[str]:
    """The clinical words a text carries (whole words, any case), as listed in CLINICAL_WORDS."""
    return {" ".join(match.group(1).lower().split()) for match in _PATTERN.finditer(_folded(text))}


# A feed of 1,500 sessions asks about the same few names (clinic, sites, rooms, phone) 9,000
# times; remembering the answers took half the time of building a clinician's feed (bench/bench_feed.py).
@lru_cache(maxsize=4096)
def discreet(name: str | None) -> str | None:
    """A name the clinic typed in, if it carries no clinical word; else None ("Spravato Room A")."""
    if name is None:
        return None
    name = " ".join(name.split())
    if not name or clinical_words_in(name):
        return None
    return name
