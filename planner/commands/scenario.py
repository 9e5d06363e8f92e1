"""`flask planner load-scenario | export-scenario | seed-demo`: whole clinics in and out as JSON files."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import click

from planner import clock
from planner.cli import planner_cli
from planner.domain.errors import InvalidData
from planner.services import Actor
from planner.services.clinic_settings import update_message_settings
from planner.services.protocols import install_default_protocols
from planner.services.scenario import load_scenario, site_names
from planner.services.scenario_export import export_scenario, to_json

DEMO_FILE = Path(__file__).resolve().parents[2] / "scenarios" / "demo-clinic.json"
CLI = Actor("cli")


@planner_cli.command("load-scenario")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rebase/--no-rebase", default=False, show_default=True,
              help="Move every date by whole weeks so the file's anchor week becomes the current week.")
def load_scenario_command(path: Path, rebase: bool) -> None:
    """Load a scenario file (docs/scenario-format.md) into a database that does not have its sites."""
    counts = _load(_read(path), rebase)
    click.echo(f"Loaded {path.name}: {_summary(counts)}.")


@planner_cli.command("export-scenario")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
def export_scenario_command(path: Path) -> None:
    """Write the whole clinic to FILE as a scenario ('-' for standard output). Passwords are never written."""
    try:
        doc = export_scenario()
    except InvalidData as invalid:
        _fail("The clinic cannot be exported:", invalid)
    text = to_json(doc)
    if str(path) == "-":
        click.echo(text, nl=False)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"Cannot write {path}: {error.strerror or error}.") from None
    counts = {key: len(value) for key, value in doc.items() if isinstance(value, list)}
    click.echo(f"Exported to {path}: {_summary(counts)}.")


@planner_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo clinic, moved to the current week, into an empty database; then show the demo logins."""
    data = _read(DEMO_FILE)
    demo_sites = {site["name"] for site in data.get("sites", [])}
    present = site_names()
    if present and demo_sites <= present:
        click.echo("Demo clinic already loaded; nothing changed.")
    elif present:
        click.echo(f"The database already holds a clinic ({', '.join(sorted(present))}); the demo clinic is "
                   "loaded only into an empty database. Nothing changed.")
        return
    else:
        # Messages name the clinic (the demo's name says it is a demo): set before the load queues them.
        update_message_settings({"clinic_name": "Demo Clinic", "quiet_from": "21:00", "quiet_until": "08:00"}, CLI,
                                clock.now())
        counts = _load(data, rebase=True, live=True)
        today = clock.now().date()
        monday = today - timedelta(days=today.weekday())
        click.echo(f"Loaded the demo clinic, moved to the week of Monday {monday:%d %b %Y}: {_summary(counts)}.")
    # The shipped protocols come with the demo (and never overwrite a clinic's own versions).
    added = install_default_protocols(CLI, clock.now())
    if added:
        click.echo(f"Installed {added} shipped treatment protocol(s).")
    _print_logins(data)


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise click.ClickException(f"Cannot read {path}: {error.strerror or error}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(f"{path} is not valid JSON: {error}.") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path} must hold a JSON object with a \"format\" key.")
    return data


def _load(data: dict, rebase: bool, live: bool = False) -> dict[str, int]:
    """Load a scenario; live (the demo) also queues its messages and records its past as fulfilled."""
    now = clock.now()
    try:
        return load_scenario(data, CLI, now, rebase_to=now.date() if rebase else None, tell=live, settle_past=live)
    except InvalidData as invalid:
        _fail("The scenario was not loaded; nothing was written:", invalid)


def _fail(headline: str, invalid: InvalidData) -> NoReturn:
    click.echo(headline, err=True)
    for problem in invalid.problems:
        click.echo(f"  {problem.field or 'file'}: {problem.message}", err=True)
    raise click.exceptions.Exit(1)


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in counts.items())


def _print_logins(data: dict) -> None:
    logins = [user for user in data.get("users", []) if user.get("password")]
    if not logins:
        return
    passwords = {user["password"] for user in logins}
    click.echo(f"Demo logins (password {' / '.join(sorted(passwords))}; a demo password published in the "
               "repository: never use these accounts for real patients):")
    for user in logins:
        click.echo(f"  {user['email']:<26} {user['role']:<10} {user['name']}")
