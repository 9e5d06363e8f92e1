"""A patient's whole schedule as a calendar feed, asked for from their link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from planner.db.models import Session
from planner.db.uow import unit_of_work
from planner.domain.errors import LinkRefused, Reason
from planner.domain.links import VALID, read_link
from planner.domain.messages import PATIENT
from planner.services import Actor
from planner.services.feeds import FeedOwner, issue_feed_token


def feed_from_link(token: str, secret: str, now: datetime, remote_addr: str | None = None) -> str:
    """A new feed token for the patient a live link belongs to (their earlier feed URL stops working).

    Any unexpired link will do, used or not: it proves who the patient is, and a feed changes no
    appointment, so it does not use the link up.
    """
    claim = read_link(token, secret, now)
    with unit_of_work(write=False) as session:
        patient_id = session.scalar(select(Session.patient_id).where(Session.id == claim.session_id))
    if claim.verdict != VALID or patient_id is None:
        raise LinkRefused([Reason("expired" if claim.verdict == "expired" else "broken",
                                  "This link can no longer add your appointments to a calendar.", "token")])
    return issue_feed_token(FeedOwner(PATIENT, patient_id), Actor("patient link", None, remote_addr), now)
