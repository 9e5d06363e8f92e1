"""Every message the demo clinic queues, rendered as it leaves, says nothing clinical to a patient."""

from __future__ import annotations

from datetime import datetime, timezone

from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select

from planner import clock
from planner.db.models import OutboxMessage, Session
from planner.domain.discretion import clinical_words_in
from planner.domain.messages import SessionFacts
from planner.extensions import db
from planner.services.rendering import Postmark, render

WEDNESDAY = datetime(2027, 3, 10, 15, tzinfo=timezone.utc)
POSTMARK = Postmark(("Demo Clinic", "appointments@clinic.example"), "https://clinic.example", "clinic.example", "k")


def test_no_patient_message_of_the_demo_names_a_drug_route_diagnosis_or_protocol(app, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: WEDNESDAY)
    assert app.test_cli_runner().invoke(args=["planner", "seed-demo"]).exit_code == 0
    db.session.rollback()
    versions = dict(db.session.execute(select(Session.id, Session.version)).all())
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_kind == "patient")).all()
    kinds = set()
    for m in messages:
        rendered = render(POSTMARK, recipient_kind=m.recipient_kind, name=m.recipient_name, channel=m.channel,
                          address=m.address, kind=m.kind, facts=SessionFacts.from_json(m.facts),
                          message_key=m.dedupe_key, version=versions[m.session_id], now=WEDNESDAY)
        kinds.add((m.kind, m.channel))
        texts = [rendered.sms] if rendered.sms else [str(rendered.email["Subject"]),
                                                     rendered.email.get_body(("plain",)).get_content(),
                                                     rendered.email.get_body(("html",)).get_content()]
        if rendered.ics:
            event = IcsCalendarStream.calendar_from_ics(rendered.ics.decode()).events[0]
            texts += [event.summary, event.description or "", event.location or ""]
        found = set().union(*(clinical_words_in(text) for text in texts))
        assert not found, (m.kind, m.channel, found)
    # The check covered every kind of message a patient gets, by both channels.
    assert {("invite", "email"), ("reminder-72h", "email"), ("reminder-72h", "sms"), ("reminder-2h", "sms")} <= kinds
