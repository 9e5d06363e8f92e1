"""The questionnaires a patient answers from their link before a dose (routes on the patient blueprint).

The same rules as the rest of /p/: the token is the only credential (no CSRF token, see
planner/web/patient.py), a GET never writes, every answer is private. The page's title and
messages stay discreet (planner/domain/discretion.py): "A few questions", never what they measure.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from planner.domain.errors import InvalidData, LinkRefused
from planner.domain.outcomes.measures import MEASURES
from planner.domain.outcomes.scoring import SELF_HARM
from planner.services.outcome_entries import EntryRefused, enter_from_link
from planner.services.outcome_link import link_questions
from planner.services.patient_page import patient_page
from planner.web.access import now
from planner.web.outcome_forms import answers_from
from planner.web.patient import REFUSED, SHOWN, _render, patient


@patient.get("/p/<token>/questions/<measure>")
def questions(token: str, measure: str):
    """A questionnaire, item by item, for a dose still to come; or why the link cannot take it."""
    return _page(token, measure, {}, {}, 200)


@patient.post("/p/<token>/questions/<measure>")
def answer(token: str, measure: str):
    """Score and keep the answers; each missing or wrong answer is shown beside its question."""
    found = MEASURES.get(measure)
    offered = link_questions(token, _secret(), now()).measures
    # A measure this appointment does not ask is not taken (a link that asks none is refused below, kindly).
    if found is None or (offered and measure not in offered):
        abort(404)
    given, answers = answers_from(request.form, found)
    try:
        entered = enter_from_link(token, _secret(), measure, answers, now(), request.remote_addr)
    except LinkRefused as refused:
        page = patient_page(token, _secret(), now())
        return _render(page, token, refused.reasons[0].message), REFUSED[refused.reasons[0].code]
    except EntryRefused as refused:
        return _page(token, measure, given, {}, 409, refused.reasons[0].message)
    except InvalidData as invalid:
        # The patient's own words: kinder than the scoring's, which name the item for staff.
        errors = {int(p.field[6:-1]): _kind(p.code, found.highest_answer) for p in invalid.problems
                  if (p.field or "").startswith("items[")}
        return _page(token, measure, given, errors, 422, "Please answer every question (see the marked ones).")
    flagged = SELF_HARM in entered.score.flags
    return redirect(url_for(".questions_done", token=token, measure=measure, **({"check": 1} if flagged else {})), 303)


@patient.get("/p/<token>/questions/<measure>/done")
def questions_done(token: str, measure: str):
    """Thanks, and the way back to the appointment; words of help where the answers asked for them."""
    page = patient_page(token, _secret(), now())
    if page.verdict not in SHOWN or measure not in MEASURES:
        abort(404)
    offered = link_questions(token, _secret(), now())
    return render_template("patient/questions_done.html", page=page, token=token, problem=None,
                           more=offered.open, check=request.args.get("check") == "1")


def _page(token: str, measure: str, given: dict, errors: dict, status: int, problem: str | None = None):
    page = patient_page(token, _secret(), now())
    offered = link_questions(token, _secret(), now())
    if measure not in offered.measures:
        if page.verdict not in ("ok", "used"):
            return _render(page, token), SHOWN[page.verdict]
        abort(404)  # a measure this appointment does not ask, or an appointment that asks none
    if measure in offered.answered and status == 200:
        return redirect(url_for(".questions_done", token=token, measure=measure), 303)
    return render_template("patient/questions.html", page=page, token=token, measure=MEASURES[measure],
                           given=given, errors=errors, problem=problem), status


def _kind(code: str, highest: int) -> str:
    return "Please choose an answer." if code == "missing" else f"Please choose one of the answers 0 to {highest}."


def _secret() -> str:
    return current_app.config["SECRET_KEY"]
