"""The admin's staff forms: fields and CSRF from Flask-WTF; every rule is the service's (the API's inputs)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from planner.domain.calendar import WEEKDAYS
from planner.domain.staffing import CREDENTIAL_KINDS, CREDENTIAL_NAMES, DISCIPLINES

DAY = {"type": "date", "min": "1900-01-01", "max": "2100-12-31"}
CLOCK = {"type": "time", "step": 60}


class Boxes(SelectMultipleField):
    """A list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class Form(FlaskForm):
    """No WTForms validators: validate() checks the CSRF token; the service judges each value."""

    def values(self) -> dict:
        """The typed values by field name (text, lists for checkboxes)."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}

    def show_errors(self, problems) -> None:
        """Put each problem beside its field (one the form does not have goes beside the first)."""
        shown = [f for name, f in self._fields.items() if name != "csrf_token"]
        for problem in problems:
            field = self._fields.get(problem.field) or shown[0]
            if problem.message not in field.errors:
                field.errors = [*field.errors, problem.message]


class StaffForm(Form):
    """A staff member's details."""

    name = StringField("Name", render_kw={"maxlength": 120, "autocomplete": "off"})
    email = StringField("Email", render_kw={"type": "email", "maxlength": 200, "autocomplete": "off"})
    phone = StringField("Phone", render_kw={"type": "tel", "maxlength": 20, "placeholder": "+12125550123"})
    disciplines = Boxes("Disciplines", choices=[SelectChoice(d, d) for d in DISCIPLINES], validate_choice=False)


class CredentialForm(Form):
    """A credential: its kind (fixed once recorded), number and dates."""

    kind = SelectField("Kind", choices=[SelectChoice("", "Choose")] + [SelectChoice(k, CREDENTIAL_NAMES[k])
                                                                        for k in CREDENTIAL_KINDS],
                       validate_choice=False)
    number = StringField("Number", render_kw={"maxlength": 60, "autocomplete": "off"})
    issued_on = StringField("Issued on", render_kw=DAY)
    expires_on = StringField("Expires on", render_kw=DAY)


class ShiftForm(Form):
    """One shift: the site, the local day and wall-clock times there."""

    site_id = SelectField("Site", validate_choice=False)
    day = StringField("Day", render_kw=DAY)
    starts = StringField("Starts", render_kw=CLOCK)
    ends = StringField("Ends", render_kw=CLOCK)


class TimeOffForm(Form):
    """Time off from a day and time until a day and time, in the wall time of a site."""

    site_id = SelectField("Times at", validate_choice=False)
    from_day = StringField("From day", render_kw=DAY)
    from_time = StringField("From time", render_kw=CLOCK)
    until_day = StringField("Until day", render_kw=DAY)
    until_time = StringField("Until time", render_kw=CLOCK)
    reason = StringField("Reason", render_kw={"maxlength": 200})


class PatternForm(Form):
    """A weekly pattern: weekdays, wall-clock times, a site, the first and last day."""

    site_id = SelectField("Site", validate_choice=False)
    weekdays = Boxes("Weekdays", choices=[SelectChoice(str(i), name) for i, name in enumerate(WEEKDAYS)],
                     validate_choice=False)
    starts = StringField("Starts", render_kw=CLOCK)
    ends = StringField("Ends", render_kw=CLOCK)
    first_day = StringField("First day", render_kw=DAY)
    last_day = StringField("Last day", render_kw=DAY)
