"""`flask planner ...` commands: parse arguments, call one service, print the answer."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

planner_cli = AppGroup("planner", help="Clinic planner commands.")


def register(app: Flask) -> None:
    """Attach the planner command group to the app."""
    from planner import cli_commands  # noqa: F401  (commands register themselves on planner_cli)

    app.cli.add_command(planner_cli)


def fail(message: str) -> None:
    """Stop a command with a clear message and exit status 1."""
    raise click.ClickException(message)
