"""What a message about a session may carry, and the kinds of message the clinic sends.

A message is queued with the facts of the session as they were at that moment, so it says the
same thing whenever it is sent or shown. The facts hold nothing clinical except `detail`, which is
filled only for staff and only when the clinic chose to widen staff invites (domain.md, "Telling
people": no drug, route, diagnosis or protocol name in a title, subject or SMS by default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

INVITE = "invite"      # iTIP REQUEST: a new session, or a change of time, place or team
CANCEL = "cancel"      # iTIP CANCEL: the session is cancelled, or this person is no longer in it
REMINDER = "reminder"  # before the session; kind is stored as "reminder-72h" and so on
KINDS = (INVITE, CANCEL, REMINDER)

EMAIL = "email"
SMS = "sms"
CHANNELS = (EMAIL, SMS)

PATIENT = "patient"
STAFF = "staff"


@dataclass(frozen=True)
class SessionFacts:
    """A session at one SEQUENCE as a message may tell it: when, where, whom to call."""

    session_id: int
    sequence: int            # iCalendar SEQUENCE: rises with time, place, team or cancellation
    start: datetime          # aware, UTC
    end: datetime            # aware, UTC
    timezone: str            # the site's IANA zone; times are shown and sent in it
    clinic_name: str
    site_name: str
    site_phone: str | None
    room_name: str | None
    cancelled: bool = False
    preparation: tuple[str, ...] = ()  # patient reminders before a dose: fasting, a driver, no alcohol
    detail: str | None = None          # staff only, when the clinic widened staff invites (e.g. the type)
    attendees: tuple[tuple[str, str], ...] = field(default=())  # (name, email) of who is invited

    def to_json(self) -> dict:
        """A JSON-ready dict (instants as ISO strings) to store with the message."""
        # By hand, not dataclasses.asdict: this runs for every message a booking queues.
        return {"session_id": self.session_id, "sequence": self.sequence, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "timezone": self.timezone, "clinic_name": self.clinic_name,
                "site_name": self.site_name, "site_phone": self.site_phone, "room_name": self.room_name,
                "cancelled": self.cancelled, "preparation": list(self.preparation), "detail": self.detail,
                "attendees": [list(pair) for pair in self.attendees]}

    @classmethod
    def from_json(cls, data: dict) -> SessionFacts:
        """The facts back from their stored dict."""
        values = dict(data)
        values["start"] = datetime.fromisoformat(values["start"])
        values["end"] = datetime.fromisoformat(values["end"])
        values["preparation"] = tuple(values.get("preparation") or ())
        values["attendees"] = tuple(tuple(pair) for pair in values.get("attendees") or ())
        return cls(**values)


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to, by which channel, at which address (an email or an E.164 number)."""

    kind: str       # PATIENT or STAFF
    id: int
    name: str
    channel: str    # EMAIL or SMS
    address: str


def reminder_kind(hours_before: int) -> str:
    """The stored kind of a reminder sent this many hours before the session ("reminder-72h")."""
    return f"{REMINDER}-{hours_before}h"


def hours_of(kind: str) -> int | None:
    """The hours before the session of a reminder kind; None for invites and cancellations."""
    if not kind.startswith(REMINDER + "-"):
        return None
    return int(kind.removeprefix(REMINDER + "-").removesuffix("h"))


def masked(channel: str, address: str) -> str:
    """An address shortened for a log line: enough to tell two apart, not enough to write to.

    "jo@example.org" -> "j…@example.org", "+12125550142" -> "…0142": the delivery log says where
    a message was meant to go without keeping an address the person has since taken back.
    """
    if channel == SMS:
        return "…" + address[-4:]
    local_part, _, domain = address.rpartition("@")
    return f"{local_part[:1]}…@{domain}" if local_part else "…"
