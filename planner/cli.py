"""`flask planner ...`: the command group; each area's commands live in planner/commands/."""

from __future__ import annotations

import importlib
import pkgutil

import click
from flask import Flask
from flask.cli import AppGroup

planner_cli = AppGroup("planner", help="Clinic planner commands.")


def register(app: Flask) -> None:
    """Attach the planner command group, importing every commands module so it registers."""
    import planner.commands as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    app.cli.add_command(planner_cli)


def fail(message: str) -> None:
    """Stop a command with a clear message and exit status 1."""
    raise click.ClickException(message)
