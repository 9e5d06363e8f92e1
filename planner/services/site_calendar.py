"""A site's week and its closed days as the admin edits them: one weekday's hours, a run of days closed, one closure.

Each change is worked out from the site as it stands, under the site's booking lock, and made by
place_edits.change_site_in: the same checks (every session booked ahead asked again), the same
audit, the same refusal naming each session it would break. Closures of days gone by stay as
they are: the past is history, so only days ahead may be removed or reworded.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from planner.db.models import Site
from planner.db.uow import lock_for_booking, unit_of_work
from planner.domain.calendar import local
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.services import Actor
from planner.services.change_inputs import SiteChange
from planner.services.inputs import Day, HoursIn, Strict, prose
from planner.services.place_edits import change_site_in
from planner.services.validation import parse

# A run of closed days longer than this is a site out of service: deactivate it instead.
LONGEST_CLOSURE = 92


def set_weekday_hours(site_id: int, weekday: int, opens: str, closes: str, actor: Actor, now: datetime) -> None:
    """Open a site on one weekday between two wall-clock times, or close it that weekday (both blank)."""
    if not 0 <= weekday <= 6:
        raise InvalidData([Reason("invalid", "Pick a weekday.", "weekday")])
    opens, closes = (opens or "").strip(), (closes or "").strip()
    closed = not opens and not closes
    if not closed:
        if not opens or not closes:
            missing = "opens" if not opens else "closes"
            raise InvalidData([Reason("missing", "Give both times, or leave both blank to close that day.", missing)])
        parse(HoursIn, {"weekday": weekday, "opens": opens, "closes": closes})
    with unit_of_work() as session:
        site = _locked(session, site_id)
        hours = [{"weekday": h.weekday, "opens": h.opens, "closes": h.closes} for h in site.hours
                 if h.weekday != weekday]
        if not closed:
            hours.append({"weekday": weekday, "opens": opens, "closes": closes})
        _change(session, site_id, {"hours": hours}, actor, now)
        session.commit()


class ClosedDaysIn(Strict):
    """A day, or a run of days from first to last, closed with a reason (as the admin's form gives them)."""

    first: Day
    last: Day | None = None
    reason: prose(200) = ""


def close_days(site_id: int, asked: dict, actor: Actor, now: datetime) -> list[date]:
    """Mark a day, or a run of days, closed with a reason; days already closed are named and nothing is written."""
    run = parse(ClosedDaysIn, {key: value for key, value in asked.items() if value not in ("", None)})
    first, last, reason = run.first, run.last or run.first, run.reason
    if last < first:
        raise InvalidData([Reason("order", "The last day closed is before the first.", "last")])
    if (last - first).days >= LONGEST_CLOSURE:
        raise InvalidData([Reason("too_long", f"Close at most {LONGEST_CLOSURE} days at a time; a site closed for "
                                  "longer is taken out of service instead.", "last")])
    with unit_of_work() as session:
        site = _locked(session, site_id)
        today = local(now, site.timezone).date()
        if first < today:
            raise InvalidData([Reason("past", f"Days gone by cannot be closed; the first day may be today "
                                      f"({today:%a %d %b %Y}) or later.", "first")])
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        known = {c.day for c in site.closures}
        again = [day for day in days if day in known]
        if again:
            listed = ", ".join(f"{day:%a %d %b}" for day in again)
            raise InvalidData([Reason("closed_already", f"Already closed: {listed}. Edit that closure instead.",
                                      "first")])
        closures = _closures(site) + [{"day": day, "reason": reason} for day in days]
        _change(session, site_id, {"closures": closures}, actor, now)
        session.commit()
        return days


def reword_closure(site_id: int, day: date, reason: str, actor: Actor, now: datetime) -> None:
    """Change the reason given for a closed day ahead."""
    reason = parse(ClosedDaysIn, {"first": day, "reason": reason}).reason
    with unit_of_work() as session:
        site = _locked(session, site_id)
        _ahead(site, day, now, "reworded")
        closures = [{**c, "reason": reason} if c["day"] == day else c for c in _closures(site)]
        _change(session, site_id, {"closures": closures}, actor, now)
        session.commit()


def reopen_day(site_id: int, day: date, actor: Actor, now: datetime) -> None:
    """Remove a closure ahead: the site keeps its usual hours that day again."""
    with unit_of_work() as session:
        site = _locked(session, site_id)
        _ahead(site, day, now, "removed")
        _change(session, site_id, {"closures": [c for c in _closures(site) if c["day"] != day]}, actor, now)
        session.commit()


def _locked(session, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("site", site_id)
    # Read the week and closures under the lock every change to the site takes, so two admins'
    # edits cannot both start from the same list and one silently undo the other.
    lock_for_booking(session, site_ids={site_id})
    session.refresh(site)
    return site


def _closures(site: Site) -> list[dict]:
    return [{"day": c.day, "reason": c.reason} for c in site.closures]


def _ahead(site: Site, day: date, now: datetime, verb: str) -> None:
    if day not in {c.day for c in site.closures}:
        raise InvalidData([Reason("unknown", f"{site.name} is not closed on {day:%a %d %b %Y}.", "day")])
    if day <= local(now, site.timezone).date():
        raise InvalidData([Reason("past", "A closure of today or a day gone by is history and cannot be "
                                  f"{verb}.", "day")])


def _change(session, site_id: int, fields: dict, actor: Actor, now: datetime) -> None:
    """Judge the whole new list by the API's rules (SiteChange), then change the site through the one path."""
    change = parse(SiteChange, fields)
    change_site_in(session, site_id, change.model_dump(exclude_unset=True), actor, now)
