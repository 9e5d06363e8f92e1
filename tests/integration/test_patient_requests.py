"""Asking for another time from a link, and reception working the list of patients' requests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from planner.db.models import AuditEvent, LinkUse, PatientRequest
from planner.domain.errors import InvalidData, RequestResolved
from planner.extensions import db
from planner.services.patient_actions import ask_another_time
from planner.services.patient_page import patient_page
from planner.services.patient_requests import open_requests, resolve_request
from tests.integration.test_patient_page import DESK, NOW, SECRET, book, count, fresh, link, refused_code


def test_asking_for_another_time_opens_a_request_reception_sees_and_resolves_once(clinic):
    session_id = book(clinic)
    token = link(session_id)
    request_id = ask_another_time(token, SECRET, NOW, "  Any afternoon\r\nnext week\u202e  ", "192.0.2.4")
    assert fresh(session_id).status == "booked"
    [request] = open_requests()
    assert (request.id, request.kind, request.note) == (request_id, "another_time", "Any afternoon\nnext week")
    assert (request.session_id, request.site_name, request.patient_name) == (session_id, "Midtown", "Patient MRN-1")
    assert request.session_start.isoformat() == "2026-11-23T09:00:00-05:00" and request.asked_at == NOW
    assert refused_code(ask_another_time, token, SECRET, NOW, "again") == "used"
    assert patient_page(link(session_id), SECRET, NOW).verdict == "ok"  # the next message's link works again

    resolve_request(request_id, DESK, NOW + timedelta(hours=1), "done")
    assert open_requests() == []
    row = db.session.get(PatientRequest, request_id)
    assert (row.state, row.resolved_by, row.resolved_at) == ("done", DESK.label, NOW + timedelta(hours=1))
    with pytest.raises(RequestResolved):
        resolve_request(request_id, DESK, NOW + timedelta(hours=2), "withdrawn")
    assert db.session.get(PatientRequest, request_id).state == "done"
    assert count(AuditEvent, AuditEvent.action == "patient_request.done") == 1


def test_an_empty_note_is_fine_and_a_note_too_long_is_refused_with_nothing_written(clinic):
    session_id = book(clinic)
    token = link(session_id)
    with pytest.raises(InvalidData) as invalid:
        ask_another_time(token, SECRET, NOW, "x" * 501)
    assert invalid.value.problems[0].field == "note"
    assert count(LinkUse) == 0 and count(PatientRequest) == 0
    ask_another_time(token, SECRET, NOW, "")
    assert [r.note for r in open_requests()] == [""]


def test_resolving_takes_done_or_withdrawn_only(clinic):
    request_id = ask_another_time(link(book(clinic)), SECRET, NOW)
    with pytest.raises(InvalidData):
        resolve_request(request_id, DESK, NOW, "ignored")
    resolve_request(request_id, DESK, NOW, "withdrawn")
    assert db.session.get(PatientRequest, request_id).state == "withdrawn"
