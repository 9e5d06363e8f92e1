"""Domain errors, named in the clinic's words."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reason:
    """One reason a request cannot be granted, for people and for programs."""

    code: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict:
        """Return the reason as a JSON-ready dict."""
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data


class DomainError(Exception):
    """Base of every rule the clinic's domain can refuse."""


@dataclass
class Refusal(DomainError):
    """A rule of the clinic refuses what was asked; every reason is listed."""

    reasons: list[Reason] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(reason.message for reason in self.reasons)


class BookingRefused(Refusal):
    """A session cannot be booked as asked; every reason is listed."""


@dataclass
class NotFound(DomainError):
    """A record the request names does not exist."""

    what: str
    key: object

    def __str__(self) -> str:
        return f"No {self.what} with id {self.key}."


@dataclass
class InvalidTransition(DomainError):
    """A session cannot move from its status to the one asked."""

    current: str
    wanted: str

    def __str__(self) -> str:
        return f"A session that is {self.current.replace('_', ' ')} cannot become {self.wanted.replace('_', ' ')}."


class StatusRefused(Refusal):
    """A session cannot take a status now (too early, not its day); every reason is listed."""


class ReviewRefused(Refusal):
    """This account may not clear or hold a held dose: only a prescriber with a licence valid on the dose's day may."""


class CoverBroken(Refusal):
    """A change to staff would leave booked sessions without valid cover; each broken session is named."""


@dataclass(frozen=True)
class SessionBroken(Reason):
    """A reason about one booked session, carrying its id so a page can link to it (the API shows the message)."""

    session_id: int | None = None


class ProtocolRefused(Refusal):
    """A protocol cannot change as asked: already retired or in use, or saved by someone else meanwhile."""


class LinkRefused(Refusal):
    """A patient's link cannot act: used, outdated, expired, broken, or its session is closed (the code says which)."""


class RequestResolved(Refusal):
    """A patient's request was already marked done or withdrawn."""


@dataclass
class InvalidData(DomainError):
    """Input that breaks a rule; each problem names the field it is about."""

    problems: list[Reason] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in self.problems)


@dataclass
class BatchRefused(DomainError):
    """A set of sessions booked all-or-nothing was refused; reasons per position."""

    refusals: dict[int, list[Reason]] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"session {i + 1}: {r.message}" for i, reasons in self.refusals.items() for r in reasons)


@dataclass
class PlanStale(DomainError):
    """A proposed course no longer fits the clinic; nothing was booked, a fresh offer comes along."""

    refusals: dict[int, list[Reason]] = field(default_factory=dict)
    fresh: object = None

    def __str__(self) -> str:
        return "The plan went stale: " + "; ".join(
            f"session {i + 1}: {r.message}" for i, reasons in self.refusals.items() for r in reasons)
