"""The admin's accounts pages: /accounts lists and adds logins, /accounts/<id> edits one and its API tokens.

Each account shows the staff record it is linked to and, in words, whose clinical records it reads:
a clinician linked to a therapist reads only their own patients', an unlinked one every patient's.

Each form runs one service (accounts, account_admin) with its rules and audit; a refusal shows the
page again with every error beside its field and nothing written. A new API token is shown once,
in the answer to the form that made it (never in a redirect or a flash, which ride in the cookie).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from planner.domain.errors import InvalidData
from planner.services import account_admin as admin
from planner.services.account_links import UNCHANGED, staff_choices
from planner.services.accounts import create_user
from planner.web.access import actor, now, roles_required
from planner.web.account_forms import AccountForm, ButtonForm, NewAccountForm, PasswordForm, TokenForm

account_admin = Blueprint("account_admin", __name__)


@account_admin.get("/accounts")
@roles_required("admin")
def accounts():
    """Every login, and the form that adds one."""
    return _list(NewAccountForm(formdata=None, role="reception", staff_id=""))


@account_admin.post("/accounts")
@roles_required("admin")
def add():
    """Add a login with a role, a staff record (or none) and a temporary password; errors beside their fields (422)."""
    form = NewAccountForm()
    _csrf(form)
    chosen = form.chosen_staff()
    staff_id = None if chosen is UNCHANGED else chosen  # create_user judges it: no id of the list is refused
    try:
        user_id = create_user(form.email.data or "", form.name.data or "", form.role.data or "",
                              form.password.data or "", staff_id, now=now(), actor=actor())  # type: ignore[arg-type]
    except InvalidData as invalid:
        return _list(form, form.show_errors(invalid.problems), 422)
    flash("Account added. Pass the temporary password on to them in person or by phone.", "success")
    return redirect(url_for(".show", user_id=user_id), 303)


@account_admin.get("/accounts/<id:user_id>")
@roles_required("admin")
def show(user_id: int):
    """One login: its name and role, its state, a temporary password, its API tokens."""
    return _page(user_id)


@account_admin.post("/accounts/<id:user_id>")
@roles_required("admin")
def edit(user_id: int):
    """Rename a login, give it another role (the last admin keeps theirs), link it to a staff record or unlink it."""
    form = AccountForm(prefix="account")
    return _attempt(user_id, "account", form,
                    lambda: admin.change_account(user_id, form.name.data or "", form.role.data or "", actor(), now(),
                                                 form.chosen_staff()),
                    lambda changed: "Saved." if changed else "Nothing changed.")


@account_admin.post("/accounts/<id:user_id>/<any(deactivate, reactivate):verb>")
@roles_required("admin")
def active(user_id: int, verb: str):
    """Deactivate a login (not one's own, not the last admin) or bring it back."""
    on = verb == "reactivate"
    return _attempt(user_id, "active", ButtonForm(prefix="active"),
                    lambda: admin.set_account_active(user_id, on, actor(), now()),
                    lambda _: "The account is active again." if on else
                    "Deactivated: it can no longer sign in, and its API tokens no longer work.")


@account_admin.post("/accounts/<id:user_id>/password")
@roles_required("admin")
def password(user_id: int):
    """Set a temporary password the admin passes on (at least 12 characters)."""
    form = PasswordForm(prefix="password")
    return _attempt(user_id, "password", form,
                    lambda: admin.set_temporary_password(user_id, form.password.data or "", actor(), now()),
                    lambda _: "Temporary password set. Pass it on in person or by phone, never by email.")


@account_admin.post("/accounts/<id:user_id>/tokens")
@roles_required("admin")
def new_token(user_id: int):
    """Create an API token and show it this once; only its hash is kept."""
    form = TokenForm(prefix="token")
    _csrf(form)
    try:
        token = admin.new_token(user_id, form.label.data or "", actor(), now())
    except InvalidData as invalid:
        return _page(user_id, ("token", form), form.show_errors(invalid.problems), 422)
    page, status = _page(user_id, shown_token=(form.label.data.strip(), token))
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # the token must not stay in a cache or the history
    return response


@account_admin.post("/accounts/<id:user_id>/tokens/<id:token_id>/revoke")
@roles_required("admin")
def revoke(user_id: int, token_id: int):
    """Revoke one of the login's API tokens at once."""
    return _attempt(user_id, f"revoke_{token_id}", ButtonForm(prefix=f"revoke-{token_id}"),
                    lambda: admin.revoke_token(user_id, token_id, actor(), now()),
                    lambda revoked: "Revoked: the token no longer works." if revoked else "It was revoked already.")


def _csrf(form) -> None:
    if not form.validate_on_submit():  # the CSRF token only: the services judge every value
        abort(400)


def _attempt(user_id: int, where: str, form, change, said):
    _csrf(form)
    try:
        result = change()
    except InvalidData as invalid:
        return _page(user_id, (where, form), form.show_errors(invalid.problems), 422)
    flash(said(result), "success")
    return redirect(url_for(".show", user_id=user_id), 303)


def _list(form: NewAccountForm, problems: list[str] | None = None, status: int = 200):
    form.offer_staff(staff_choices())
    page = render_template("accounts/list.html", accounts=admin.accounts_listed(), form=form,
                           problems=problems or [], me=current_user.id)
    return page, status


def _page(user_id: int, submitted: tuple[str, object] | None = None, problems: list[str] | None = None,
          status: int = 200, shown_token: tuple[str, str] | None = None):
    found = admin.account(user_id)  # NotFound: 404
    linked = str(found.staff.id) if found.staff else ""
    forms = {"account": AccountForm(formdata=None, prefix="account", name=found.name, role=found.role,
                                    staff_id=linked),
             "active": ButtonForm(formdata=None, prefix="active"),
             "password": PasswordForm(formdata=None, prefix="password"),
             "token": TokenForm(formdata=None, prefix="token"),
             **{f"revoke_{t.id}": ButtonForm(formdata=None, prefix=f"revoke-{t.id}") for t in found.tokens}}
    where = submitted[0] if submitted else None
    if submitted:
        forms[where] = submitted[1]
    forms["account"].offer_staff(staff_choices(user_id))
    page = render_template("accounts/account.html", account=found, forms=forms, where=where, problems=problems or [],
                           shown_token=shown_token, me=current_user.id)
    return page, status
