"""Domain errors and HTTP errors as clear answers: JSON for the API, a page otherwise."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from planner.adapters.fhir_common import FHIR_JSON, outcome
from planner.domain.errors import (
    BatchRefused, BookingRefused, CoverBroken, InvalidData, InvalidTransition, NotFound, PlanStale, ProtocolRefused,
    StatusRefused,
)
from planner.domain.record_access import RecordClosed
from planner.services.outcome_entries import EntryRefused
from planner.services.screening_records import RecordRefused

MESSAGES = {400: "The request could not be read.", 401: "Sign in first.", 403: "You may not do that.",
            404: "Not found.", 405: "That method is not allowed here.", 409: "That conflicts with the clinic's state.",
            413: "The request is too large.", 422: "Some fields are not right.", 500: "Something went wrong on our side."}


FHIR_PATH = "/api/fhir/"


def fhir_problem(status: int, message: str, extra: dict):
    """A refusal on the FHIR routes: an OperationOutcome, one issue per field or conflict (FHIR's error shape)."""
    problems = [(p.get("field"), p["message"]) for p in (*extra.get("fields", ()), *extra.get("conflicts", ()))]
    response = jsonify(outcome(status, message, problems))
    response.mimetype = FHIR_JSON
    return response, status


def wants_json() -> bool:
    """API paths and JSON clients get JSON errors."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def problem(status: int, message: str | None = None, **extra):
    """An error response in the right shape for the client."""
    message = message or MESSAGES.get(status, "Error.")
    if request.path.startswith(FHIR_PATH):
        return fhir_problem(status, message, extra)
    if wants_json():
        return jsonify({"error": message, **extra}), status
    return render_template("error.html", status=status, message=message, extra=extra), status


def said(error: Exception) -> str:
    """A refusal in plain words: its reasons' messages, or the error's own."""
    reasons = getattr(error, "reasons", None)
    return " ".join(r.message for r in reasons) if reasons else str(error)


def init_app(app: Flask) -> None:
    """Map domain errors to 404/409/422 and HTTP errors to clear answers."""

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        return problem(404, str(error))

    @app.errorhandler(BookingRefused)
    def refused(error: BookingRefused):
        return problem(409, "The session cannot be booked.", conflicts=[r.as_dict() for r in error.reasons])

    @app.errorhandler(BatchRefused)
    def batch_refused(error: BatchRefused):
        return problem(409, "None of the sessions were booked.",
                       conflicts=[{"index": i, **r.as_dict()} for i, rs in error.refusals.items() for r in rs])

    @app.errorhandler(PlanStale)
    def stale(error: PlanStale):
        from planner.web.stale import fresh_offer

        return problem(409, "The plan no longer fits the clinic; nothing was booked.",
                       conflicts=[{"index": i, **r.as_dict()} for i, rs in error.refusals.items() for r in rs],
                       fresh=fresh_offer(error.fresh))

    @app.errorhandler(StatusRefused)
    def status_refused(error: StatusRefused):
        return problem(409, "The session cannot take that status now.", conflicts=[r.as_dict() for r in error.reasons])

    @app.errorhandler(CoverBroken)
    def cover_broken(error: CoverBroken):
        # Part 3's way out (issue 12): a call-out marks someone away and repairs those sessions in one step.
        return problem(409, "That change would leave booked sessions without valid cover; nothing was changed. "
                            "To mark someone away anyway, enter it as a call-out (/callouts/new, or POST "
                            "/api/callouts/preview), which repairs those sessions in the same step.",
                       conflicts=[r.as_dict() for r in error.reasons])

    @app.errorhandler(ProtocolRefused)
    def protocol_refused(error: ProtocolRefused):
        return problem(409, "The protocol cannot change as asked; nothing was changed.",
                       conflicts=[r.as_dict() for r in error.reasons])

    @app.errorhandler(RecordRefused)
    @app.errorhandler(EntryRefused)
    def recorded_meanwhile(error: RecordRefused | EntryRefused):
        # A record or an entry the patient's latest refuses (written meanwhile, or not theirs to add).
        return problem(409, error.reasons[0].message, conflicts=[r.as_dict() for r in error.reasons])

    @app.errorhandler(RecordClosed)
    def record_closed(error: RecordClosed):
        from planner.web.access import log_refusal

        log_refusal(f"clinical record of patient {error.patient_id} is not this account's to read")
        return problem(403, str(error))

    @app.errorhandler(InvalidTransition)
    def bad_transition(error: InvalidTransition):
        return problem(409, str(error))

    @app.errorhandler(InvalidData)
    def invalid(error: InvalidData):
        return problem(422, "Some fields are not right.",
                       fields=[{"field": p.field, "message": p.message} for p in error.problems])

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = make_response(problem(error.code or 500, MESSAGES.get(error.code or 500, error.description)))
        # A 405 says which methods the path does take, as HTTP asks (the body is ours, the header werkzeug's).
        if getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
