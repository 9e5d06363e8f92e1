"""The admin keeps staff logins in the browser: add, rename, change role, deactivate, temporary passwords, API tokens."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from planner.db.models import ApiToken, User
from planner.extensions import db
from planner.domain.errors import InvalidData
from planner.services import SYSTEM
from planner.services.account_admin import set_account_active
from planner.services.accounts import password_matches
from tests.web.conftest import PASSWORD, audit, csrf_from, sign_in
from tests.web.site_pages import audited, error_beside


@pytest.fixture
def me(client, user_factory, clinic_clock):
    """The signed-in admin's id (client is signed in as them)."""
    user_id, email, password = user_factory("admin", name="Alex Admin")
    assert sign_in(client, email, password).status_code == 302
    return user_id


def user(user_id: int) -> User:
    db.session.rollback()
    return db.session.get(User, user_id)


def post(client, path: str, prefix: str = "", page: str | None = None, **fields):
    token = csrf_from(client.get(page or re.match(r"^/accounts(/\d+)?", path).group(0)).data)
    key = f"{prefix}-" if prefix else ""
    return client.post(path, data={f"{key}csrf_token": token, **{f"{key}{k}": v for k, v in fields.items()}})


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_only_the_admin_sees_or_changes_accounts_and_a_refusal_is_logged(signed_in, user_factory, role, caplog):
    other, _, _ = user_factory("reception")
    client = signed_in(role)
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        assert client.get("/accounts").status_code == 403
        assert client.get(f"/accounts/{other}").status_code == 403
        assert client.post(f"/accounts/{other}/deactivate").status_code in (400, 403)
    assert f"access refused: GET /accounts by {role}" in caplog.text
    assert user(other).active is True


def test_an_account_is_added_with_a_role_and_a_temporary_password(client, me):
    answer = post(client, "/accounts", page="/accounts", email="Nia.Ray@Clinic.Example", name="Nia Ray",
                  role="clinician", password="temporary-pass-1")
    assert answer.status_code == 303
    added = db.session.scalar(select(User).where(User.email == "nia.ray@clinic.example"))
    assert (added.name, added.role, added.active) == ("Nia Ray", "clinician", True)
    assert password_matches(added.password_hash, "temporary-pass-1")
    assert answer.headers["Location"].endswith(f"/accounts/{added.id}")
    assert "Nia Ray" in client.get("/accounts").data.decode()


def test_a_bad_new_account_shows_every_error_beside_its_field_and_nothing_is_written(client, me):
    before = audited()
    answer = post(client, "/accounts", page="/accounts", email="not-an-email", name="", role="owner",
                  password="short")
    assert answer.status_code == 422
    for field in ("email", "name", "role", "password"):
        assert error_beside(answer.data, field), field
    assert "12 characters" in error_beside(answer.data, "password")
    assert 'value="not-an-email"' in answer.data.decode() and 'value="short"' not in answer.data.decode()
    assert len(db.session.scalars(select(User)).all()) == 1 and audited() == before


def test_an_email_with_an_account_already_is_named_beside_it(client, me, user_factory):
    user_factory("reception", email="taken@clinic.example")
    answer = post(client, "/accounts", page="/accounts", email="taken@clinic.example", name="Someone",
                  role="reception", password="temporary-pass-1")
    assert answer.status_code == 422 and "already has an account" in error_beside(answer.data, "email")


def test_a_name_and_role_are_changed_and_audited(client, me, user_factory):
    other, _, _ = user_factory("reception", name="Pat Front")
    answer = post(client, f"/accounts/{other}", "account", name="Pat Frontdesk", role="clinician")
    assert answer.status_code == 303
    assert (user(other).name, user(other).role) == ("Pat Frontdesk", "clinician")
    (event,) = audit("user.changed")
    assert event.details == {"before": {"name": "Pat Front", "role": "reception"},
                             "after": {"name": "Pat Frontdesk", "role": "clinician"}}


def test_a_bad_edit_is_shown_beside_its_field_and_nothing_is_written(client, me, user_factory):
    other, _, _ = user_factory("reception", name="Pat Front")
    answer = post(client, f"/accounts/{other}", "account", name=" ", role="superuser")
    assert answer.status_code == 422
    assert error_beside(answer.data, "account-name") and error_beside(answer.data, "account-role")
    assert (user(other).name, user(other).role) == ("Pat Front", "reception")


def test_the_last_active_admin_keeps_the_role_and_stays_active(client, me):
    demoted = post(client, f"/accounts/{me}", "account", name="Alex Admin", role="reception")
    assert demoted.status_code == 422 and "only active admin" in error_beside(demoted.data, "account-role")
    assert user(me).role == "admin"


def test_nobody_deactivates_their_own_account(client, me, user_factory):
    user_factory("admin")  # another admin: only the own-account rule stands in the way
    answer = post(client, f"/accounts/{me}/deactivate", "active")
    assert answer.status_code == 422 and "your own account" in answer.data.decode()
    assert user(me).active is True


def test_a_second_admin_may_be_deactivated_but_never_the_last_active_admin(client, me, user_factory, clinic_clock):
    other, _, _ = user_factory("admin", name="Blake Boss")
    assert post(client, f"/accounts/{other}/deactivate", "active").status_code == 303  # two admins: fine
    assert user(other).active is False
    # Through the pages only an admin acts, and never on their own account, so the last admin is
    # reached by the service's rule itself (a script, or two admins at once): refused all the same.
    with pytest.raises(InvalidData, match="only active admin"):
        set_account_active(me, False, SYSTEM, clinic_clock)
    assert user(me).active is True
    assert post(client, f"/accounts/{other}/reactivate", "active").status_code == 303
    set_account_active(me, False, SYSTEM, clinic_clock)  # Blake is back: Alex may go
    assert user(me).active is False


def test_a_deactivated_account_can_no_longer_sign_in_and_comes_back(app, client, me, user_factory):
    other, email, password = user_factory("reception")
    assert post(client, f"/accounts/{other}/deactivate", "active").status_code == 303
    assert [e.entity_id for e in audit("user.deactivated")] == [str(other)]
    assert sign_in(app.test_client(), email, password).status_code != 302
    assert post(client, f"/accounts/{other}/reactivate", "active").status_code == 303
    assert sign_in(app.test_client(), email, password).status_code == 302


def test_a_temporary_password_follows_the_rules_and_the_old_one_stops_working(app, client, me, user_factory):
    other, email, _ = user_factory("reception")
    short = post(client, f"/accounts/{other}/password", "password", password="too-short")
    assert short.status_code == 422 and "12 characters" in error_beside(short.data, "password-password")
    assert password_matches(user(other).password_hash, PASSWORD)
    assert post(client, f"/accounts/{other}/password", "password", password="a-new-temporary-1").status_code == 303
    assert sign_in(app.test_client(), email, PASSWORD).status_code != 302
    assert sign_in(app.test_client(), email, "a-new-temporary-1").status_code == 302
    (event,) = audit("user.password_reset")
    assert "a-new-temporary-1" not in str(event.details)


def test_an_api_token_is_shown_once_listed_by_label_and_revoked(client, me, user_factory):
    other, _, _ = user_factory("reception")
    made = post(client, f"/accounts/{other}/tokens", "token", label="EHR sync")
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    shown = re.search(r'data-testid="new-token">.*?<code>([^<]+)</code>', made.data.decode(), re.S).group(1)
    assert client.get("/api/sites", headers={"Authorization": f"Bearer {shown}"}).status_code == 200
    page = client.get(f"/accounts/{other}").data.decode()
    assert shown not in page  # shown once, never again
    row = page.split('<td data-label="Label">EHR sync</td>', 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="Last used">20 Nov 2026 12:00 UTC</td>' in row  # the API call just now
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == other))
    revoked = post(client, f"/accounts/{other}/tokens/{token_id}/revoke", f"revoke-{token_id}",
                   page=f"/accounts/{other}")
    assert revoked.status_code == 303
    assert client.get("/api/sites", headers={"Authorization": f"Bearer {shown}"}).status_code == 401
    assert "revoked" in client.get(f"/accounts/{other}").data.decode()


def test_a_token_without_a_label_is_refused_beside_the_label(client, me, user_factory):
    other, _, _ = user_factory("reception")
    answer = post(client, f"/accounts/{other}/tokens", "token", label="  ")
    assert answer.status_code == 422 and "1 to 80 characters" in error_beside(answer.data, "token-label")
    assert db.session.scalars(select(ApiToken)).all() == []


def test_another_accounts_token_and_unknown_accounts_are_404(client, me, user_factory):
    other, _, _ = user_factory("reception")
    third, _, _ = user_factory("clinician")
    post(client, f"/accounts/{third}/tokens", "token", label="Scanner")
    token_id = db.session.scalar(select(ApiToken.id))
    assert post(client, f"/accounts/{other}/tokens/{token_id}/revoke", f"revoke-{token_id}",
                page=f"/accounts/{other}").status_code == 404
    assert db.session.get(ApiToken, token_id).revoked_at is None
    assert client.get("/accounts/9999").status_code == 404


def test_an_account_form_without_its_csrf_token_is_refused_and_nothing_changes(client, me, user_factory):
    other, _, _ = user_factory("reception")
    assert client.post(f"/accounts/{other}/deactivate").status_code == 400
    assert client.post(f"/accounts/{other}", data={"account-name": "X", "account-role": "admin"}).status_code == 400
    assert user(other).active is True and user(other).role == "reception"


@pytest.mark.parametrize("role, shown", [("admin", 1), ("reception", 0), ("clinician", 0)])
def test_the_admin_alone_reaches_sites_and_accounts_from_the_set_up_link(signed_in, role, shown):
    client = signed_in(role)
    page = client.get("/").data.decode()
    nav = page.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    assert nav.count('href="/setup"') == shown
    if shown:
        setup = client.get("/setup").data.decode()
        assert setup.count('href="/sites"') == 1 and setup.count('href="/accounts"') == 1
    else:
        assert client.get("/setup").status_code == 403
