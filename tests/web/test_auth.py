"""Staff accounts and access: signing in and out, sessions, CSRF, roles, the CLI (API tokens: test_api_tokens.py)."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from planner.db.models import ApiToken, User
from planner.domain.errors import InvalidData
from planner.extensions import db
from planner.services import accounts
from tests.web.conftest import CREATED, PASSWORD, audit, csrf_from, session_cookie, sign_in

LATER = datetime(2026, 1, 2, tzinfo=timezone.utc)


# --- accounts service -------------------------------------------------------------------------


def test_create_user_names_every_bad_field(app):
    with pytest.raises(InvalidData) as refused:
        accounts.create_user("not-an-email", "", "nurse", "short", now=CREATED)
    assert {p.field for p in refused.value.problems} == {"email", "name", "role", "password"}


def test_create_user_refuses_an_email_already_in_use_whatever_its_case(app, user_factory):
    user_factory("reception", email="desk@clinic.example")
    with pytest.raises(InvalidData) as refused:
        accounts.create_user("Desk@Clinic.example", "Other", "reception", PASSWORD, now=CREATED)
    assert [p.field for p in refused.value.problems] == ["email"]


def test_create_user_stores_a_scrypt_hash_and_audits_the_creation(app, user_factory):
    user_id, email, password = user_factory("clinician")
    user = db.session.get(User, user_id)
    assert user.password_hash.startswith("scrypt:") and password not in user.password_hash
    assert [e.entity_id for e in audit("user.created")] == [str(user_id)]


def test_authenticate_audits_success_and_failure_with_the_address(app, user_factory):
    user_id, email, password = user_factory()
    assert accounts.authenticate(email.upper(), password, "10.0.0.5", LATER) == user_id
    assert accounts.authenticate(email, "wrong password!", "10.0.0.6", LATER) is None
    assert accounts.authenticate("nobody@clinic.example", password, "10.0.0.7", LATER) is None
    [ok] = audit("login.succeeded")
    assert (ok.actor_id, ok.remote_addr) == (user_id, "10.0.0.5")
    failed = audit("login.failed")
    assert [(e.remote_addr, e.details["reason"]) for e in failed] == [("10.0.0.6", "wrong password"),
                                                                       ("10.0.0.7", "unknown email")]


def test_an_inactive_account_cannot_authenticate(app, user_factory):
    user_id, email, password = user_factory()
    db.session.get(User, user_id).active = False
    db.session.commit()
    assert accounts.authenticate(email, password, None, LATER) is None


# --- signing in -------------------------------------------------------------------------------


def test_signing_in_lands_on_the_overview_with_the_name_shown(client, user_factory):
    _, email, password = user_factory("reception", name="Pat Front")
    response = sign_in(client, email, password)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert b"Pat Front" in page.data and b"Sign out" in page.data


def test_a_wrong_password_shows_a_generic_message_with_the_form_and_is_audited(client, user_factory):
    _, email, _ = user_factory()
    response = sign_in(client, email, "not the password")
    assert response.status_code == 200
    assert b"do not match an active account" in response.data and b'name="password"' in response.data
    assert len(audit("login.failed")) == 1
    assert client.get("/").status_code == 302  # still signed out


def test_an_unknown_email_gets_the_same_message_as_a_wrong_password(client, user_factory):
    _, email, _ = user_factory()
    unknown = sign_in(client, "ghost@clinic.example", PASSWORD)
    wrong = sign_in(client, email, "not the password")
    assert unknown.status_code == wrong.status_code == 200
    assert b"do not match an active account" in unknown.data and b"do not match an active account" in wrong.data


def test_a_blank_form_is_answered_with_422_and_the_fields(client):
    page = client.get("/login")
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": csrf_from(page.data)})
    assert response.status_code == 422
    assert b"This field is required" in response.data


def test_the_session_cookie_is_httponly_and_samesite_lax(client, user_factory):
    _, email, password = user_factory()
    cookie = session_cookie(sign_in(client, email, password))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # a permanent session with a lifetime, not a browser-session cookie


def test_the_session_cookie_is_secure_when_the_config_says_so(app, client, user_factory, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    _, email, password = user_factory()
    assert "Secure" in session_cookie(sign_in(client, email, password))


def test_the_session_is_replaced_on_sign_in(client, user_factory):
    _, email, password = user_factory()
    form = client.get("/login")
    before = session_cookie(form)
    old_token = csrf_from(form.data)
    after = session_cookie(client.post("/login", data={"email": email, "password": password,
                                                       "csrf_token": old_token}))
    assert after.split(";")[0] != before.split(";")[0]
    # Nothing from before survives, not even the CSRF secret the old token was made from.
    assert client.post("/logout", data={"csrf_token": old_token}).status_code == 400


@pytest.mark.parametrize("target, lands", [
    ("/sessions?day=2026-11-23", "/sessions?day=2026-11-23"),
    ("https://evil.example/", "/"),
    ("//evil.example/x", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("", "/"),
])
def test_after_sign_in_only_a_local_next_page_is_followed(client, user_factory, target, lands):
    _, email, password = user_factory()
    response = sign_in(client, email, password, next_path=target)
    assert response.status_code == 302 and response.headers["Location"] == lands


def test_a_signed_out_visitor_is_sent_to_sign_in_with_the_page_remembered(client, caplog):
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        response = client.get("/sessions?day=2026-11-23")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/sessions?day%3D2026-11-23"
    assert "access refused: GET /sessions by anonymous" in caplog.text and "not signed in" in caplog.text


# --- CSRF and signing out ---------------------------------------------------------------------


def test_a_login_post_without_csrf_token_is_refused_with_a_clear_400_and_logged(client, user_factory, caplog):
    _, email, password = user_factory()
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 400
    assert b"security token is missing or has expired" in response.data
    assert "CSRF" in caplog.text and "POST /login" in caplog.text
    assert audit("login.succeeded") == []


def test_signing_out_needs_a_post(signed_in):
    client = signed_in()
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_signing_out_with_a_post_ends_the_session(signed_in):
    client = signed_in()
    token = csrf_from(client.get("/").data)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert b"You have signed out" in client.get("/login").data
    assert client.get("/").status_code == 302
    assert len(audit("logout")) == 1


def test_signing_out_without_csrf_token_is_refused(signed_in, caplog):
    client = signed_in()
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        assert client.post("/logout").status_code == 400
    assert "CSRF" in caplog.text
    assert client.get("/").status_code == 200


def test_a_deactivated_account_loses_its_open_session(app, signed_in):
    client = signed_in("clinician")
    user = db.session.scalars(select(User).where(User.role == "clinician")).one()
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


# --- roles ------------------------------------------------------------------------------------


def test_a_clinician_gets_a_403_page_for_the_audit_log_and_it_is_logged(signed_in, caplog):
    client = signed_in("clinician")
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        response = client.get("/audit")
    assert response.status_code == 403
    assert response.mimetype == "text/html" and b"You may not do that" in response.data
    assert "access refused: GET /audit by clinician" in caplog.text and "lacks admin" in caplog.text


@pytest.mark.parametrize("role", ["reception", "clinician", "admin"])
def test_every_staff_role_may_see_the_overview_and_the_day_view(signed_in, role):
    client = signed_in(role)
    assert client.get("/").status_code == 200
    assert client.get("/sessions").status_code == 200


def test_an_admin_sees_sign_ins_in_the_audit_log(signed_in):
    client = signed_in("admin")
    page = client.get("/audit")
    assert page.status_code == 200 and b"login.succeeded" in page.data


# --- the command line -------------------------------------------------------------------------


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["planner", *args], input=input)


def test_cli_creates_a_user_who_can_then_sign_in(app, client):
    result = run(app, "create-user", "Lead@Clinic.example", "--name", "Lee Lead", "--role", "admin",
                 "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert "lead@clinic.example (admin)" in result.output
    assert sign_in(client, "lead@clinic.example", PASSWORD).status_code == 302


def test_cli_reads_a_piped_password(app):
    result = run(app, "create-user", "pipe@clinic.example", "--name", "Pip", "--role", "reception",
                 input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("pipe@clinic.example", PASSWORD, None, LATER) is not None


def test_cli_without_a_password_and_nothing_on_stdin_fails_clearly(app):
    result = run(app, "create-user", "nopw@clinic.example", "--name", "No Pw", "--role", "reception", input="")
    assert result.exit_code == 1
    assert "No password given" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (("--role", "nurse", "--password", PASSWORD), "--role must be one of"),
    (("--role", "reception", "--password", "short"), "password: The password needs at least 12"),
    (("--role", "reception", "--password", PASSWORD, "--staff-id", "x"), "--staff-id must be a whole number"),
    (("--role", "reception", "--password", PASSWORD, "--staff-id", "99"), "staff_id: No staff member with id 99"),
    (("--role", "reception", "--password", PASSWORD, "--staff-id", "9" * 12), "No staff member with id 999999999999"),
])
def test_cli_explains_bad_input_and_exits_1(app, args, message):
    result = run(app, "create-user", "bad@clinic.example", "--name", "Bad", *args)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert db.session.scalar(select(User.id)) is None


def test_cli_prints_a_token_once_and_revokes_it(app, user_factory):
    _, email, _ = user_factory()
    created = run(app, "create-token", email, "reporting")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    row = db.session.scalars(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    listed = run(app, "list-tokens", email)
    assert f"{row.id}\t{email}\treporting\tactive" in listed.output and token not in listed.output
    revoked = run(app, "revoke-token", str(row.id))
    assert revoked.exit_code == 0 and f"Revoked API token {row.id}" in revoked.output
    db.session.rollback()
    assert db.session.get(ApiToken, row.id).revoked_at is not None


@pytest.mark.parametrize("args, message", [
    (("create-token", "ghost@clinic.example", "x"), "email: No account with the email ghost@clinic.example"),
    (("revoke-token", "abc"), "ID must be a token's number"),
    (("revoke-token", "4242"), "No API token with id 4242"),
])
def test_cli_token_commands_explain_bad_input_and_exit_1(app, args, message):
    result = run(app, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
