"""Use cases: one function each, owning its transaction."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who asks for a change, and from where; written to the audit log."""

    label: str
    user_id: int | None = None
    remote_addr: str | None = None


SYSTEM = Actor("system")
