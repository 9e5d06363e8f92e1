"""The register/edit form for a patient: fields and CSRF from Flask-WTF, the rules from the service (PatientIn)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

# No WTForms validators and no choice checks: PatientIn (the API's rules) judges every value,
# so the form and the API can never disagree. validate() checks the CSRF token only.
CHANNELS = [SelectChoice("email", "Email"), SelectChoice("sms", "SMS")]


class ChannelBoxes(SelectMultipleField):
    """Consented channels as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PatientForm(FlaskForm):
    """A patient's record as reception types it; screening, consent and REMS enrolment are records of their own."""

    mrn = StringField("MRN", render_kw={"maxlength": 40, "autocomplete": "off"})
    name = StringField("Name", render_kw={"maxlength": 120, "autocomplete": "off"})
    date_of_birth = StringField("Date of birth", render_kw={"type": "date", "max": "2100-12-31"})
    email = StringField("Email", render_kw={"type": "email", "maxlength": 200, "autocomplete": "off"})
    phone = StringField("Phone", render_kw={"type": "tel", "maxlength": 20, "placeholder": "+12125550123"})
    consented_channels = ChannelBoxes("Consented channels", choices=CHANNELS, validate_choice=False)
    preferred_channel = SelectField("Preferred channel", choices=[SelectChoice("", "The first consented channel"), *CHANNELS],
                                    validate_choice=False)
    escort_name = StringField("Escort's name", render_kw={"maxlength": 120})
    escort_phone = StringField("Escort's phone", render_kw={"type": "tel", "maxlength": 20,
                                                            "placeholder": "+12125550123"})
    rems_patient_id = StringField("REMS patient id", render_kw={"maxlength": 40})
    home_site_id = SelectField("Home site", validate_choice=False)

    def values(self) -> dict:
        """The typed values by PatientIn's field names (the service reads and judges them)."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}

    def show_errors(self, problems) -> None:
        """Put each problem beside its field."""
        for problem in problems:
            field = self._fields.get(problem.field)
            if field is not None:
                field.errors = [*field.errors, problem.message]

