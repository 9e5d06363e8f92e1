"""The forms of a site's set-up page: details, one weekday's hours, closed days, a room. CSRF from Flask-WTF.

No WTForms validators: the services (SiteChange, RoomIn, site_calendar) judge every value, so the
page and the API can never disagree. Each form has its own prefix, as several share the page.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from planner.domain.clinic import CAPABILITIES, CAPABILITY_NAMES, ROOM_KINDS
from planner.domain.staffing import MONITORING_CLINICIAN, ROLE_NAMES, SUPERVISING_PRESCRIBER

# Only the ratios a site may set; the therapist's 1:1 is the supervision floor and is not offered.
LIMIT_ROLES = (SUPERVISING_PRESCRIBER, MONITORING_CLINICIAN)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Boxes(SelectMultipleField):
    """A choice of several as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ShownErrors:
    """Put the services' problems beside the fields they name (a field the form lacks goes to `elsewhere`)."""

    aliases: dict[str, str] = {}

    def show_errors(self, problems) -> list[str]:
        """Each problem beside its field; returns the messages that name no field of this form."""
        elsewhere = []
        for problem in problems:
            name = self.aliases.get(problem.field or "", (problem.field or "").split("[")[0].split(".")[0])
            field = self._fields.get(name)  # type: ignore[attr-defined]
            if field is None or name == "csrf_token":
                elsewhere.append(problem.message)
            else:
                field.errors = [*field.errors, problem.message]
        return elsewhere


class SiteDetailsForm(ShownErrors, FlaskForm):
    """A site's name, phone, REMS certification and the ratios the clinic sets for it."""

    aliases = {f"limits.{role}": f"limit_{role}" for role in LIMIT_ROLES}
    name = StringField("Name", render_kw={"maxlength": 120, "autocomplete": "off"})
    phone = StringField("Phone", render_kw={"type": "tel", "maxlength": 20, "placeholder": "+12125550123"})
    esketamine_certified = BooleanField("Certified for esketamine (REMS)")
    distinct_roles = BooleanField("One person, one role in a session (the monitor is not the prescriber)")
    slot_minutes = StringField("Start times every (minutes)", render_kw={"inputmode": "numeric", "maxlength": 3})
    limit_supervising_prescriber = StringField(
        f"Patients dosing at once per {ROLE_NAMES[SUPERVISING_PRESCRIBER]}",
        render_kw={"inputmode": "numeric", "maxlength": 2})
    limit_monitoring_clinician = StringField(
        f"Patients dosing at once per {ROLE_NAMES[MONITORING_CLINICIAN]}",
        render_kw={"inputmode": "numeric", "maxlength": 2})


class NewSiteForm(ShownErrors, FlaskForm):
    """A new site: its name, its time zone (fixed once made), its phone and REMS certification."""

    name = StringField("Name", render_kw={"maxlength": 120, "autocomplete": "off"})
    timezone = StringField("Time zone", render_kw={"maxlength": 64, "autocomplete": "off", "list": "zones",
                                                   "placeholder": "America/New_York"})
    phone = StringField("Phone", render_kw={"type": "tel", "maxlength": 20, "placeholder": "+12125550123"})
    esketamine_certified = BooleanField("Certified for esketamine (REMS)")


class WeekdayHoursForm(ShownErrors, FlaskForm):
    """One weekday's opening, in the site's wall time; both blank closes the site that weekday."""

    aliases = {"body": "opens", "weekday": "opens"}
    opens = StringField("Opens", render_kw={"type": "time"})
    closes = StringField("Closes", render_kw={"type": "time"})


class ClosureForm(ShownErrors, FlaskForm):
    """A day, or a run of days, the site is closed, with the reason staff and reception will see."""

    aliases = {"body": "first", "day": "first"}
    first = StringField("First day closed", render_kw={"type": "date", "max": "2100-12-31"})
    last = StringField("Last day closed", render_kw={"type": "date", "max": "2100-12-31"})
    reason = StringField("Reason", render_kw={"maxlength": 200})


class ClosureReasonForm(ShownErrors, FlaskForm):
    """The reason given for one closed day ahead."""

    aliases = {"day": "reason"}
    reason = StringField("Reason", render_kw={"maxlength": 200})


class RoomForm(ShownErrors, FlaskForm):
    """A room or chair: its name, kind and equipment."""

    name = StringField("Name", render_kw={"maxlength": 80, "autocomplete": "off"})
    kind = SelectField("Kind", choices=[SelectChoice(k, k.replace("_", " ").capitalize()) for k in ROOM_KINDS],
                       validate_choice=False)
    capabilities = Boxes("Equipment", validate_choice=False,
                         choices=[SelectChoice(c, CAPABILITY_NAMES[c].removeprefix("an ").removeprefix("a ")
                                               .capitalize()) for c in CAPABILITIES])


class PlainForm(ShownErrors, FlaskForm):
    """Nothing but the CSRF token: a button that changes something (deactivate, remove)."""
