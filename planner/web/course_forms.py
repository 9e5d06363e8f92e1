"""Forms of the course wizard and a course's page; every one carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from planner.domain.calendar import WEEKDAYS
from planner.services.course_inputs import PreferencesIn
from planner.services.course_pages import WizardChoices

TIMES_OF_DAY = [SelectChoice("any", "Any time"), SelectChoice("morning", "Mornings (before 12:00)"),
                SelectChoice("afternoon", "Afternoons (from 12:00)")]
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2100, 12, 31)
MAX_BLOCKED = 200
_SEPARATORS = re.compile(r"[\s,;]+")


def _day(text: str, label: str) -> date:
    """A YYYY-MM-DD date in the range the clinic accepts, or a ValidationError saying what is wrong."""
    try:
        day = date.fromisoformat(text) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) else None
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(f"{label} is not a date like 2026-12-24.")
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError(f"{label} is outside 1900 to 2100.")
    return day


class PreferencesForm(FlaskForm):
    """Protocol and the patient's preferences: exactly what the planner's PreferencesIn takes."""

    protocol = SelectField("Protocol", validators=[DataRequired("Choose a protocol.")],
                           validate_choice=False)
    weekdays = SelectMultipleField("Days the patient can come", coerce=str, validate_choice=False,
                                   choices=[SelectChoice(str(i), name) for i, name in enumerate(WEEKDAYS)])
    time_of_day = RadioField("Time of day", choices=TIMES_OF_DAY, default="any", validate_choice=False)
    site_id = SelectField("Site", validate_choice=False)
    therapist_id = SelectField("Therapist", validate_choice=False)
    blocked_days = TextAreaField("Dates they can't come", validators=[Optional(), Length(max=4000)],
                                 description="One date per line or separated by commas, like 2026-12-24.")
    earliest = StringField("Earliest start", validators=[Optional(), Length(max=10)],
                           description="Leave empty to start as soon as the clinic can.",
                           render_kw={"type": "date"})

    def offer(self, choices: WizardChoices) -> PreferencesForm:
        """Fill the choices from the clinic (protocols, sites, therapists)."""
        self.protocol.choices = [SelectChoice("", "Choose a protocol")] + [
            SelectChoice(key, name) for key, name in choices.protocols]
        self.site_id.choices = [SelectChoice("", "The patient's home site (or any that can)")] + [
            SelectChoice(str(i), f"{name} ({zone})") for i, name, zone in choices.sites]
        self.therapist_id.choices = [SelectChoice("", "Any therapist")] + [
            SelectChoice(str(i), name) for i, name in choices.therapists]
        self._known = {"protocol": {k for k, _ in choices.protocols}, "site_id": {str(i) for i, _, _ in choices.sites},
                       "therapist_id": {str(i) for i, _ in choices.therapists}}
        self._retired = choices.retired
        return self

    def validate_protocol(self, field) -> None:
        if field.data in self._retired:
            raise ValidationError(self._retired[field.data])
        if field.data and field.data not in self._known["protocol"]:
            raise ValidationError("No active protocol with that name; choose one from the list.")

    def validate_site_id(self, field) -> None:
        if field.data and field.data not in self._known["site_id"]:
            raise ValidationError("No such site; choose one from the list.")

    def validate_therapist_id(self, field) -> None:
        if field.data and field.data not in self._known["therapist_id"]:
            raise ValidationError("No such therapist; choose one from the list.")

    def validate_weekdays(self, field) -> None:
        if any(value not in {str(i) for i in range(7)} for value in field.data or []):
            raise ValidationError("Days are Monday to Sunday; tick the ones that suit.")

    def validate_time_of_day(self, field) -> None:
        if field.data not in {choice.value for choice in TIMES_OF_DAY}:
            raise ValidationError("Choose any time, mornings or afternoons.")

    def validate_blocked_days(self, field) -> None:
        texts = [t for t in _SEPARATORS.split(field.data or "") if t]
        if len(texts) > MAX_BLOCKED:
            raise ValidationError(f"At most {MAX_BLOCKED} dates.")
        for text in texts:
            _day(text, f"“{text[:20]}”")

    def validate_earliest(self, field) -> None:
        if field.data:
            _day(field.data.strip(), "The earliest start")

    def preferences(self) -> PreferencesIn:
        """The validated preferences for the planner (call after validate())."""
        return PreferencesIn(
            weekdays=sorted({int(d) for d in self.weekdays.data}) or None, time_of_day=self.time_of_day.data,
            site_id=int(self.site_id.data) if self.site_id.data else None,
            therapist_id=int(self.therapist_id.data) if self.therapist_id.data else None,
            blocked_days=sorted({date.fromisoformat(t) for t in _SEPARATORS.split(self.blocked_days.data or "") if t}),
            earliest=date.fromisoformat(self.earliest.data.strip()) if self.earliest.data else None)

    def show(self, protocol: str, preferences: PreferencesIn) -> PreferencesForm:
        """Put a protocol and preferences back in the fields (after a stale plan)."""
        self.protocol.data = protocol
        self.weekdays.data = [str(d) for d in preferences.weekdays or []]
        self.time_of_day.data = preferences.time_of_day
        self.site_id.data = str(preferences.site_id or "")
        self.therapist_id.data = str(preferences.therapist_id or "")
        self.blocked_days.data = "\n".join(d.isoformat() for d in preferences.blocked_days)
        self.earliest.data = preferences.earliest.isoformat() if preferences.earliest else ""
        return self


class BookPlanForm(FlaskForm):
    """One click books a plan: the plan rides along signed, so it cannot be changed on the way."""

    plan = HiddenField(validators=[DataRequired()])


class ApplyReplanForm(FlaskForm):
    """Apply the re-plan that was shown (its fingerprint insists on it)."""

    fingerprint = HiddenField(validators=[DataRequired(), Length(max=64)])


class StopCourseForm(FlaskForm):
    """Stop a course, saying why."""

    reason = TextAreaField("Why the course stops", validators=[DataRequired("Say why the course stops."),
                                                              Length(max=500)])
