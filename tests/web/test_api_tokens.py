"""API tokens: kept only as a hash, refused when revoked or unknown, and their user answered whatever cookie comes."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from planner.db.models import ApiToken, User
from planner.extensions import db
from planner.services import accounts
from tests.factories import make_site
from tests.web.conftest import CREATED, audit, csrf_from, sign_in

LATER = datetime(2026, 1, 2, tzinfo=timezone.utc)


# --- API tokens -------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_sha256(app, user_factory):
    _, email, _ = user_factory()
    token = accounts.create_api_token(email, "laptop", CREATED)
    row = db.session.scalars(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.token_hash, row.name}
    assert len(token) >= 43  # 32 random bytes
    assert [e.entity_id for e in audit("api_token.created")] == [str(row.id)]


def test_an_api_call_with_a_valid_token_is_answered(client, api_token):
    token = api_token("reception")
    response = client.get("/api/sites", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


def test_an_api_call_without_a_token_is_refused_with_401_and_logged(client, caplog):
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        response = client.get("/api/sites")
    assert response.status_code == 401 and response.is_json
    assert "access refused: GET /api/sites by anonymous" in caplog.text


def test_a_revoked_token_is_refused_with_401_and_logged(client, api_token, caplog):
    token = api_token("admin")
    row = db.session.scalars(select(ApiToken)).one()
    assert accounts.revoke_api_token(row.id, LATER) is True
    assert accounts.revoke_api_token(row.id, LATER) is False  # a second revoke changes nothing
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        response = client.get("/api/sites", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "invalid or revoked API token" in caplog.text


def test_a_made_up_token_is_refused_with_401(client):
    response = client.get("/api/sites", headers={"Authorization": "Bearer not-a-real-token"})
    assert response.status_code == 401


def test_a_deactivated_accounts_token_is_refused_from_the_next_request_on(client, api_token):
    token = api_token("reception")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/sites", headers=headers).status_code == 200
    user = db.session.scalars(select(User)).one()
    user.active = False
    db.session.commit()
    assert client.get("/api/sites", headers=headers).status_code == 401


# --- a bearer token wins over the session cookie ------------------------------------------------


def token_for(email: str) -> dict:
    return {"Authorization": f"Bearer {accounts.create_api_token(email, 'script', CREATED)}"}


def test_a_client_that_opened_a_page_with_its_token_is_still_answered_on_the_api(client, api_token):
    headers = {"Authorization": f"Bearer {api_token('reception')}"}
    page = client.get("/", headers=headers)
    assert page.status_code == 200 and "session=" in page.headers.get("Set-Cookie", "")  # the page's CSRF secret
    for _ in range(2):
        assert client.get("/api/sites", headers=headers).status_code == 200


def test_a_client_signed_in_through_a_page_is_answered_on_the_api_with_its_token(client, user_factory):
    make_site()  # the clinic's one site is the patient's home site
    user_id, email, password = user_factory("reception")
    assert sign_in(client, email, password).status_code == 302
    answer = client.post("/api/patients", json={"mrn": "MRN-9", "name": "Lee Quinn", "date_of_birth": "1990-02-03"},
                         headers=token_for(email))
    assert answer.status_code == 201, answer.get_json()
    [created] = audit("patient.created")
    assert (created.actor_id, created.actor) == (user_id, email)


def test_the_token_user_answers_not_the_user_of_the_session_cookie(client, user_factory):
    make_site()  # the clinic's one site is the patient's home site
    _, clinician, password = user_factory("clinician")
    reception_id, reception, _ = user_factory("reception")
    assert sign_in(client, clinician, password).status_code == 302
    assert client.get("/").status_code == 200  # the cookie works for pages
    # Only reception may register patients: the token's user is asked, not the cookie's clinician.
    answer = client.post("/api/patients", json={"mrn": "MRN-8", "name": "Ari Moss", "date_of_birth": "1990-02-03"},
                         headers=token_for(reception))
    assert answer.status_code == 201, answer.get_json()
    assert [e.actor_id for e in audit("patient.created")] == [reception_id]
    assert "Set-Cookie" not in answer.headers  # the API never touched the browser's session


def test_a_stale_session_cookie_does_not_stop_a_valid_token(client, user_factory):
    _, email, password = user_factory("reception")
    assert sign_in(client, email, password).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").data)})
    headers = token_for(email) | {"User-Agent": "another program"}  # strong session protection would drop the cookie
    assert client.get("/api/sites", headers=headers).status_code == 200


@pytest.mark.parametrize("bad", ["revoked", "made up"])
def test_a_bad_token_is_refused_on_the_api_even_with_a_valid_session_cookie(client, user_factory, caplog, bad):
    _, email, password = user_factory("admin")
    assert sign_in(client, email, password).status_code == 302
    headers = token_for(email)
    if bad == "revoked":
        accounts.revoke_api_token(db.session.scalars(select(ApiToken.id)).one(), LATER)
    else:
        headers = {"Authorization": "Bearer not-a-real-token"}
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        assert client.get("/api/sites", headers=headers).status_code == 401
    assert "invalid or revoked API token" in caplog.text
    assert client.get("/").status_code == 200  # the page still knows the cookie
