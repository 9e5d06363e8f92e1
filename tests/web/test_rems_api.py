"""GET /api/rems/tasks and POST /api/rems/tasks/<id>/done|reopen: filters, roles, 404 and 422, answers as documented."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.db.models import MonitoringForm
from planner.extensions import db
from tests.web.api_client import ApiClient, fields
from tests.web.conftest import audit
from tests.web.rems_clinic import AFTER_DUE, BEFORE_DUE, rems_clinic, set_clock
from tests.web.test_api_schema import conforms


@pytest.fixture
def owed(app, clinic, monkeypatch):
    setup = rems_clinic(clinic)
    set_clock(monkeypatch, BEFORE_DUE)
    return setup


def form_of(session_id: int) -> int:
    db.session.rollback()
    found = db.session.scalar(select(MonitoringForm.id).where(MonitoringForm.session_id == session_id))
    db.session.rollback()
    return found


def test_a_clinician_lists_open_forms_filtered_by_prescriber_site_and_overdue(app, client, owed, monkeypatch):
    api = ApiClient(client, "clinician")
    listed = api.get("/api/rems/tasks")
    conforms(app, "GET", "/api/rems/tasks", listed)
    assert [t["session_id"] for t in listed.get_json()] == owed.sessions
    first = listed.get_json()[0]
    assert (first["due_on"], first["due_by"], first["overdue"]) == ("2026-11-30", "2026-12-01T05:00:00Z", False)
    mine = api.get("/api/rems/tasks", prescriber_id=owed.clinic.prescriber).get_json()
    assert [t["prescriber_name"] for t in mine] == ["Dr Ada Kim"]
    assert api.get("/api/rems/tasks", site_id=owed.clinic.site + 99).get_json() == []
    assert api.get("/api/rems/tasks", overdue="true").get_json() == []
    set_clock(monkeypatch, AFTER_DUE)
    overdue = api.get("/api/rems/tasks", overdue="true").get_json()
    assert [t["overdue"] for t in overdue] == [True, True]
    assert api.get("/api/rems/tasks", overdue="false").get_json() == []


def test_marking_done_answers_the_form_audited_and_it_leaves_the_open_list(app, client, owed):
    api = ApiClient(client, "clinician")
    task = form_of(owed.sessions[0])
    done = api.post(f"/api/rems/tasks/{task}/done")
    conforms(app, "POST", f"/api/rems/tasks/{task}/done", done)
    assert done.status_code == 200 and done.get_json()["state"] == "done"
    assert done.get_json()["done_by"].startswith("clinician")
    assert [t["session_id"] for t in api.get("/api/rems/tasks").get_json()] == [owed.sessions[1]]
    assert [t["id"] for t in api.get("/api/rems/tasks", state="done").get_json()] == [task]
    assert len(api.get("/api/rems/tasks", state="any").get_json()) == 2
    assert api.post(f"/api/rems/tasks/{task}/done").get_json()["done_at"] == done.get_json()["done_at"]
    assert [e.entity_id for e in audit("rems_form.done")] == [str(task)]


def test_only_an_admin_reopens_a_done_form_and_only_with_a_reason(app, client, owed):
    task = form_of(owed.sessions[0])
    clinician, admin = ApiClient(client, "clinician"), ApiClient(client, "admin")
    assert admin.post(f"/api/rems/tasks/{task}/reopen", {"reason": "not done yet"}).status_code == 409
    clinician.post(f"/api/rems/tasks/{task}/done")
    assert clinician.post(f"/api/rems/tasks/{task}/reopen", {"reason": "oops"}).status_code == 403
    assert fields(admin.post(f"/api/rems/tasks/{task}/reopen", {"reason": "  "})) == {"reason"}
    assert fields(admin.post(f"/api/rems/tasks/{task}/reopen", {})) == {"reason"}
    reopened = admin.post(f"/api/rems/tasks/{task}/reopen", {"reason": "Sent for the wrong session"})
    conforms(app, "POST", f"/api/rems/tasks/{task}/reopen", reopened)
    assert (reopened.status_code, reopened.get_json()["state"]) == (200, "open")
    assert [e.details["reason"] for e in audit("rems_form.reopened")] == ["Sent for the wrong session"]


def test_reception_is_refused_and_bad_filters_and_unknown_forms_answer_422_and_404(client, owed):
    reception, clinician = ApiClient(client, "reception"), ApiClient(client, "clinician")
    assert reception.get("/api/rems/tasks").status_code == 403
    assert reception.post(f"/api/rems/tasks/{form_of(owed.sessions[0])}/done").status_code == 403
    assert fields(clinician.get("/api/rems/tasks", state="late")) == {"state"}
    assert fields(clinician.get("/api/rems/tasks", overdue="maybe")) == {"overdue"}
    assert fields(clinician.get("/api/rems/tasks", prescriber_id="0")) == {"prescriber_id"}
    assert fields(clinician.post(f"/api/rems/tasks/{form_of(owed.sessions[0])}/done", {"note": "x"})) == {"note"}
    assert clinician.post("/api/rems/tasks/999999/done").status_code == 404
    assert clinician.get("/api/rems/tasks").get_json()[0]["state"] == "open"  # nothing was written


def test_the_list_reads_two_forms_or_six_in_the_same_few_statements(app, client, owed):
    from sqlalchemy import event

    from tests.web.rems_clinic import give_esketamine

    seen: list[str] = []

    def note(_conn, _cursor, statement, *_):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    api = ApiClient(client, "clinician")
    api.get("/api/rems/tasks")  # a token's first use is written down: not what is measured
    counts = []
    for grown in (False, True):
        if grown:
            clinic = owed.clinic
            for i, patient in enumerate(clinic.patients[2:6]):  # two at noon, two at 15:00, chairs 1 and 2
                give_esketamine(clinic, patient, clinic.prescriber, i % 2, hour=12 + 3 * (i // 2))
        db.session.remove()
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            answer = api.get("/api/rems/tasks")
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        counts.append(len(seen))
        seen.clear()
        assert len(answer.get_json()) == (6 if grown else 2)
    assert counts[0] == counts[1] == 1, counts  # the token is read on the driver's own cursor; the forms in one
