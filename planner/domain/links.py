"""The patient's link: signed, bound to one version of one session, expiring, short enough for an SMS.

A link reads `<session>.<version>.<expiry>.<signature>` (numbers in base 36, the signature a
truncated HMAC-SHA256 of the rest): some 30 characters, where a general-purpose signed token
would take most of an SMS's 160. 96 bits of signature are far beyond guessing online.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone

_SIGNATURE_BYTES = 12
VALID, EXPIRED, BROKEN = "valid", "expired", "broken"


@dataclass(frozen=True)
class LinkClaim:
    """What a link says once its signature is checked: the session, its version then, and the verdict."""

    session_id: int
    version: int
    expires: datetime
    verdict: str  # VALID, EXPIRED; a BROKEN link claims nothing (ids are 0)


def sign_link(session_id: int, version: int, expires: datetime, secret: str) -> str:
    """The token of a link to a session at this version, good until `expires`."""
    body = ".".join(_b36(n) for n in (session_id, version, int(expires.timestamp())))
    return f"{body}.{_signature(body, secret)}"


def read_link(token: str, secret: str, now: datetime) -> LinkClaim:
    """Check a link's signature and expiry; a forged or mangled one is BROKEN."""
    broken = LinkClaim(0, 0, datetime.fromtimestamp(0, timezone.utc), BROKEN)
    # Non-ASCII is never ours, and hmac.compare_digest raises on it rather than answering False.
    parts = token.split(".") if isinstance(token, str) and len(token) < 80 and token.isascii() else []
    if len(parts) != 4:
        return broken
    body = ".".join(parts[:3])
    if not hmac.compare_digest(_signature(body, secret), parts[3]):
        return broken
    try:
        session_id, version, expiry = (int(p, 36) for p in parts[:3])
    except ValueError:
        return broken
    expires = datetime.fromtimestamp(expiry, timezone.utc)
    return LinkClaim(session_id, version, expires, VALID if now < expires else EXPIRED)


def _signature(body: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), b"patient-link:" + body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_SIGNATURE_BYTES]).decode().rstrip("=")


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if number < 0:
        raise ValueError("link numbers are never negative")
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out
