"""The protocol form: its fields, six phase rows and ten therapy rows (blank rows are ignored). CSRF from Flask-WTF.

No WTForms validators: save_protocol (ProtocolIn, then protocol_problems) judges every value, so
the page and the API can never disagree. The form turns its rows into the API's body and puts
each problem back beside the row and field it names.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import Form, FormField, FieldList, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from planner.domain.clinic import DOSING_KINDS
from planner.domain.errors import Reason
from planner.domain.protocols import AFTER_DOSE, BEFORE_FIRST, Protocol
from planner.web.site_forms import ShownErrors

PHASE_ROWS, THERAPY_ROWS = 6, 10
_SEPARATORS = re.compile(r"[\s,;]+")
_PATH = re.compile(r"^(phases|therapy)\[(\d+)\]\.(\w+)(?:\[(\d+)\])?")
_NUMBER = {"inputmode": "numeric", "maxlength": 4, "autocomplete": "off"}
# pydantic's words for a value that is no whole number, in the clinic's.
_WHOLE = {"int_parsing", "int_type", "int_from_float"}


class PhaseRow(Form):
    """One phase: its doses and their cadence."""

    name = StringField("Phase name", render_kw={"maxlength": 40, "autocomplete": "off"})
    doses = StringField("Doses", render_kw=_NUMBER)
    min_gap_days = StringField("Days between doses, at least", render_kw=_NUMBER)
    max_gap_days = StringField("Days between doses, at most", render_kw=_NUMBER)
    per_week_min = StringField("Doses a week, at least", render_kw=_NUMBER)
    per_week_max = StringField("Doses a week, at most", render_kw=_NUMBER)
    window_days = StringField("All within (days of its first dose)", render_kw=_NUMBER)
    after_min = StringField("Starts after the phase before: days, at least", render_kw=_NUMBER)
    after_max = StringField("…and at most", render_kw=_NUMBER)

    def blank(self) -> bool:
        return not any((f.data or "").strip() for f in self)


class TherapyRow(Form):
    """Psychotherapy tied to doses: which session, before dose 1 or after which doses, the day window, how many."""

    session_type = SelectField("Session", validate_choice=False)
    anchor = SelectField("When", validate_choice=False,
                         choices=[SelectChoice(AFTER_DOSE, "After doses"), SelectChoice(BEFORE_FIRST, "Before dose 1")])
    doses = StringField("After which doses", render_kw={"maxlength": 120, "autocomplete": "off",
                                                        "placeholder": "every dose"})
    min_days = StringField("From day", render_kw=_NUMBER)
    max_days = StringField("To day", render_kw=_NUMBER)
    count = StringField("Sessions", render_kw=_NUMBER)

    def blank(self) -> bool:
        return not (self.session_type.data or "").strip() and not any(
            (f.data or "").strip() for f in (self.doses, self.min_days, self.max_days, self.count))


class ProtocolForm(ShownErrors, FlaskForm):
    """A protocol's fields; saving makes a new version (editing starts from the active one)."""

    key = StringField("Key", render_kw={"maxlength": 60, "autocomplete": "off", "autocapitalize": "none",
                                        "spellcheck": "false"})
    name = StringField("Name", render_kw={"maxlength": 160, "autocomplete": "off"})
    dosing_type = SelectField("Dosing session", validate_choice=False)
    missed_dose_policy = SelectField("A missed dose", validate_choice=False, choices=[
        SelectChoice("replan", "Is re-planned (the course moves)"),
        SelectChoice("keep_schedule", "Is not made up (schedule stays)")])
    course_window_days = StringField("Whole course within (days)", render_kw=_NUMBER)
    notes = TextAreaField("Notes", render_kw={"maxlength": 2000, "rows": 3})
    phases = FieldList(FormField(PhaseRow), min_entries=PHASE_ROWS, max_entries=PHASE_ROWS)
    therapy = FieldList(FormField(TherapyRow), min_entries=THERAPY_ROWS, max_entries=THERAPY_ROWS)
    based_on = HiddenField()

    def offer(self, types: list[tuple[str, str, str]]) -> ProtocolForm:
        """Offer the clinic's session types: dosing ones for the dose, the others for psychotherapy."""
        self.dosing_type.choices = [SelectChoice("", "Choose a session type")] + [
            SelectChoice(key, name) for key, name, kind in types if kind in DOSING_KINDS]
        others = [SelectChoice("", "—")] + [SelectChoice(key, name) for key, name, kind in types
                                            if kind not in DOSING_KINDS]
        for row in self.therapy:
            row.form.session_type.choices = others
        return self

    def fill(self, protocol: Protocol) -> ProtocolForm:
        """Put a version's values in the fields (the edit form starts from the active version)."""
        self.key.data, self.name.data, self.dosing_type.data = protocol.key, protocol.name, protocol.dosing_type
        self.missed_dose_policy.data, self.notes.data = protocol.missed_dose_policy, protocol.notes
        self.course_window_days.data = _text(protocol.course_window_days)
        self.based_on.data = str(protocol.version)
        for row, phase in zip(self.phases, protocol.phases):
            low, high = phase.gap_from_previous_phase
            values = (phase.name, phase.doses, phase.min_gap_days, phase.max_gap_days, phase.per_week_min,
                      phase.per_week_max, phase.window_days, low, high)
            for field, value in zip(row.form, values):
                field.data = _text(value)
        for row, link in zip(self.therapy, protocol.therapy):
            form = row.form
            form.session_type.data, form.anchor.data = link.session_type, link.anchor
            form.doses.data = ", ".join(str(n) for n in link.doses or ())
            form.min_days.data, form.max_days.data, form.count.data = (_text(link.min_days), _text(link.max_days),
                                                                       _text(link.count))
        return self

    def body(self) -> tuple[dict, list[int], list[int]]:
        """The API's body for save_protocol, and which form row each phase and therapy link came from."""
        phase_rows = [i for i, row in enumerate(self.phases) if not row.form.blank()]
        therapy_rows = [i for i, row in enumerate(self.therapy) if not row.form.blank()]
        phases = []
        for i in phase_rows:
            row = self.phases[i].form
            phase = {"name": _clean(row.name.data), "doses": _number(row.doses.data),
                     "max_gap_days": _number(row.max_gap_days.data), "per_week_min": _number(row.per_week_min.data),
                     "per_week_max": _number(row.per_week_max.data), "window_days": _number(row.window_days.data),
                     "gap_from_previous_phase": [_number(row.after_min.data) or "1", _number(row.after_max.data)]}
            if _number(row.min_gap_days.data) is not None:
                phase["min_gap_days"] = _number(row.min_gap_days.data)
            phases.append({k: v for k, v in phase.items() if v is not None or k != "doses"})
        therapy = []
        for i in therapy_rows:
            row = self.therapy[i].form
            link = {"session_type": _clean(row.session_type.data), "anchor": row.anchor.data,
                    "doses": [t for t in _SEPARATORS.split(row.doses.data or "") if t] or None,
                    "min_days": _number(row.min_days.data), "max_days": _number(row.max_days.data),
                    "count": _number(row.count.data)}
            therapy.append({k: v for k, v in link.items() if v is not None or k == "doses"})
        body = {"key": _clean(self.key.data), "name": _clean(self.name.data), "dosing_type": _clean(self.dosing_type.data),
                "missed_dose_policy": self.missed_dose_policy.data, "notes": self.notes.data or "",
                "course_window_days": _number(self.course_window_days.data), "phases": phases, "therapy": therapy}
        return body, phase_rows, therapy_rows

    def place(self, problems: list[Reason], phase_rows: list[int], therapy_rows: list[int]) -> list[str]:
        """Each problem beside the row and field it names; returns those that name no field here."""
        elsewhere, rest = [], []
        rows = {"phases": (self.phases, phase_rows), "therapy": (self.therapy, therapy_rows)}
        for problem in problems:
            message = _words(problem)
            found = _PATH.match(problem.field or "")
            if not found and (problem.field or "").split("[")[0] in rows:
                elsewhere.append(message)  # about the rows as a whole: "at least one phase"
                continue
            if not found:
                rest.append(Reason(problem.code, message, problem.field))
                continue
            part, index, name, item = found.group(1), int(found.group(2)), found.group(3), found.group(4)
            if name == "gap_from_previous_phase":
                name = "after_max" if item == "1" else "after_min"
            listed, used = rows[part]
            field = getattr(listed[used[index]].form, name, None) if index < len(used) else None
            if field is None:
                elsewhere.append(message)
            else:
                field.errors = [*field.errors, message]
        return elsewhere + self.show_errors(rest)


def _words(problem: Reason) -> str:
    if problem.code in _WHOLE:
        return "Enter a whole number."
    if problem.code == "missing":
        return "Required."
    if problem.code == "too_short" and problem.field == "phases":
        return "Give at least one phase of doses."
    return problem.message.replace("Input should be", "Must be")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _number(text: str | None) -> str | None:
    """A number box as typed (save_protocol says when it is not a whole number), or None when blank."""
    text = (text or "").strip()
    return text or None


class ProtocolStateForm(ShownErrors, FlaskForm):
    """Retire or restore a protocol: the reason is kept with its history."""

    reason = TextAreaField("Why", render_kw={"maxlength": 500, "rows": 2})
