"""What each message says, discreet by default (domain.md, "Telling people").

Subjects, previews, calendar titles and SMS carry the clinic's name, the date and time in the
site's zone, the place and a phone number: never the drug, the route, a diagnosis or a protocol.
Names the clinic typed in (clinic, site, room) appear only when they carry no clinical word
("Spravato Room A" is left out; a clinic named for its drug is called by its site's name).

Decisions:
- An invite with SEQUENCE above 0 says "Updated": iTIP sends every change of time, place or team
  as a new REQUEST, and the facts hold only the session as it is now, so the message says it was
  updated and gives the date, time and place in full rather than guessing what changed.
- Patient reminders carry the preparation lines whenever the queued facts hold them; the sender
  fills them for dosing sessions (preparation_for), and the 72 h reminder is the one that must.
- Staff texts show the clinic's `detail` (and the room even when its name is clinical) only in
  the body and the calendar description, and only when the clinic widened staff invites (detail
  is then filled): a subject, a title and a preview stay discreet for everyone, since they show
  on lock screens and in calendars shared with family.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.calendar import local
from planner.domain.discretion import CLINICAL_WORDS, clinical_words_in, discreet
from planner.domain.messages import CANCEL, INVITE, REMINDER, SessionFacts, hours_of, reminder_kind
from planner.domain.preparation import preparation_for
from planner.domain.sms_text import GSM7_BASIC, SMS_LIMIT, STOP_NOTICE, compose_sms

__all__ = [
    "CLINICAL_WORDS", "GSM7_BASIC", "PREPARATION_HEADING", "SMS_LIMIT", "STOP_NOTICE", "Wording", "calendar_description",
    "calendar_title", "clinical_words_in", "for_patient", "for_staff", "long_time", "message_kind",
    "preparation_for", "short_time", "sms",
]


PREPARATION_HEADING = "How to prepare:"

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


@dataclass(frozen=True)
class Wording:
    """The words of one email: its subject, the preview line, the body and the link's text."""

    subject: str
    preview: str                        # the first line a mail client shows: the body's first line
    lines: tuple[str, ...]              # plain paragraphs; lines[0] == preview
    preparation: tuple[str, ...] = ()   # patient reminders of a dosing session only
    link_text: str = ""                 # the words of the link to the patient's page; "" for staff

    def plain_text(self, link: str | None) -> str:
        """The text/plain body, as the email and the outbox page show it."""
        paragraphs = list(self.lines)
        if self.preparation:
            paragraphs.append("\n".join([PREPARATION_HEADING, *(f"- {line}" for line in self.preparation)]))
        if link and self.link_text:
            paragraphs.append(f"{self.link_text}:\n{link}")
        return "\n\n".join(paragraphs) + "\n"


def message_kind(kind: str) -> str:
    """INVITE, CANCEL or REMINDER for a stored kind ("reminder-72h" is a REMINDER); ValueError otherwise."""
    if kind in (INVITE, CANCEL):
        return kind
    try:
        hours = hours_of(kind)
    except ValueError:
        hours = None
    if hours is not None and hours > 0 and reminder_kind(hours) == kind:
        return REMINDER
    raise ValueError(f"unknown message kind {kind!r}")


def short_time(facts: SessionFacts) -> str:
    """The start in the site's zone, short: "Tue 1 Dec 9:00 AM EST"."""
    start = local(facts.start, facts.timezone)
    return f"{_DAYS[start.weekday()][:3]} {start.day} {_MONTHS[start.month - 1][:3]} {_clock(start)} {start.tzname()}"


def long_time(facts: SessionFacts) -> str:
    """Start and end in the site's zone: "Tuesday 1 December 2026, 9:00 AM to 11:00 AM EST"."""
    start, end = local(facts.start, facts.timezone), local(facts.end, facts.timezone)
    day = f"{_DAYS[start.weekday()]} {start.day} {_MONTHS[start.month - 1]} {start.year}"
    if start.tzname() == end.tzname():
        return f"{day}, {_clock(start)} to {_clock(end)} {end.tzname()}"
    # A session across a clock change (a night session): each end with its own abbreviation.
    return f"{day}, {_clock(start)} {start.tzname()} to {_clock(end)} {end.tzname()}"


def _clock(moment) -> str:
    """9:00 AM: no leading zero, and no locale, so every server writes the same message."""
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def _clinic(facts: SessionFacts) -> str:
    """Who the message is from: the clinic, or its site when the clinic's name is clinical."""
    return discreet(facts.clinic_name) or discreet(facts.site_name) or "your clinic"


def _site(facts: SessionFacts) -> str:
    """Where staff go, said discreetly."""
    return discreet(facts.site_name) or _clinic(facts)


def _staff_room(facts: SessionFacts) -> str | None:
    """The room for a staff body: any name once the clinic widened staff invites, else a discreet one."""
    return facts.room_name if facts.detail else discreet(facts.room_name)


def _checked(facts: SessionFacts, kind: str) -> str:
    base = message_kind(kind)
    if facts.cancelled and base != CANCEL:
        raise ValueError(f"a cancelled session is told only with a cancellation, not {kind!r}")
    return base


def for_patient(facts: SessionFacts, kind: str, link: str | None) -> Wording:
    """A patient's email about a session: booked, updated, cancelled or a reminder."""
    base = _checked(facts, kind)
    clinic, when, short = _clinic(facts), long_time(facts), short_time(facts)
    site = discreet(facts.site_name)
    place = (f"Place: {site}.",) if site else ()
    phone = discreet(facts.site_phone)  # a vanity number ("1-800-KETAMINE") is left out like a name
    call = (f"Questions or changes: call {phone}.",) if phone else ()
    preparation: tuple[str, ...] = ()
    link_text = "Confirm, cancel or ask for another time"
    if base == CANCEL:
        subject = f"Cancelled: your appointment at {clinic} on {short}"
        first = f"Your appointment at {clinic} on {when} is cancelled."
        place = ()
        call = (f"To book another time, call {phone}.",) if phone else ()
        link_text = "See your appointments"
    elif base == INVITE and facts.sequence > 0:
        subject = f"Updated: your appointment at {clinic} on {short}"
        first = f"Your appointment at {clinic} has been updated. It is on {when}."
    elif base == INVITE:
        subject = f"Your appointment at {clinic} on {short}"
        first = f"Your appointment at {clinic} is booked for {when}."
    else:
        subject = f"Reminder: your appointment at {clinic} on {short}"
        first = f"A reminder of your appointment at {clinic} on {when}."
        preparation = tuple(facts.preparation)
    lines = (first, *place, *call)
    return Wording(subject, first, lines, preparation, link_text if link else "")


def for_staff(facts: SessionFacts, kind: str) -> Wording:
    """A staff member's email about a session they are (or were) booked for."""
    base = _checked(facts, kind)
    site, when, short = _site(facts), long_time(facts), short_time(facts)
    about = f"session at {site}" + (f" ({room})" if (room := discreet(facts.room_name)) else "")
    if base == CANCEL and facts.cancelled:
        subject, first = f"Cancelled: {about} on {short}", f"The session at {site} on {when} is cancelled."
    elif base == CANCEL:
        # The session goes on without them: they were taken off it, and their calendar drops it.
        subject, first = f"Removed: {about} on {short}", f"You are no longer booked for the session at {site} on {when}."
    elif base == INVITE and facts.sequence > 0:
        subject = f"Updated: {about} on {short}"
        first = f"A session you are booked for has been updated. It is at {site} on {when}."
    elif base == INVITE:
        subject, first = f"New: {about} on {short}", f"You are booked for a session at {site} on {when}."
    else:
        subject, first = f"Reminder: {about} on {short}", f"A reminder: you are booked for a session at {site} on {when}."
    body_room = _staff_room(facts)
    lines = (first, *((f"Room: {body_room}.",) if body_room else ()),
             *((f"Session: {facts.detail}.",) if facts.detail else ()))
    return Wording(subject, first, lines)


def calendar_title(facts: SessionFacts, for_staff: bool) -> str:
    """The event's SUMMARY: what a calendar shows on a phone's lock screen and in shared views."""
    if for_staff:
        room = discreet(facts.room_name)
        title = f"Session at {_site(facts)}" + (f" ({room})" if room else "")
    else:
        title = f"Appointment at {_clinic(facts)}"
    # Some calendar apps keep a cancelled event on show; the title says so itself.
    return f"Cancelled: {title}" if facts.cancelled else title


def calendar_description(facts: SessionFacts, for_staff: bool, link: str | None = None) -> str:
    """The event's DESCRIPTION: place, phone, the patient's link; for staff the widened detail."""
    if for_staff:
        room = _staff_room(facts)
        lines = [f"Session at {_site(facts)}.", *([f"Room: {room}."] if room else []),
                 *([f"Session: {facts.detail}."] if facts.detail else [])]
    else:
        site = discreet(facts.site_name)
        lines = [f"Appointment at {_clinic(facts)}.", *([f"Place: {site}."] if site else []),
                 *([f"Questions or changes: call {phone}."] if (phone := discreet(facts.site_phone)) else [])]
        if link:
            lines.append(f"{'See your appointments' if facts.cancelled else 'Confirm, cancel or ask for another time'}: {link}")
    return "\n".join(lines)


def sms(facts: SessionFacts, kind: str, link: str | None) -> str:
    """The SMS for a patient: at most 160 GSM-7 characters, time in the site's zone, the link kept whole."""
    return compose_sms(_checked(facts, kind), facts.sequence > 0, short_time(facts), link, clinic=facts.clinic_name,
                       site=facts.site_name, room=facts.room_name, phone=facts.site_phone)
