"""The accounts API: an admin lists, adds and changes staff logins and their API tokens, by the pages' rules.

The last admin keeps the role, nobody deactivates their own account, a bad body names each field
and writes nothing, a token's value is shown once, a revoked token is refused at once, and every
change leaves the audit row the pages leave.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.db.models import ApiToken, AuditEvent, User
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.accounts import password_matches
from planner.services.staff_members import deactivate_staff
from tests import factories as f
from tests.web.api_client import ApiClient, count, fields
from tests.web.conftest import audit
from tests.web.test_api_schema import conforms


@pytest.fixture
def admin(client, clinic_clock):
    return ApiClient(client, "admin")


@pytest.fixture
def me(admin) -> int:
    """The calling admin's account id (the only account so far)."""
    return db.session.scalar(select(User.id))


def user(user_id: int) -> User:
    db.session.rollback()
    return db.session.get(User, user_id)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_an_account_is_added_with_a_role_and_a_temporary_password_and_audited(admin, me):
    answer = admin.post("/api/accounts", {"email": "Nia.Ray@Clinic.Example", "name": "Nia Ray", "role": "clinician",
                                          "password": "  temporary pass 1  "})
    assert answer.status_code == 201, answer.get_json()
    added = answer.get_json()
    assert added == {"id": added["id"], "email": "nia.ray@clinic.example", "name": "Nia Ray", "role": "clinician",
                     "active": True, "live_tokens": 0, "tokens": [], "staff_id": None, "staff_name": None,
                     "staff_active": None, "clinical_records": "all"}
    assert password_matches(user(added["id"]).password_hash, "  temporary pass 1  ")  # blanks kept, as typed
    [created] = audit("user.created")
    assert (created.actor_id, created.entity_id, created.details["role"]) == (me, str(added["id"]), "clinician")
    assert "password" not in created.details


def test_a_bad_new_account_names_each_field_and_writes_nothing(admin, me):
    audited = count(AuditEvent)
    refused = admin.post("/api/accounts", {"email": "not-an-email", "name": "", "role": "owner",
                                           "password": "short", "staff_id": 7, "extra": 1})
    assert fields(refused) == {"email", "name", "role", "password", "extra"}
    assert "12 characters" in str(refused.get_json())
    unknown_staff = admin.post("/api/accounts", {"email": "a@clinic.example", "name": "A", "role": "reception",
                                                 "password": "long enough pass", "staff_id": 7})
    assert fields(unknown_staff) == {"staff_id"}
    assert count(User) == 1 and count(AuditEvent) == audited


def test_an_email_that_has_an_account_already_is_refused_whatever_its_case(admin, user_factory):
    user_factory("reception", email="taken@clinic.example")
    refused = admin.post("/api/accounts", {"email": "TAKEN@clinic.example", "name": "Someone", "role": "reception",
                                           "password": "long enough pass"})
    assert fields(refused) == {"email"} and "already has an account" in str(refused.get_json())
    assert count(User) == 2


def test_the_list_and_an_account_show_logins_and_tokens_but_never_a_hash_or_a_token(admin, me, api_token):
    clinician_token, reception_token = api_token("clinician"), api_token("reception")
    other = db.session.scalar(select(User.id).where(User.role == "reception"))
    made = admin.post(f"/api/accounts/{other}/tokens", {"label": "lab export"}).get_json()
    admin.delete(f"/api/accounts/{other}/tokens/{made['id']}")
    listed = admin.get("/api/accounts")
    assert listed.status_code == 200
    assert {(a["role"], a["live_tokens"]) for a in listed.get_json()} == {("admin", 1), ("clinician", 1),
                                                                         ("reception", 1)}
    assert set(listed.get_json()[0]) == {"id", "email", "name", "role", "active", "live_tokens", "staff_id",
                                         "staff_name", "staff_active", "clinical_records"}
    shown = admin.get(f"/api/accounts/{other}")
    assert shown.status_code == 200
    assert [(t["label"], t["revoked_at"] is None) for t in shown.get_json()["tokens"]] == [
        ("lab export", False), ("reception test token", True)]
    assert set(shown.get_json()["tokens"][0]) == {"id", "label", "created_at", "last_used_at", "revoked_at"}
    for answer in (listed, shown):
        text = answer.get_data(as_text=True)
        assert "scrypt" not in text and "hash" not in text
        assert not any(token in text for token in (clinician_token, reception_token, made["token"]))


def test_a_token_is_shown_once_works_at_once_and_once_revoked_is_refused_at_once(admin, client, me):
    made = admin.post(f"/api/accounts/{me}/tokens", {"label": "  billing sync  "})
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    token = made.get_json()
    assert token["label"] == "billing sync" and token["revoked_at"] is None and len(token["token"]) >= 40
    assert client.get("/api/accounts", headers=bearer(token["token"])).status_code == 200
    assert token["token"] not in admin.get(f"/api/accounts/{me}").get_data(as_text=True)
    [created] = audit("api_token.created")
    assert (created.actor_id, created.entity_id, created.details) == (
        me, str(token["id"]), {"user_id": me, "name": "billing sync"})
    revoked = admin.delete(f"/api/accounts/{me}/tokens/{token['id']}")
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"] == "2026-11-20T12:00:00Z"
    assert client.get("/api/accounts", headers=bearer(token["token"])).status_code == 401
    again = admin.delete(f"/api/accounts/{me}/tokens/{token['id']}")
    assert again.status_code == 200 and len(audit("api_token.revoked")) == 1


def test_a_token_is_found_only_under_its_own_account_and_a_bad_label_is_named(admin, me, user_factory):
    other, _, _ = user_factory("clinician")
    token_id = admin.post(f"/api/accounts/{me}/tokens", {"label": "mine"}).get_json()["id"]
    assert admin.delete(f"/api/accounts/{other}/tokens/{token_id}").status_code == 404
    assert fields(admin.post(f"/api/accounts/{other}/tokens", {"label": "two\nlines"})) == {"label"}
    assert fields(admin.post(f"/api/accounts/{other}/tokens", {})) == {"label"}
    assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.id == token_id)) is None
    assert count(ApiToken) == 2  # the caller's and the one made here


def test_an_unknown_account_is_404_on_every_route(admin):
    for answer in (admin.get("/api/accounts/999"), admin.patch("/api/accounts/999", {"name": "X"}),
                   admin.post("/api/accounts/999/password", {"password": "long enough pass"}),
                   admin.post("/api/accounts/999/tokens", {"label": "x"}),
                   admin.delete("/api/accounts/999/tokens/1")):
        assert answer.status_code == 404, answer.request.path
    assert count(AuditEvent) == 0


def test_a_login_is_renamed_given_a_role_deactivated_and_restored_each_audited(admin, client, user_factory, api_token):
    token = api_token("reception")
    other = db.session.scalar(select(User.id).where(User.role == "reception"))
    changed = admin.patch(f"/api/accounts/{other}", {"name": "Sam Lee", "role": "clinician"})
    assert changed.status_code == 200 and (changed.get_json()["name"], changed.get_json()["role"]) == (
        "Sam Lee", "clinician")
    [event] = audit("user.changed")
    assert (event.details["before"]["role"], event.details["after"]) == ("reception",
                                                                         {"name": "Sam Lee", "role": "clinician"})
    off = admin.patch(f"/api/accounts/{other}", {"active": False})
    assert off.status_code == 200 and off.get_json()["active"] is False and len(audit("user.deactivated")) == 1
    assert client.get("/api/patients", headers=bearer(token)).status_code == 401  # its token stops at once
    assert admin.patch(f"/api/accounts/{other}", {"active": False}).status_code == 200  # again: no change
    assert len(audit("user.deactivated")) == 1
    assert fields(admin.post(f"/api/accounts/{other}/tokens", {"label": "x"})) == {None}  # inactive: no new token
    assert admin.patch(f"/api/accounts/{other}", {"active": True}).get_json()["active"] is True
    assert len(audit("user.reactivated")) == 1
    assert client.get("/api/patients", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize(("change", "field"), [
    ({"role": "reception"}, "role"),
    ({"active": False}, "active"),
    ({"name": "Renamed", "active": False}, "active"),
    ({}, "body"),
    ({"name": None}, "name"),
    ({"role": "owner"}, "role"),
    ({"name": "   "}, "name"),
])
def test_the_last_admin_keeps_the_role_nobody_deactivates_themselves_and_nothing_is_half_written(admin, me, change,
                                                                                                  field):
    refused = admin.patch(f"/api/accounts/{me}", change)
    assert fields(refused) == {field}
    kept = user(me)
    assert (kept.name, kept.role, kept.active) == ("Admin", "admin", True) and count(AuditEvent) == 0


def test_with_another_admin_one_may_step_down_but_still_not_deactivate_oneself(admin, me, user_factory):
    user_factory("admin")
    audited = count(AuditEvent)
    assert fields(admin.patch(f"/api/accounts/{me}", {"active": False})) == {"active"}
    stepped = admin.patch(f"/api/accounts/{me}", {"role": "clinician"})
    assert stepped.status_code == 200 and user(me).role == "clinician" and count(AuditEvent) == audited + 1
    assert admin.get("/api/accounts").status_code == 403  # no longer an admin, from the next request on


def test_a_temporary_password_is_set_audited_and_a_short_one_is_refused(admin, me, user_factory):
    other, _, old = user_factory("clinician")
    assert fields(admin.post(f"/api/accounts/{other}/password", {"password": "short"})) == {"password"}
    assert password_matches(user(other).password_hash, old) and audit("user.password_reset") == []
    answer = admin.post(f"/api/accounts/{other}/password", {"password": "a new temporary one"})
    assert answer.status_code == 204 and answer.data == b""
    assert password_matches(user(other).password_hash, "a new temporary one")
    [event] = audit("user.password_reset")
    assert (event.actor_id, event.entity_id, event.details) == (me, str(other), {})


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_only_an_admin_may_read_or_change_accounts(client, clinic_clock, api_token, role):
    token = api_token(role)
    mine = db.session.scalar(select(User.id).where(User.role == role))
    calls = [("get", "/api/accounts", None), ("post", "/api/accounts", {"email": "x@clinic.example", "name": "X",
                                                                         "role": "admin", "password": "long enough pw"}),
             ("get", f"/api/accounts/{mine}", None), ("patch", f"/api/accounts/{mine}", {"role": "admin"}),
             ("post", f"/api/accounts/{mine}/password", {"password": "long enough pw"}),
             ("post", f"/api/accounts/{mine}/tokens", {"label": "x"}), ("delete", f"/api/accounts/{mine}/tokens/1", None)]
    audited = count(AuditEvent)
    for method, path, json in calls:
        assert getattr(client, method)(path, json=json, headers=bearer(token)).status_code == 403, (method, path)
    assert user(mine).role == role and count(User) == 1 and count(ApiToken) == 1 and count(AuditEvent) == audited


def test_every_answer_of_the_accounts_api_is_exactly_what_the_document_says(app, admin, me):
    def call(method: str, path: str, json=None, status: int = 200):
        answer = admin.client.open(path, method=method, json=json, headers=admin.headers)
        assert answer.status_code == status, (method, path, answer.get_json())
        conforms(app, method, path, answer)
        return answer.get_json()

    call("POST", "/api/accounts", {"email": "ines@clinic.example", "name": "Ines", "role": "reception",
                                   "password": "long enough pass"}, 201)
    call("GET", "/api/accounts")
    call("PATCH", f"/api/accounts/{me}", {"name": "Ada Admin"})
    therapist = f.make_staff("Tom Reyes", ["therapist"], f.credentials("licence"))
    assert call("PATCH", f"/api/accounts/{me}", {"staff_id": therapist})["staff_name"] == "Tom Reyes"
    call("PATCH", f"/api/accounts/{me}", {"staff_id": None})
    call("PATCH", f"/api/accounts/{me}", {"staff_id": 9999}, 422)
    call("PATCH", f"/api/accounts/{me}", {"active": False}, 422)
    token = call("POST", f"/api/accounts/{me}/tokens", {"label": "sync"}, 201)
    call("DELETE", f"/api/accounts/{me}/tokens/{token['id']}")
    assert call("GET", f"/api/accounts/{me}")["tokens"][0]["revoked_at"] is not None
    call("GET", "/api/accounts/2147483647", status=404)


# --- the link to a staff record, and whose clinical records the account reads -------------------

@pytest.fixture
def staff(admin, clinic_clock) -> dict:
    """A therapist, a prescriber, and a therapist who has left (deactivated)."""
    gone = f.make_staff("Ann Gone", ["therapist"], f.credentials("licence"))
    deactivate_staff(gone, SYSTEM, clinic_clock)
    return {"therapist": f.make_staff("Tom Reyes", ["therapist"], f.credentials("licence")),
            "prescriber": f.make_staff("Dr Ada Kim", ["MD"]), "gone": gone}


def test_an_account_is_linked_to_a_staff_record_and_unlinked_and_the_answers_say_what_it_reads(admin, me, staff,
                                                                                              user_factory):
    other, _, _ = user_factory("clinician", name="Tom R")
    linked = admin.patch(f"/api/accounts/{other}", {"name": "Tom Reyes", "staff_id": staff["therapist"]})
    assert linked.status_code == 200, linked.get_json()
    assert {k: linked.get_json()[k] for k in ("staff_id", "staff_name", "staff_active", "clinical_records")} == {
        "staff_id": staff["therapist"], "staff_name": "Tom Reyes", "staff_active": True, "clinical_records": "own"}
    [listed] = [a for a in admin.get("/api/accounts").get_json() if a["id"] == other]
    assert (listed["staff_name"], listed["clinical_records"]) == ("Tom Reyes", "own")
    [event] = audit("user.changed")
    assert event.details == {"before": {"name": "Tom R", "staff_id": None, "staff": None},
                             "after": {"name": "Tom Reyes", "staff_id": staff["therapist"], "staff": "Tom Reyes"}}
    unlinked = admin.patch(f"/api/accounts/{other}", {"staff_id": None})
    assert unlinked.status_code == 200 and user(other).staff_id is None
    assert (unlinked.get_json()["staff_id"], unlinked.get_json()["clinical_records"]) == (None, "all")
    assert audit("user.changed")[-1].details == {"before": {"staff_id": staff["therapist"], "staff": "Tom Reyes"},
                                                 "after": {"staff_id": None, "staff": None}}
    assert admin.patch(f"/api/accounts/{other}", {"staff_id": None}).status_code == 200  # again: no change
    assert len(audit("user.changed")) == 2


@pytest.mark.parametrize(("role", "linked_to", "reads"), [
    ("clinician", "prescriber", "all"), ("reception", "therapist", "none"), ("admin", "therapist", "all")])
def test_the_reach_follows_the_role_and_the_staff_records_disciplines(admin, staff, user_factory, role, linked_to,
                                                                      reads):
    other, _, _ = user_factory(role, staff_id=staff[linked_to])
    assert admin.get(f"/api/accounts/{other}").get_json()["clinical_records"] == reads


@pytest.mark.parametrize("wrong", ["unknown", "deactivated", "taken", "zero"])
def test_a_wrong_staff_record_is_refused_naming_staff_id_and_nothing_is_written(admin, me, staff, user_factory, wrong):
    holder, _, _ = user_factory("clinician", name="Sam Lee", email="sam@clinic.example", staff_id=staff["therapist"])
    other, _, _ = user_factory("clinician", name="Tom R")
    chosen = {"unknown": 9999, "deactivated": staff["gone"], "taken": staff["therapist"], "zero": 0}[wrong]
    audited, accounts = count(AuditEvent), count(User)
    refused = admin.patch(f"/api/accounts/{other}", {"name": "Renamed", "role": "admin", "staff_id": chosen})
    assert fields(refused) == {"staff_id"}
    if wrong == "taken":
        assert "Sam Lee (sam@clinic.example)" in str(refused.get_json())
    assert (user(other).name, user(other).role, user(other).staff_id) == ("Tom R", "clinician", None)
    added = admin.post("/api/accounts", {"email": "new@clinic.example", "name": "New", "role": "clinician",
                                         "password": "long enough pass", "staff_id": chosen})
    assert fields(added) == {"staff_id"}
    assert count(AuditEvent) == audited and count(User) == accounts and user(holder).staff_id == staff["therapist"]


def test_a_staff_record_held_by_a_deactivated_account_may_be_linked_again_but_not_both_made_active(admin, staff,
                                                                                                  user_factory):
    old, _, _ = user_factory("clinician", name="Tom Old", staff_id=staff["therapist"])
    assert admin.patch(f"/api/accounts/{old}", {"active": False}).status_code == 200
    new = admin.post("/api/accounts", {"email": "tom@clinic.example", "name": "Tom New", "role": "clinician",
                                       "password": "long enough pass", "staff_id": staff["therapist"]})
    assert new.status_code == 201 and new.get_json()["staff_name"] == "Tom Reyes"
    back = admin.patch(f"/api/accounts/{old}", {"active": True})
    assert fields(back) == {"active"} and "Tom New" in str(back.get_json()) and user(old).active is False
    both = admin.patch(f"/api/accounts/{old}", {"active": True, "staff_id": None})  # unlinked, it may come back
    assert both.status_code == 200 and (both.get_json()["active"], both.get_json()["staff_id"]) == (True, None)


def test_a_staff_member_deactivated_keeps_the_account_linked_and_the_api_says_so(admin, staff, user_factory,
                                                                                 clinic_clock):
    other, _, _ = user_factory("clinician", staff_id=staff["therapist"])
    deactivate_staff(staff["therapist"], SYSTEM, clinic_clock)
    shown = admin.get(f"/api/accounts/{other}").get_json()
    assert (shown["staff_id"], shown["staff_active"], shown["clinical_records"]) == (staff["therapist"], False, "own")
    assert admin.patch(f"/api/accounts/{other}", {"name": "Tom Reyes (left)"}).status_code == 200  # link kept
    assert user(other).staff_id == staff["therapist"]
