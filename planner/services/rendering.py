"""A queued message as its recipient gets it: the email (with its invite) or the SMS.

The same function renders for the sender and for the outbox page, so what the page shows is
what went out. Everything comes from the facts stored with the message and the settings below;
only the patient's link is made at send time, bound to the session's version then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from planner.adapters import ical
from planner.adapters.mail import build_email
from planner.domain import wording
from planner.domain.discretion import discreet
from planner.domain.links import sign_link
from planner.domain.messages import CANCEL, INVITE, PATIENT, SMS, STAFF, SessionFacts
from planner.services.patient_page import link_expiry


@dataclass(frozen=True)
class Postmark:
    """What every message needs beyond its facts: who sends it, where links point, how UIDs end."""

    sender: tuple[str, str]  # (clinic name, address) in From and ORGANIZER
    public_url: str
    uid_domain: str
    link_secret: str


@dataclass(frozen=True)
class Rendered:
    """A message as sent: the email (with its calendar part, if any) or the SMS text."""

    channel: str
    email: EmailMessage | None = None
    sms: str | None = None
    ics: bytes | None = None
    link: str | None = None


def location(facts: SessionFacts, for_staff: bool) -> str:
    """The LOCATION a calendar shows: the site, and for staff the room (when its name is discreet)."""
    site = discreet(facts.site_name) or facts.clinic_name
    room = discreet(facts.room_name) if for_staff else None
    return f"{site}, {room}" if room else site


def patient_link(postmark: Postmark, facts: SessionFacts, version: int) -> str:
    """The patient's page for this session at this version, signed and expiring."""
    token = sign_link(facts.session_id, version, link_expiry(facts.start), postmark.link_secret)
    return f"{postmark.public_url}/p/{token}"


def render(postmark: Postmark, *, recipient_kind: str, name: str, channel: str, address: str, kind: str,
           facts: SessionFacts, message_key: str, version: int | None, now: datetime) -> Rendered:
    """What one outbox message looks like when it leaves."""
    link = (patient_link(postmark, facts, version)
            if recipient_kind == PATIENT and version is not None else None)
    if channel == SMS:
        return Rendered(SMS, sms=wording.sms(facts, kind, link), link=link)
    staff = recipient_kind == STAFF
    words = wording.for_staff(facts, kind) if staff else wording.for_patient(facts, kind, link)
    ics = method = None
    if kind in (INVITE, CANCEL):
        method = ical.REQUEST if kind == INVITE else ical.CANCEL
        ics = ical.invite(facts, method=method, organizer=postmark.sender, attendee=(name, address),
                          title=wording.calendar_title(facts, staff),
                          description=wording.calendar_description(facts, staff, link),
                          location=location(facts, staff), stamp=now, uid_domain=postmark.uid_domain)
    email = build_email(sender=postmark.sender, to=(name, address), wording=words, ics=ics, method=method,
                        message_id=f"{message_key.replace(':', '.')}@{postmark.uid_domain}", html_link=link, date=now)
    return Rendered(channel, email=email, ics=ics, link=link)
