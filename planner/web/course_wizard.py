"""The course wizard: patient, protocol and preferences in; plans on a timeline out; one click books.

The plan to book travels in the page, signed with the app's SECRET_KEY (itsdangerous), so what
comes back is exactly a plan the planner offered: a changed body is refused before anything is
read. Booking re-checks every session at commit time (book_course is all-or-nothing); a plan that
went stale meanwhile is answered with a fresh proposal, never a partial course.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from planner.domain.calendar import local
from planner.domain.errors import BookingRefused, InvalidData, NotFound, PlanStale
from planner.services import course_pages, course_view
from planner.services.course_booking import book_course, course_order
from planner.services.course_inputs import BookCourseIn, PreferencesIn
from planner.services.course_planning import Proposal, propose_course
from planner.services.patient_search import patient_brief, search_patients
from planner.services.validation import parse
from planner.web.access import actor, now, roles_required
from planner.web.course_forms import BookPlanForm, PreferencesForm
from planner.web.course_timeline import session_name, timeline
from planner.web.errors import problem
from planner.web.plan_words import rank_words, score_words

wizard = Blueprint("wizard", __name__)
SALT = "course-plan"
MAX_ID = 2_147_483_647
# Field names the planner's refusals use, as the wizard's fields.
FIELDS = {"protocol": "protocol", "preferences.site_id": "site_id", "preferences.therapist_id": "therapist_id",
          "preferences.weekdays": "weekdays", "preferences.time_of_day": "time_of_day",
          "preferences.blocked_days": "blocked_days", "preferences.earliest": "earliest"}


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


@wizard.route("/courses/new", methods=["GET", "POST"])
@roles_required("reception")
def new_course():
    """Step 1: find the patient; step 2: protocol and preferences; step 3 (POST): the plans on a timeline."""
    raw = request.args.get("patient", "").strip()
    if not raw:
        query = request.args.get("q", "")[:120]
        return render_template("courses/find_patient.html", query=query,
                               found=search_patients(query).hits if query.strip() else None)
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or not 0 < int(raw) <= MAX_ID:
        return problem(422, "patient must be a patient's number, e.g. patient=12.",
                       fields=[{"field": "patient", "message": "not a patient's number"}])
    patient = patient_brief(int(raw))
    choices = course_pages.wizard_choices()
    form = PreferencesForm().offer(choices)
    if request.method == "GET":
        form.protocol.data = form.protocol.data or request.args.get("protocol", "")
        return render_template("courses/new.html", patient=patient, form=form, proposal=None)
    if not form.validate():
        return render_template("courses/new.html", patient=patient, form=form, proposal=None), 422
    return _propose(patient, form, form.protocol.data, form.preferences())


def _propose(patient, form: PreferencesForm, protocol: str, preferences: PreferencesIn, status: int = 200,
             stale: list[str] | None = None):
    """The plans for the form's choices, or each refusal beside its field or at the top."""
    try:
        proposal = propose_course(patient.id, protocol, preferences, now())
    except InvalidData as invalid:
        for item in invalid.problems:
            field = getattr(form, FIELDS.get(item.field or "", ""), None)
            if field is not None:
                field.errors = [*field.errors, item.message]
        unplaced = [p.message for p in invalid.problems if p.field not in FIELDS]
        return render_template("courses/new.html", patient=patient, form=form, proposal=None,
                               refusals=unplaced), 422
    except BookingRefused as refused:
        return render_template("courses/new.html", patient=patient, form=form, proposal=None,
                               not_ready=[r.message for r in refused.reasons]), 409
    return render_template("courses/new.html", patient=patient, form=form, stale=stale,
                           **_offer(proposal, preferences)), status


def _offer(proposal: Proposal, preferences: PreferencesIn) -> dict:
    """What the plans step shows: each plan with its timeline, score in words, rank and signed booking."""
    sites = course_pages.site_names()
    rooms, staff = course_view.names()
    ranks = rank_words([plan.score for plan in proposal.plans])
    shown = []
    for index, plan in enumerate(proposal.plans):
        site_name, zone = sites[plan.sessions[0].site_id]
        data = course_view.plan_data(plan, proposal.patient_id, proposal.protocol.key, zone)
        book = {**data["book"], "preferences": preferences.model_dump(mode="json")}
        shown.append({
            "index": index, "label": plan.label, "site": site_name, "zone": zone, "rank": ranks[index],
            "score": score_words(plan.score), "proven": plan.proven_optimal,
            "timeline": timeline([(s.purpose, s.dose_number, s.start, "planned") for s in plan.sessions],
                                 proposal.protocol, zone),
            "sessions": [{"purpose": s.purpose, "dose_number": s.dose_number, "start": local(s.start, zone),
                          "end": local(s.end, zone), "room": rooms.get(s.room_id, "—"),
                          "staff": [(staff.get(p.staff_id, "?"), p.role) for p in s.placements]}
                         for s in plan.sessions],
            "token": _signer().dumps(book)})
    return {"proposal": proposal, "plans": shown, "book_form": BookPlanForm()}


@wizard.post("/courses/book")
@roles_required("reception")
def book():
    """Book the signed plan all at once; a stale one gets a fresh proposal and a kind note, 409."""
    form = BookPlanForm()
    if not form.validate():
        return problem(422, "The plan to book was missing; nothing was booked. Plan the course again.")
    try:
        data = _signer().loads(form.plan.data)
    except BadSignature:
        return problem(422, "That plan could not be read (it was changed or cut short on the way), so nothing "
                            "was booked. Plan the course again.")
    try:
        order = course_order(parse(BookCourseIn, data))
        course_id = book_course(order, actor(), now())
    except PlanStale as stale:
        return _fresh(order, stale)
    except NotFound as missing:
        return problem(404, str(missing))
    except (InvalidData, BookingRefused) as refused:
        reasons = refused.problems if isinstance(refused, InvalidData) else refused.reasons
        return problem(409 if isinstance(refused, BookingRefused) else 422,
                       "The course cannot be booked; nothing was booked.",
                       conflicts=[{"message": r.message} for r in reasons])
    flash(f"Course booked: {len(order.sessions)} sessions.", "success")
    return redirect(url_for("course_page.show", course_id=course_id), 303)


def _fresh(order, stale: PlanStale):
    """The wizard again with the fresh proposal the refusal carries, and why the first plan could not be kept."""
    patient = patient_brief(order.patient_id)
    form = PreferencesForm().offer(course_pages.wizard_choices()).show(order.protocol, order.preferences)
    reasons = sorted({r.message for rs in stale.refusals.values() for r in rs})
    fresh = stale.fresh if isinstance(stale.fresh, Proposal) else None
    if fresh is None:
        return _propose(patient, form, order.protocol, order.preferences, 409, reasons)
    return render_template("courses/new.html", patient=patient, form=form, stale=reasons,
                           **_offer(fresh, order.preferences)), 409


@wizard.app_template_filter("session_name")
def session_name_filter(purpose: str, dose_number: int | None) -> str:
    """A course session in words (see course_timeline.session_name)."""
    return session_name(purpose, dose_number)
