"""`flask planner plan-course | book-course | show-course | replan-course | install-protocols`."""

from __future__ import annotations

import json

import click

from planner import clock
from planner.cli import fail, planner_cli
from planner.domain.errors import BookingRefused, DomainError, InvalidData, PlanStale
from planner.services import Actor, course_view, lookup
from planner.services.course_booking import book_course, order_for_plan
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.course_replan import preview_replan
from planner.services.course_replan_apply import apply_changes
from planner.services.protocols import install_default_protocols

CLI_ACTOR = Actor("cli")


def _explain(error: DomainError) -> None:
    if isinstance(error, BookingRefused):
        fail("Refused:\n" + "\n".join(f"  - {r.message}" for r in error.reasons))
    if isinstance(error, InvalidData):
        fail("\n".join(f"{p.field}: {p.message}" for p in error.problems))
    if isinstance(error, PlanStale):
        fail(str(error) + "\nNothing was booked; plan again.")
    fail(str(error))


def _proposal(mrn, protocol, start, time_of_day, site):
    ids = lookup.resolve(patient_mrn=mrn, site=site)
    ids["preferences"] = PreferencesIn(time_of_day=time_of_day, site_id=ids.get("site_id"))
    return ids, propose_course(ids["patient_id"], protocol, ids["preferences"], clock.now(),
                               start.date() if start else None)


def _plan_options(command):
    command = click.option("--site", help="Only this site (name or id).")(command)
    command = click.option("--time", "time_of_day", type=click.Choice(["morning", "afternoon", "any"]), default="any",
                           help="Part of the day the patient can come.")(command)
    command = click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: today).")(command)
    command = click.option("--protocol", required=True, help="Protocol key, e.g. iv-induction.")(command)
    return click.option("--patient", "mrn", required=True, help="Patient MRN.")(command)


@planner_cli.command("plan-course")
@_plan_options
@click.option("--json", "as_json", is_flag=True, help="Print the plans as JSON.")
def plan_course_command(mrn, protocol, start, time_of_day, site, as_json):
    """Print the best plan for a course and up to two alternatives (nothing is booked)."""
    try:
        ids, proposal = _proposal(mrn, protocol, start, time_of_day, site)
    except DomainError as error:
        _explain(error)
    zones = course_view.site_zones()
    plans = [course_view.plan_data(p, ids["patient_id"], protocol, zones[p.sessions[0].site_id])
             for p in proposal.plans]
    if as_json:
        click.echo(json.dumps({"plans": plans, "reasons": proposal.reasons, "site_note": proposal.site_note}, indent=2))
        return
    if not plans:
        fail("No plan within the horizon:\n" + "\n".join(f"  - {r}" for r in proposal.reasons))
    if proposal.site_note:
        click.echo(proposal.site_note)
    rooms, people = course_view.names()
    for number, plan in enumerate(plans, 1):
        score = plan["score"]
        click.echo(f"Plan {number}: {plan['label']} (ends after {score['ends_after_days']} days; "
                   f"{score['doses_off_usual_time']} dose(s) off the usual time)")
        for s in plan["sessions"]:
            wall = s["local_start"][:16].replace("T", " ")
            number_text = f"dose {s['dose_number']}" if s["purpose"] == "dose" else f"{s['purpose']} ({s['dose_number']})"
            staff = ", ".join(f"{people.get(p['staff_id'], p['staff_id'])} ({p['role'].replace('_', ' ')})"
                              for p in s["staff"])
            click.echo(f"  {wall}  {number_text:<18} {s['session_type']:<14} {rooms.get(s['room_id'], '-'):<12} {staff}")


@planner_cli.command("book-course")
@_plan_options
@click.option("--plan", "which", type=int, default=1, help="Which offered plan to book (1 = best).")
def book_course_command(mrn, protocol, start, time_of_day, site, which):
    """Plan a course and book the chosen plan all at once."""
    try:
        ids, proposal = _proposal(mrn, protocol, start, time_of_day, site)
        if not 1 <= which <= len(proposal.plans):
            fail(f"There are {len(proposal.plans)} plan(s) to choose from." if proposal.plans else
                 "No plan within the horizon:\n" + "\n".join(f"  - {r}" for r in proposal.reasons))
        plan = proposal.plans[which - 1]
        order = order_for_plan(plan, ids["patient_id"], protocol, ids["preferences"], start.date() if start else None)
        course_id = book_course(order, CLI_ACTOR, clock.now())
    except DomainError as error:
        _explain(error)
    click.echo(f"Booked course {course_id}: {len(plan.sessions)} sessions ({plan.label}).")


@planner_cli.command("show-course")
@click.argument("course_id", type=int)
def show_course_command(course_id):
    """Print a course as JSON: protocol version, sessions, history."""
    try:
        click.echo(json.dumps(course_view.course_data(course_id), indent=2))
    except DomainError as error:
        _explain(error)


@planner_cli.command("replan-course")
@click.argument("course_id", type=int)
@click.option("--apply", "apply", is_flag=True, help="Carry out the re-plan (default: only show it).")
def replan_course_command(course_id, apply):
    """Show (or apply) what re-planning the rest of a course moves, adds and cancels."""
    try:
        replan = apply_changes(course_id, CLI_ACTOR, clock.now(), None) if apply else preview_replan(
            course_id, clock.now())
        zone = course_view.course_zone(course_id)
    except DomainError as error:
        _explain(error)
    data = course_view.replan_data(replan, zone)
    if data["note"]:
        click.echo(data["note"])
    for reason in data["reasons"]:
        click.echo(f"  - {reason}")
    for c in data["changes"]:
        click.echo(f"  {c['kind']:<6} {c['purpose']} {c['dose_number']}: {c['from'] or '—'} -> {c['to'] or 'cancelled'}")
    click.echo("Applied." if apply else "Nothing changed yet; run again with --apply to carry it out.")


@planner_cli.command("install-protocols")
def install_protocols_command():
    """Add the shipped treatment protocols the clinic does not have yet."""
    click.echo(f"Installed {install_default_protocols(CLI_ACTOR, clock.now())} protocol(s).")
