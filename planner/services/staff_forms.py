"""The admin's staff forms as the same use cases the API calls: typed text in, the same inputs, rules and audit.

A form gives wall-clock days and times; the site's zone turns them into the instants the services
take (07:30 at Brooklyn Heights is 07:30 in New York on that day, whatever the offset). Every
problem comes back as InvalidData naming the form's own field, so the page puts it beside it.
"""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel

from planner.db.models import Site
from planner.db.uow import unit_of_work
from planner.domain.calendar import NonexistentLocalTime, to_utc
from planner.domain.errors import InvalidData, Reason
from planner.services import Actor, clinic_setup, staff_edits, staff_members
from planner.services.change_inputs import CredentialChange, ShiftChange, StaffChange, TimeOffChange
from planner.services.inputs import CLOCK, EARLIEST, LATEST, CredentialIn, ShiftIn, StaffIn, TimeOffIn
from planner.services.validation import parse

# Where each service field's problem is shown on the form ("body": a rule across fields).
SHIFT_FIELDS = {"starts_at": "starts", "ends_at": "ends", "site_id": "site_id", "body": "ends", "withdrawn": "day"}
LEAVE_FIELDS = {"starts_at": "from_time", "ends_at": "until_time", "reason": "reason", "body": "until_day",
                "withdrawn": "from_day"}
CREDENTIAL_FIELDS = {"body": "expires_on", "revoked_on": "expires_on"}
_BLANK = {"missing", "string_too_short", "too_short"}


def add_staff(form: dict, actor: Actor, now: datetime) -> int:
    """Add a staff member from the form; returns their id."""
    data = _parsed(StaffIn, _staff_values(form), {})
    return clinic_setup.create_staff(data, actor, now)


def edit_staff(staff_id: int, form: dict, actor: Actor, now: datetime) -> None:
    """Change a person's details (a blank email or phone removes it); refused if it breaks a session ahead."""
    values = _staff_values(form)
    values.setdefault("email", None)
    values.setdefault("phone", None)
    _run(lambda: staff_members.change_staff(staff_id, _parsed(StaffChange, values, {}), actor, now), {})


def add_credential(staff_id: int, form: dict, actor: Actor, now: datetime) -> int:
    """Record a credential from the form; returns its id."""
    data = _parsed(CredentialIn, _filled(form, ("kind", "number", "issued_on", "expires_on")), CREDENTIAL_FIELDS)
    return clinic_setup.create_credential(staff_id, data, actor, now)


def edit_credential(staff_id: int, credential_id: int, form: dict, actor: Actor, now: datetime) -> None:
    """Change a credential's number or dates (its kind stays); refused if a session ahead relies on it."""
    values = _filled(form, ("number", "issued_on", "expires_on"))
    values.setdefault("number", "")
    values.setdefault("expires_on", None)
    change = _parsed(CredentialChange, values, CREDENTIAL_FIELDS)
    _run(lambda: staff_edits.change_credential(staff_id, credential_id, change, actor, now), CREDENTIAL_FIELDS)


def add_shift(staff_id: int, form: dict, actor: Actor, now: datetime) -> int:
    """Add one shift from a site, a day and wall-clock times at that site; returns its id."""
    data = _parsed(ShiftIn, _shift_values(form), SHIFT_FIELDS)
    return _run(lambda: clinic_setup.create_shift(staff_id, data, actor, now), SHIFT_FIELDS)


def edit_shift(staff_id: int, shift_id: int, form: dict, actor: Actor, now: datetime) -> None:
    """Move a shift to another day, times or site, unless that leaves a booked session without cover."""
    change = _parsed(ShiftChange, _shift_values(form), SHIFT_FIELDS)
    _run(lambda: staff_edits.change_shift(staff_id, shift_id, change, actor, now), SHIFT_FIELDS)


def add_time_off(staff_id: int, form: dict, actor: Actor, now: datetime) -> int:
    """Add time off typed in a site's wall time; refused (CoverBroken) if it leaves a booked session uncovered."""
    data = _parsed(TimeOffIn, _leave_values(form), LEAVE_FIELDS)
    return _run(lambda: clinic_setup.create_time_off(staff_id, data, actor, now), LEAVE_FIELDS)


def edit_time_off(staff_id: int, leave_id: int, form: dict, actor: Actor, now: datetime) -> None:
    """Change time off's span or reason, unless that leaves a booked session without cover."""
    change = _parsed(TimeOffChange, _leave_values(form), LEAVE_FIELDS)
    _run(lambda: staff_edits.change_time_off(staff_id, leave_id, change, actor, now), LEAVE_FIELDS)


def set_withdrawn(what: str, staff_id: int, row_id: int, withdrawn: bool, actor: Actor, now: datetime) -> None:
    """Withdraw (kept as history) or re-instate a shift or time off; the same checks as any edit."""
    if what == "shift":
        staff_edits.change_shift(staff_id, row_id, ShiftChange(withdrawn=withdrawn), actor, now)
    else:
        staff_edits.change_time_off(staff_id, row_id, TimeOffChange(withdrawn=withdrawn), actor, now)


def wall_moment(day_text: str, time_text: str, zone: str, day_field: str, time_field: str) -> datetime:
    """The instant of a typed day and wall-clock time in a zone, or InvalidData naming the bad field."""
    day = typed_day(day_text, day_field)
    at = typed_clock(time_text, time_field)
    try:
        return to_utc(day, at, zone)
    except NonexistentLocalTime:
        raise InvalidData([Reason("no_such_time", f"{at:%H:%M} does not exist on {day:%a %d %b %Y} in {zone}: "
                                  "the clocks go forward then.", time_field)]) from None


def typed_day(text: str, field: str) -> date:
    """A typed date (2026-12-01), or InvalidData beside the field."""
    text = (text or "").strip()
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        raise InvalidData([Reason("not_a_day", "Give a date like 2026-12-01." if text else "Give a date.", field)])
    return day


def typed_clock(text: str, field: str) -> time:
    """A typed wall-clock time (07:30), or InvalidData beside the field."""
    text = (text or "").strip()
    if not CLOCK.match(text):
        raise InvalidData([Reason("not_a_time", "Give a time of day like 07:30." if text else "Give a time.", field)])
    return time.fromisoformat(text)


def site_zone(site_id_text: str, field: str = "site_id") -> tuple[int, str]:
    """The site a form names and its zone, or InvalidData beside the field."""
    text = (site_id_text or "").strip()
    site = None
    if text.isascii() and text.isdigit() and len(text) <= 9:
        with unit_of_work(write=False) as session:
            site = session.get(Site, int(text))
            zone = site.timezone if site is not None else ""
    if site is None:
        raise InvalidData([Reason("unknown", "Choose a site.", field)])
    return int(text), zone


def _shift_values(form: dict) -> dict:
    site_id, zone = site_zone(form.get("site_id", ""))
    problems, values = [], {"site_id": site_id}
    for name, key in (("starts", "starts_at"), ("ends", "ends_at")):
        try:
            values[key] = wall_moment(form.get("day", ""), form.get(name, ""), zone, "day", name)
        except InvalidData as invalid:
            problems += [p for p in invalid.problems if p not in problems]
    if problems:
        raise InvalidData(problems)
    return values


def _leave_values(form: dict) -> dict:
    # Time off belongs to no site: it is typed in the wall time of the site the form names.
    _, zone = site_zone(form.get("site_id", ""))
    problems, values = [], {"reason": (form.get("reason") or "")[:1000]}
    for key, day, at in (("starts_at", "from_day", "from_time"), ("ends_at", "until_day", "until_time")):
        try:
            values[key] = wall_moment(form.get(day, ""), form.get(at, ""), zone, day, at)
        except InvalidData as invalid:
            problems += invalid.problems
    if problems:
        raise InvalidData(problems)
    return values


def _staff_values(form: dict) -> dict:
    values = _filled(form, ("name", "email", "phone"))
    values["name"] = (form.get("name") or "").strip()
    values["disciplines"] = [d for d in form.get("disciplines") or [] if d]
    return values


def _filled(form: dict, names: tuple[str, ...]) -> dict:
    """The named fields typed in (a blank one is left out: its default or "none")."""
    return {name: form[name].strip() for name in names if isinstance(form.get(name), str) and form[name].strip()}


def _parsed(model: type[BaseModel], values: dict, fields: dict[str, str]):
    try:
        return parse(model, values)
    except InvalidData as invalid:
        raise _beside(invalid, fields) from None


def _run(action, fields: dict[str, str]):
    try:
        return action()
    except InvalidData as invalid:
        raise _beside(invalid, fields) from None


def _beside(invalid: InvalidData, fields: dict[str, str]) -> InvalidData:
    """The same problems, each on the form field it is about and worded as a sentence."""
    problems = []
    for problem in invalid.problems:
        name = (problem.field or "body").split(".")[0].split("[")[0]
        if problem.code in _BLANK and name in ("name", "disciplines"):
            problems.append(Reason("missing", "Required." if name == "name" else "Pick at least one discipline.",
                                   name))
            continue
        message = problem.message[:1].upper() + problem.message[1:]
        message = message if message.endswith(".") else message + "."
        problems.append(Reason(problem.code, message.replace("_at", "").replace("_on", " date").replace("_", " "),
                               fields.get(name, name)))
    return InvalidData(problems)


def typed_leave_span(form: dict) -> tuple[datetime, datetime] | None:
    """The span a time-off form gives, as instants (None when it does not read as one)."""
    try:
        values = _leave_values(form)
    except InvalidData:
        return None
    return values["starts_at"], values["ends_at"]
