"""Failed sign-ins slow guessing down: per email, per address, and only for a quarter of an hour."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

import planner.clock
from planner import create_app
from planner.db.models import AuditEvent
from planner.extensions import db
from planner.services import accounts
from planner.services.signin_limits import PER_ADDRESS, PER_EMAIL, WINDOW
from tests.web.conftest import csrf_from, sign_in

T0 = datetime(2026, 11, 21, 9, tzinfo=timezone.utc)


def actions() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_after_five_wrong_passwords_even_the_right_one_waits_until_the_first_leaves_the_window(app, user_factory):
    user_id, email, password = user_factory()
    for k in range(PER_EMAIL):
        assert accounts.authenticate(email, f"guess number {k}", "10.0.0.5", T0 + timedelta(minutes=k)) is None
    with pytest.raises(accounts.TooManyAttempts) as refused:
        accounts.authenticate(email, password, "10.0.0.9", T0 + timedelta(minutes=5))
    assert refused.value.wait == WINDOW - timedelta(minutes=5)  # the first failure was at T0
    assert actions()[-1] == "login.throttled"
    # Another account, from another address, is not held up.
    other_id, other, other_password = user_factory()
    assert accounts.authenticate(other, other_password, "10.0.0.7", T0 + timedelta(minutes=5)) == other_id
    # Once the first failure is a quarter of an hour old, four remain: the right password works.
    assert accounts.authenticate(email, password, "10.0.0.5", T0 + WINDOW + timedelta(seconds=1)) == user_id


def test_a_throttled_guess_is_not_checked_so_it_tells_nothing(app, user_factory, monkeypatch):
    _, email, password = user_factory()
    for _ in range(PER_EMAIL):
        accounts.authenticate(email, "wrong", None, T0)
    checked = []
    monkeypatch.setattr(accounts, "password_matches", lambda *args: checked.append(args) or True)
    with pytest.raises(accounts.TooManyAttempts):
        accounts.authenticate(email, password, None, T0 + timedelta(minutes=1))
    assert checked == []
    # Throttled attempts do not count as failures: the wait does not grow with them.
    with pytest.raises(accounts.TooManyAttempts) as refused:
        accounts.authenticate(email, password, None, T0 + timedelta(minutes=2))
    assert refused.value.wait == WINDOW - timedelta(minutes=2)


def test_twenty_failures_from_one_address_hold_up_every_email_from_it_but_not_from_elsewhere(app, user_factory):
    user_id, email, password = user_factory()
    for k in range(PER_ADDRESS):
        accounts.authenticate(f"stranger{k}@example.org", "guess", "198.51.100.4", T0)
    with pytest.raises(accounts.TooManyAttempts):
        accounts.authenticate(email, password, "198.51.100.4", T0 + timedelta(minutes=1))
    assert accounts.authenticate(email, password, "10.0.0.5", T0 + timedelta(minutes=1)) == user_id


def test_the_sign_in_page_answers_429_with_retry_after_and_a_plain_message(client, user_factory, monkeypatch):
    monkeypatch.setattr(planner.clock, "now", lambda: T0)
    _, email, password = user_factory()
    for _ in range(PER_EMAIL):
        assert sign_in(client, email, "not the password").status_code == 200
    response = sign_in(client, email, password)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(int(WINDOW.total_seconds()))
    assert b"Too many failed sign-ins. Try again in 15 minutes." in response.data
    assert b'name="password"' in response.data and password.encode() not in response.data
    assert client.get("/").status_code == 302  # still signed out


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_audited_and_so_limited(database_url, app, user_factory):
    _, email, _ = user_factory()
    proxied = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, PROXY_HOPS=1)
    try:
        with proxied.test_client() as browser:
            page = browser.get("/login")
            token = csrf_from(page.data)
            browser.post("/login", data={"email": email, "password": "not the password", "csrf_token": token},
                         headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    finally:
        with proxied.app_context():
            db.engine.dispose()
    db.session.rollback()
    failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).one()
    assert failed.remote_addr == "203.0.113.9"
