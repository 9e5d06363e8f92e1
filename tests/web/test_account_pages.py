"""The admin keeps staff logins in the browser: add, rename, change role, deactivate, temporary passwords, API tokens."""

from __future__ import annotations

import html
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
from planner.services.staff_members import deactivate_staff
from tests import factories as f
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


# --- the link to a staff record, and whose clinical records the account reads -------------------

THERAPIST_READS = "only their own patients' clinical records"


@pytest.fixture
def therapist(me) -> int:
    """Tom Reyes, a therapist on the staff (no account yet)."""
    return f.make_staff("Tom Reyes", ["therapist"], f.credentials("licence"))


def shown(data: bytes) -> str:
    """A page's text as read, entities undone (Jinja writes an apostrophe as &#39;)."""
    return html.unescape(data.decode())


def row_of(page: str, name: str) -> str:
    """The accounts list's row of one account."""
    return page.split(f">{name}</a>", 1)[1].split("</tr>", 1)[0]


def test_an_account_is_added_linked_to_a_therapist_and_the_list_says_whose_records_each_reads(client, me, therapist,
                                                                                             user_factory):
    user_factory("clinician", name="Dr Lee Unlinked")
    form = shown(client.get("/accounts").data)
    assert f'<option value="{therapist}">Tom Reyes (therapist)</option>' in form
    answer = post(client, "/accounts", page="/accounts", email="tom@clinic.example", name="Tom Reyes",
                  role="clinician", staff_id=str(therapist), password="temporary-pass-1")
    assert answer.status_code == 303
    added = db.session.scalar(select(User).where(User.email == "tom@clinic.example"))
    assert added.staff_id == therapist
    event = audit("user.created")[-1]
    assert (event.entity_id, event.details["staff_id"], event.details["staff"]) == (str(added.id), therapist,
                                                                                    "Tom Reyes")
    page = shown(client.get("/accounts").data)
    tom = row_of(page, "Tom Reyes")
    assert "Tom Reyes (therapist)" in tom and THERAPIST_READS in tom
    assert "not linked" in row_of(page, "Dr Lee Unlinked") and "every patient's clinical record" in row_of(
        page, "Dr Lee Unlinked")
    assert "Tom Reyes (therapist) · linked to Tom Reyes" in shown(client.get("/accounts").data)


def test_an_account_is_linked_and_unlinked_on_its_page_judged_whole_and_audited_with_the_staff_names(
        client, me, therapist, user_factory):
    other, _, _ = user_factory("clinician", name="Tom R")
    page = shown(client.get(f"/accounts/{other}").data)
    assert 'data-testid="link-hint"' in page and "Reads every patient's clinical record." in page
    linked = post(client, f"/accounts/{other}", "account", name="Tom Reyes", role="clinician", staff_id=str(therapist))
    assert linked.status_code == 303 and user(other).staff_id == therapist
    page = shown(client.get(f"/accounts/{other}").data)
    assert f"Reads {THERAPIST_READS}." in page and 'data-testid="link-hint"' not in page
    assert f'<option selected value="{therapist}">Tom Reyes (therapist)</option>' in page
    unlinked = post(client, f"/accounts/{other}", "account", name="Tom Reyes", role="clinician", staff_id="")
    assert unlinked.status_code == 303 and user(other).staff_id is None
    first, second = audit("user.changed")
    assert first.details == {"before": {"name": "Tom R", "staff_id": None, "staff": None},
                             "after": {"name": "Tom Reyes", "staff_id": therapist, "staff": "Tom Reyes"}}
    assert second.details == {"before": {"staff_id": therapist, "staff": "Tom Reyes"},
                              "after": {"staff_id": None, "staff": None}}


def test_an_edit_without_a_staff_choice_leaves_the_link_as_it_is(client, me, therapist, user_factory):
    other, _, _ = user_factory("clinician", name="Tom R", staff_id=therapist)
    assert post(client, f"/accounts/{other}", "account", name="Tom Reyes", role="clinician").status_code == 303
    assert (user(other).name, user(other).staff_id) == ("Tom Reyes", therapist)


@pytest.mark.parametrize("wrong", ["unknown", "deactivated", "taken", "garbage"])
def test_a_wrong_staff_record_is_refused_beside_the_field_and_nothing_is_written(client, me, therapist, user_factory,
                                                                                clinic_clock, wrong):
    other, _, _ = user_factory("clinician", name="Tom R")
    chosen = {"unknown": "9999", "garbage": "tom", "deactivated": str(f.make_staff("Ann Gone", ["therapist"])),
              "taken": str(therapist)}[wrong]
    if wrong == "deactivated":
        deactivate_staff(int(chosen), SYSTEM, clinic_clock)
    if wrong == "taken":
        user_factory("clinician", name="Sam Lee", email="sam@clinic.example", staff_id=therapist)
    said = {"unknown": "No staff member with id 9999.", "garbage": "Choose a staff record from the list",
            "deactivated": "Ann Gone's staff record is deactivated",
            "taken": "already linked to the account of Sam Lee (sam@clinic.example): one person, one login"}[wrong]
    before = audited()
    answer = post(client, f"/accounts/{other}", "account", name="Tom Reyes", role="admin", staff_id=chosen)
    assert answer.status_code == 422 and said in html.unescape(error_beside(answer.data, "account-staff_id"))
    assert (user(other).name, user(other).role, user(other).staff_id) == ("Tom R", "clinician", None)
    added = post(client, "/accounts", page="/accounts", email="new@clinic.example", name="New", role="clinician",
                 staff_id=chosen, password="temporary-pass-1")
    assert added.status_code == 422 and said in html.unescape(error_beside(added.data, "staff_id"))
    assert db.session.scalar(select(User.id).where(User.email == "new@clinic.example")) is None
    assert audited() == before


def test_a_deactivated_staff_member_keeps_the_link_and_the_accounts_pages_say_so(client, me, therapist,
                                                                                user_factory, clinic_clock):
    other, _, _ = user_factory("clinician", name="Tom Reyes", staff_id=therapist)
    deactivate_staff(therapist, SYSTEM, clinic_clock)
    assert user(other).staff_id == therapist
    page = shown(client.get(f"/accounts/{other}").data)
    assert "staff record deactivated" in page and 'data-testid="deactivated-hint"' in page
    assert f'<option selected value="{therapist}">Tom Reyes (therapist), deactivated</option>' in page
    assert "staff record deactivated" in row_of(shown(client.get("/accounts").data), "Tom Reyes")
    assert f'value="{therapist}"' not in shown(client.get("/accounts").data)  # no new link to them
    kept = post(client, f"/accounts/{other}", "account", name="Tom Reyes", role="reception", staff_id=str(therapist))
    assert kept.status_code == 303 and (user(other).role, user(other).staff_id) == ("reception", therapist)


def test_an_old_account_made_active_again_is_refused_while_another_holds_its_staff_record(client, me, therapist,
                                                                                         user_factory):
    old, _, _ = user_factory("clinician", name="Tom Old", staff_id=therapist)
    assert post(client, f"/accounts/{old}/deactivate", "active").status_code == 303
    new = post(client, "/accounts", page="/accounts", email="tom@clinic.example", name="Tom New", role="clinician",
               staff_id=str(therapist), password="temporary-pass-1")
    assert new.status_code == 303  # a deactivated account holds no staff record
    back = post(client, f"/accounts/{old}/reactivate", "active")
    assert back.status_code == 422 and "linked to the account of Tom New" in shown(back.data)
    assert user(old).active is False


def test_linking_a_clinicians_account_shows_that_persons_day_on_my_day(app, client, me, clinic_today, user_factory):
    other, email, password = user_factory("clinician", name="Rosa Diaz")
    rosa = app.test_client()
    assert sign_in(rosa, email, password).status_code == 302
    unlinked = shown(rosa.get("/me/day").data)
    assert "An admin can link your account to your staff record under Set-up" in unlinked
    assert clinic_today.patient_name not in unlinked
    assert post(client, f"/accounts/{other}", "account", name="Rosa Diaz", role="clinician",
                staff_id=str(clinic_today.nurse)).status_code == 303
    day = shown(rosa.get("/me/day").data)
    assert 'data-testid="no-staff-record"' not in day and clinic_today.patient_name in day
