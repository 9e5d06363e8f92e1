"""FHIR R4 JSON pieces every exported resource uses: instants, references, codes, the search Bundle, OperationOutcome.

Plain dicts, nothing else: the export must not depend on a FHIR library at run time (the tests
validate what it writes with an independent one, fhir.resources).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

FHIR_JSON = "application/fhir+json"
# Codes of our own (session types, kinds, roles): a URI that names this application, not a published code system.
OURS = "urn:planner:fhir"


def instant(moment: datetime, zone: str) -> str:
    """An aware instant as FHIR `instant`: the site's wall time with its UTC offset that day, to the second.

    The offset is the one in force at that moment (DST-aware), so a reader sees the clinic's own
    clock and the exact instant both; FHIR's instant needs seconds and an offset, never a naive time.
    """
    if moment.tzinfo is None:
        raise ValueError("an instant needs a time zone")
    return _instant(moment, zone)


@lru_cache(maxsize=4096)
def _instant(moment: datetime, zone: str) -> str:
    # A week of Slots names a few hundred instants thousands of times (every type starts on the same
    # grid, and busy slots too). Equal aware datetimes are the same instant, whatever their zone,
    # so they share one text.
    return moment.astimezone(ZoneInfo(zone)).replace(microsecond=0).isoformat()


def reference(kind: str, key: object, display: str | None = None) -> dict:
    """A literal reference such as Patient/12, with the name a reader sees."""
    found = {"reference": f"{kind}/{key}"}
    if display:
        found["display"] = display
    return found


def concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict:
    """A CodeableConcept of one coding (and its text)."""
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding], "text": text or display or code}


def ours(kind: str, code: str, display: str | None = None) -> dict:
    """A CodeableConcept in one of this application's own code systems (session-type, session-kind, role)."""
    return concept(f"{OURS}:{kind}", code, display)


def searchset(resources: list[dict], base: str, self_link: str) -> dict:
    """A Bundle of type searchset: each resource a match, its fullUrl under base (the FHIR endpoint's root)."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": self_link}],
        "entry": [{"fullUrl": f"{base.rstrip('/')}/{r['resourceType']}/{r['id']}", "resource": r,
                   "search": {"mode": "match"}} for r in resources],
    }


# HTTP status -> OperationOutcome issue type (http://hl7.org/fhir/issue-type): what a client's code branches on.
_ISSUE_TYPES = {400: "structure", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
                409: "conflict", 413: "too-costly", 422: "invalid"}


def outcome(status: int, message: str, problems: list[tuple[str | None, str]] = ()) -> dict:
    """An OperationOutcome for a refused request: one issue per field problem (expression = the field), else one."""
    code = _ISSUE_TYPES.get(status, "exception" if status >= 500 else "processing")
    issues = [{"severity": "error", "code": code, "diagnostics": text,
               **({"expression": [field]} if field else {})} for field, text in problems]
    return {"resourceType": "OperationOutcome", "issue": issues or [{"severity": "error", "code": code,
                                                                     "diagnostics": message}]}
