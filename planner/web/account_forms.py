"""Forms of the accounts pages (Flask-WTF, CSRF); the services (accounts, account_admin) judge every value."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from planner.services.account_links import UNCHANGED, StaffChoice
from planner.services.accounts import ROLES
from planner.web.forms import ProblemsBeside

ROLE_CHOICES = [SelectChoice(role, role.capitalize()) for role in ROLES]
NO_STAFF = SelectChoice("", "None: not linked to a staff record")


class StaffLink:
    """The "Staff record" choice: active staff by name with their disciplines, and none."""

    def offer_staff(self, choices: list[StaffChoice]) -> None:
        """Fill the choice; a record another account holds says whose it is (choosing it is refused, by name)."""
        self.staff_id.choices = [NO_STAFF, *(  # type: ignore[attr-defined]
            SelectChoice(str(c.id), c.label + (f" · linked to {c.linked_to}" if c.linked_to else "")) for c in choices)]

    def chosen_staff(self) -> object:
        """The staff id chosen: None for none, UNCHANGED when the form sent no choice; anything else as sent.

        The service judges it: a value that is no id of the list is refused beside the field.
        """
        field = self.staff_id  # type: ignore[attr-defined]
        if not field.raw_data:
            return UNCHANGED
        raw = (field.data or "").strip()
        if not raw:
            return None
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else raw


class NewAccountForm(StaffLink, ProblemsBeside, FlaskForm):
    """A new login: who, their role, their staff record, and a temporary password the admin passes on."""

    email = StringField("Email", render_kw={"type": "email", "maxlength": 200, "autocomplete": "off"})
    name = StringField("Name", render_kw={"maxlength": 120, "autocomplete": "off"})
    role = SelectField("Role", choices=ROLE_CHOICES, validate_choice=False)
    staff_id = SelectField("Staff record", choices=[NO_STAFF], validate_choice=False)
    password = PasswordField("Temporary password", render_kw={"autocomplete": "new-password", "maxlength": 1024})


class AccountForm(StaffLink, ProblemsBeside, FlaskForm):
    """A login's name, role and staff record."""

    name = StringField("Name", render_kw={"maxlength": 120, "autocomplete": "off"})
    role = SelectField("Role", choices=ROLE_CHOICES, validate_choice=False)
    staff_id = SelectField("Staff record", choices=[NO_STAFF], validate_choice=False)


class PasswordForm(ProblemsBeside, FlaskForm):
    """A temporary password the admin sets and tells the person."""

    password = PasswordField("New temporary password", render_kw={"autocomplete": "new-password", "maxlength": 1024})


class TokenForm(ProblemsBeside, FlaskForm):
    """A new API token's label: what program uses it."""

    label = StringField("Label", render_kw={"maxlength": 80, "autocomplete": "off"})


class ButtonForm(ProblemsBeside, FlaskForm):
    """Nothing but the CSRF token: a button that changes something (deactivate, revoke)."""
