"""The SMS gateway's webhook: patients' replies (STOP, START) arrive here."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from planner.adapters.sms import valid_twilio_signature
from planner.extensions import csrf
from planner.services.sms_replies import handle_sms_reply
from planner.web.access import log_refusal, now

sms = Blueprint("sms", __name__)


@sms.post("/sms/inbound")
@csrf.exempt  # the gateway cannot carry a CSRF token; Twilio's signature proves the sender instead
def inbound():
    """A text from a patient, signed by Twilio; STOP and START take effect at once."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    if not token:
        abort(404)  # no gateway set: nothing may post replies
    # Twilio signs the URL it was given, which is the public one (a proxy may change what Flask sees).
    url = current_app.config["PUBLIC_URL"] + request.full_path.rstrip("?")
    if not valid_twilio_signature(url, request.form.items(multi=True), request.headers.get("X-Twilio-Signature", ""),
                                  token):
        log_refusal("SMS webhook with a bad or missing signature")
        abort(403)
    handle_sms_reply(request.form.get("From", ""), request.form.get("Body", ""), now())
    # An empty TwiML answer: Twilio itself sends the carrier-mandated STOP/START confirmations.
    return Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', content_type="text/xml")
