"""The patient's own page, from the signed link in their messages: a GET shows, only a POST acts.

Mail scanners and link previews open every link in a message, so a GET never changes anything.

These POSTs are exempt from Flask-WTF's CSRF check (planner/web/__init__.py), on purpose:
- CSRF abuses a credential the browser adds by itself (a cookie). These requests carry none:
  their only authority is the token in the URL, which a forger would have to know already, and
  with it could POST directly. A CSRF token would add no protection.
- Flask-WTF's token lives in the session cookie, which a patient would otherwise never get, and
  lapses (WTF_CSRF_TIME_LIMIT): a page left open overnight would refuse the confirm.
- Over HTTPS Flask-WTF also demands a same-site Referer (WTF_CSRF_SSL_STRICT), and these pages
  send none, by design (Referrer-Policy: no-referrer keeps the token out of other sites' logs).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from planner.domain.errors import InvalidData, LinkRefused
from planner.domain.patient_page import ANOTHER_TIME, CANCEL, CLOSED, CONFIRM, OK, USED
from planner.services.patient_actions import ask_another_time, cancel_from_link, confirm_from_link
from planner.services.outcome_link import link_questions
from planner.services.patient_calendar import feed_from_link
from planner.services.patient_page import PatientPage, patient_page
from planner.web.access import now

patient = Blueprint("patient", __name__)
PREFIX = "/p/"
# A GET of a link that can no longer act: gone (expired, outdated) or never valid.
SHOWN = {OK: 200, USED: 200, "outdated": 410, "expired": 410, "broken": 404}
# A POST refused: the link's state conflicts with acting (used, outdated, closed), or it is gone or bad.
REFUSED = {USED: 409, "outdated": 409, CLOSED: 409, "expired": 410, "broken": 404}


@patient.get("/p/<token>")
def show(token: str):
    """The session, its preparation and the patient's other sessions; or, kindly, why the link cannot serve."""
    page = patient_page(token, _secret(), now())
    return _render(page, token), SHOWN[page.verdict]


@patient.post("/p/<token>/confirm")
def confirm(token: str):
    """The patient will come."""
    return _act(token, CONFIRM)


@patient.post("/p/<token>/cancel")
def cancel(token: str):
    """The patient cancels; a course is re-planned."""
    return _act(token, CANCEL)


@patient.post("/p/<token>/another-time")
def another_time(token: str):
    """The patient asks reception for another time."""
    return _act(token, ANOTHER_TIME)


@patient.post("/p/<token>/calendar")
def calendar(token: str):
    """All the patient's appointments as a calendar they subscribe to (a new address each time)."""
    try:
        feed_token = feed_from_link(token, _secret(), now(), request.remote_addr)
    except LinkRefused as refused:
        page = patient_page(token, _secret(), now())
        return _render(page, token, refused.reasons[0].message), REFUSED[refused.reasons[0].code]
    https = current_app.config["PUBLIC_URL"] + url_for("feeds.feed", token=feed_token)
    return render_template("patient/calendar.html", page=patient_page(token, _secret(), now()), https=https,
                           webcal="webcal://" + https.split("://", 1)[1], back=url_for(".show", token=token))


def _act(token: str, action: str):
    """Do the action, then show the link's page (now "used": what was done); a refusal shows why, kindly."""
    secret, moment, address = _secret(), now(), request.remote_addr
    try:
        if action == CONFIRM:
            confirm_from_link(token, secret, moment, address)
        elif action == CANCEL:
            cancel_from_link(token, secret, moment, request.form.get("reason", ""), address)
        else:
            ask_another_time(token, secret, moment, request.form.get("note", ""), address)
    except LinkRefused as refused:
        code = refused.reasons[0].code
        return _render(patient_page(token, secret, moment), token, refused.reasons[0].message), REFUSED[code]
    except InvalidData as invalid:
        return _render(patient_page(token, secret, moment), token, invalid.problems[0].message, action), 422
    # 303: the browser GETs the page, so a reload shows it again rather than posting twice.
    return redirect(url_for(".show", token=token), 303)


def _render(page: PatientPage, token: str, problem: str | None = None, opened: str | None = None) -> str:
    template = {OK: "patient/session.html", USED: "patient/done.html"}.get(page.verdict, "patient/notice.html")
    # The questionnaires still to answer before a dose (outcome measures, issue 13 part 5).
    questions = link_questions(token, _secret(), now()).open if page.verdict in (OK, USED) else ()
    return render_template(template, page=page, token=token, problem=problem, opened=opened, questions=questions)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


@patient.after_app_request
def private(response: Response) -> Response:
    """Every answer under /p/ (errors too) is kept out of caches, search engines and other sites' Referer logs."""
    if request.path.startswith(PREFIX):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@patient.app_template_filter("zone_words")
def zone_words(zone: str) -> str:
    """'America/New_York' -> 'New York time', the way a patient says it."""
    return zone.rsplit("/", 1)[-1].replace("_", " ") + " time"


@patient.app_template_filter("tel")
def tel(phone: str) -> str:
    """A phone number as a tel: URI (digits and a leading +)."""
    digits = "".join(c for c in phone if c.isdigit())
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + digits
