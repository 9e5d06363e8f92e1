"""`flask planner expire-consents`: the daily consent check, on demand."""

from __future__ import annotations

import click

from planner import clock
from planner.cli import planner_cli
from planner.services.consent_expiry import expire_consents


@planner_cli.command("expire-consents")
def expire_consents_command():
    """Set signed consents whose expiry has passed back to pending (audited), naming their doses still booked."""
    click.echo(f"Consent check: {expire_consents(clock.now())}.")
