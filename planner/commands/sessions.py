"""`flask planner book | reschedule | cancel | availability`: single sessions from the terminal."""

from __future__ import annotations

from datetime import datetime

import click

from planner import clock
from planner.cli import fail, planner_cli
from planner.domain.calendar import NonexistentLocalTime, local, to_utc
from planner.domain.errors import BookingRefused, DomainError, InvalidData
from planner.services import Actor, availability, booking, lookup

CLI_ACTOR = Actor("cli")


def _instant(text: str, zone: str) -> datetime:
    """An ISO time; without an offset it is the site's wall time (what reception means)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        fail(f"start: {text!r} is not a time like 2026-11-24T09:00")
    if value.tzinfo is not None:
        return value
    try:
        return to_utc(value.date(), value.time(), zone)
    except NonexistentLocalTime as error:
        fail(f"start: {error} (the clocks jump forward then)")


def _explain(error: DomainError) -> None:
    if isinstance(error, BookingRefused):
        lines = "\n".join(f"  - {reason.message}" for reason in error.reasons)
        fail(f"Refused:\n{lines}")
    if isinstance(error, InvalidData):
        fail("\n".join(f"{p.field}: {p.message}" for p in error.problems))
    fail(str(error))


def _staff(pairs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    parsed = []
    for pair in pairs:
        role, _, email = pair.partition("=")
        if not email:
            fail(f"--staff {pair!r}: write ROLE=EMAIL, e.g. monitoring_clinician=rosa@clinic.org")
        parsed.append((role.strip(), email.strip()))
    return tuple(parsed)


@planner_cli.command("book")
@click.option("--patient", "mrn", required=True, help="Patient MRN.")
@click.option("--site", required=True, help="Site name or id.")
@click.option("--type", "type_key", required=True, help="Session type key, e.g. iv-infusion.")
@click.option("--start", required=True, help="Start, e.g. 2026-11-24T09:00 (site wall time unless an offset is given).")
@click.option("--room", help="Room or chair name at the site.")
@click.option("--staff", "staff", multiple=True, help="ROLE=EMAIL, repeatable.")
def book_command(mrn, site, type_key, start, room, staff):
    """Book one session and say so, or list every reason it cannot be booked."""
    roles = _staff(staff)
    try:
        ids = lookup.resolve(mrn, site, type_key, room, tuple(email for _, email in roles))
        order = booking.SessionOrder(ids["patient_id"], ids["site_id"], ids["session_type_id"],
                                     _instant(start, ids["timezone"]), ids.get("room_id"),
                                     tuple((sid, role) for sid, (role, _) in zip(ids["staff_ids"], roles)))
        session_id = booking.book_session(order, CLI_ACTOR, clock.now())
    except DomainError as error:
        _explain(error)
    click.echo(f"Booked session {session_id}: {local(order.start, ids['timezone']):%a %d %b %Y %H:%M} "
               f"({ids['timezone']}).")


@planner_cli.command("reschedule")
@click.argument("session_id", type=int)
@click.option("--start", required=True, help="New start (site wall time unless an offset is given).")
def reschedule_command(session_id, start):
    """Move a session to a new start, keeping its room and staff."""
    zone = lookup.session_zone(session_id)
    if zone is None:
        fail(f"No session with id {session_id}.")
    try:
        version = booking.reschedule_session(session_id, _instant(start, zone), CLI_ACTOR, clock.now())
    except DomainError as error:
        _explain(error)
    click.echo(f"Moved session {session_id} (version {version}).")


@planner_cli.command("cancel")
@click.argument("session_id", type=int)
@click.option("--reason", default="", help="Why, for the audit log.")
def cancel_command(session_id, reason):
    """Cancel a session and release its room and staff."""
    try:
        version = booking.cancel_session(session_id, CLI_ACTOR, clock.now(), reason)
    except DomainError as error:
        _explain(error)
    click.echo(f"Cancelled session {session_id} (version {version}).")


@planner_cli.command("availability")
@click.option("--site", required=True, help="Site name or id.")
@click.option("--type", "type_key", required=True, help="Session type key.")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First local day.")
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last local day.")
def availability_command(site, type_key, first, last):
    """Print the free windows for a session type at a site, in the site's wall time."""
    try:
        ids = lookup.resolve(site=site, session_type_key=type_key)
        windows = availability.find_free_windows(ids["site_id"], ids["session_type_id"], first.date(), last.date(),
                                                 clock.now())
    except DomainError as error:
        _explain(error)
    zone = ids["timezone"]
    if not windows:
        click.echo("No free windows.")
    for window in windows:
        click.echo(f"{local(window.starts_from, zone):%a %d %b %H:%M} – {local(window.starts_until, zone):%H:%M} "
                   f"(last start), ends by {local(window.ends_by, zone):%H:%M}")


