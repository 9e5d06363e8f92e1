"""`flask planner create-user | create-token | revoke-token | list-tokens`: staff logins and API tokens."""

from __future__ import annotations

import os
import sys

import click
from sqlalchemy import select

from planner import clock
from planner.cli import fail, planner_cli
from planner.db.models import ApiToken, User
from planner.domain.errors import InvalidData, NotFound
from planner.extensions import db
from planner.services import Actor, accounts


def _actor() -> Actor:
    return Actor(f"cli:{os.environ.get('USER') or os.environ.get('LOGNAME') or 'unknown'}")


def _explain(error: InvalidData) -> str:
    return "\n".join(f"  {p.field}: {p.message}" if p.field else f"  {p.message}" for p in error.problems)


def _password() -> str:
    """Ask twice on a terminal; read one line from a pipe; refuse when there is nothing to read."""
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line.strip():
        fail("No password given: pass --password, pipe it on stdin, or run the command in a terminal.")
    return line.rstrip("\r\n")


@planner_cli.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The person's name as shown in the app.")
@click.option("--role", required=True, help=f"One of {', '.join(accounts.ROLES)}.")
@click.option("--password", default=None,
              help="At least 12 characters. Omit it to be asked (hidden) or to pipe it on stdin.")
@click.option("--staff-id", default=None, help="The staff record this login belongs to, if any.")
def create_user(email: str, name: str, role: str, password: str | None, staff_id: str | None) -> None:
    """Create a staff login."""
    if staff_id is not None and not (staff_id.isascii() and staff_id.isdigit()):
        fail(f"--staff-id must be a whole number, not {staff_id!r}.")
    if role not in accounts.ROLES:  # before asking for a password that would be thrown away
        fail(f"--role must be one of {', '.join(accounts.ROLES)}, not {role!r}.")
    if password is None:
        password = _password()
    try:
        user_id = accounts.create_user(email, name, role, password, int(staff_id) if staff_id else None,
                                       now=clock.now(), actor=_actor())
    except InvalidData as error:
        fail(f"The user was not created:\n{_explain(error)}")
    click.echo(f"Created user {user_id}: {accounts.normal_email(email)} ({role}).")


@planner_cli.command("create-token")
@click.argument("email")
@click.argument("name")
def create_token(email: str, name: str) -> None:
    """Create an API token for EMAIL named NAME; the token is printed once and never again."""
    try:
        token = accounts.create_api_token(email, name, clock.now(), _actor())
    except InvalidData as error:
        fail(f"No token was created:\n{_explain(error)}")
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == accounts.token_digest(token)))
    click.echo(f"Created API token {token_id} ({name}) for {accounts.normal_email(email)}.", err=True)
    click.echo("Copy it now; only its hash is kept, so it cannot be shown again:", err=True)
    click.echo(token)


@planner_cli.command("revoke-token")
@click.argument("token_id", metavar="ID")
def revoke_token(token_id: str) -> None:
    """Revoke the API token with this ID at once."""
    if not (token_id.isascii() and token_id.isdigit()) or len(token_id) > 12:
        fail(f"ID must be a token's number (see list-tokens), not {token_id!r}.")
    try:
        revoked = accounts.revoke_api_token(int(token_id), clock.now(), _actor())
    except NotFound as error:
        fail(str(error))
    click.echo(f"Revoked API token {token_id}." if revoked else f"API token {token_id} was already revoked.")


@planner_cli.command("list-tokens")
@click.argument("email", required=False)
def list_tokens(email: str | None) -> None:
    """List API tokens (never their values), for one EMAIL or everyone."""
    query = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if email:
        query = query.where(User.email == accounts.normal_email(email))
    rows = db.session.execute(query).all()
    if not rows:
        click.echo("No API tokens.")
    for token, owner in rows:
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}Z" if token.revoked_at else "active"
        used = f"last used {token.last_used_at:%Y-%m-%d %H:%M}Z" if token.last_used_at else "never used"
        click.echo(f"{token.id}\t{owner}\t{token.name}\t{state}\t{used}")
