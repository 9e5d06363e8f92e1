"""The REMS page: forms per prescriber and site, the signed-in prescriber's first, overdue flagged; mark done; undo."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.db.models import MonitoringForm
from planner.extensions import db
from tests.web.conftest import audit, csrf_from, sign_in
from tests.web.rems_clinic import AFTER_DUE, BEFORE_DUE, rems_clinic, set_clock


@pytest.fixture
def owed(app, clinic, monkeypatch):
    setup = rems_clinic(clinic)
    set_clock(monkeypatch, BEFORE_DUE)
    return setup


def forms_by_session() -> dict[int, MonitoringForm]:
    db.session.rollback()
    found = {f.session_id: f for f in db.session.scalars(select(MonitoringForm))}
    db.session.rollback()
    return found


@pytest.fixture
def login(app, client, user_factory):
    """login(role, staff_id=None) -> a client signed in as a new account (asks for `client` so `g` is fresh per request)."""

    def make(role: str, staff_id: int | None = None):
        _, email, password = user_factory(role, staff_id=staff_id)
        signed = app.test_client()
        assert sign_in(signed, email, password).status_code == 302
        return signed

    return make


def test_a_prescriber_sees_their_own_forms_first_and_the_overdue_ones_flagged(login, owed, monkeypatch):
    ben = login("clinician", owed.other_prescriber)
    page = ben.get("/rems").get_data(as_text=True)
    headings = [line for line in page.splitlines() if '<h2 id="group-' in line]
    assert ["Dr Ben Ode" in headings[0], "Dr Ada Kim" in headings[1]] == [True, True]  # his own first, though A < B
    assert "yours" in page and "overdue" not in page
    assert "Mon 30 Nov 2026" in page and "America/New_York" in page  # the due day in the site's wall time
    set_clock(monkeypatch, AFTER_DUE)
    page = ben.get("/rems").get_data(as_text=True)
    assert "2 overdue" in page and page.count('class="warn-red"') == 2


def test_marking_a_form_done_needs_the_csrf_token_is_audited_and_moves_it_to_the_done_filter(login, owed):
    ada = login("clinician", owed.clinic.prescriber)
    form = forms_by_session()[owed.sessions[0]]
    assert ada.post(f"/rems/{form.id}/done").status_code == 400  # no CSRF token
    assert forms_by_session()[owed.sessions[0]].state == "open"
    token = csrf_from(ada.get("/rems").data)
    done = ada.post(f"/rems/{form.id}/done", data={"csrf_token": token})
    assert done.status_code == 303
    listed = ada.get("/rems").get_data(as_text=True)
    assert f'id="form-{form.id}"' not in listed and "Monitoring form" in listed
    shown = ada.get("/rems?state=done").get_data(as_text=True)
    assert f'id="form-{form.id}"' in shown
    assert [e.entity_id for e in audit("rems_form.done")] == [str(form.id)]


def test_reception_may_not_see_the_page_and_bad_filters_or_ids_are_422_and_404(login, owed):
    assert login("reception").get("/rems").status_code == 403
    admin = login("admin")
    assert admin.get("/rems").status_code == 200
    assert admin.get("/rems?state=late").status_code == 422
    assert admin.get("/rems?site_id=%C2%B2").status_code == 422
    assert admin.get("/rems/99999").status_code == 404
    token = csrf_from(admin.get("/rems").data)
    assert admin.post("/rems/99999/done", data={"csrf_token": token}).status_code == 404


def test_only_an_admin_undoes_done_with_a_reason_shown_next_to_the_field(login, owed):
    form = forms_by_session()[owed.sessions[0]]
    nurse = login("clinician")
    nurse.post(f"/rems/{form.id}/done", data={"csrf_token": csrf_from(nurse.get("/rems").data)})
    page = nurse.get(f"/rems/{form.id}").get_data(as_text=True)
    assert "Reopen the form" not in page
    assert nurse.post(f"/rems/{form.id}/reopen", data={"csrf_token": csrf_from(page), "reason": "x"}).status_code == 403
    admin = login("admin")
    page = admin.get(f"/rems/{form.id}").get_data(as_text=True)
    blank = admin.post(f"/rems/{form.id}/reopen", data={"csrf_token": csrf_from(page), "reason": " "})
    assert blank.status_code == 422 and 'id="reason-error"' in blank.get_data(as_text=True)
    assert forms_by_session()[owed.sessions[0]].state == "done"
    again = admin.post(f"/rems/{form.id}/reopen", data={"csrf_token": csrf_from(page), "reason": "Wrong patient"})
    assert again.status_code == 303
    history = admin.get(f"/rems/{form.id}").get_data(as_text=True)
    assert "reopened by" in history and "Wrong patient" in history
    assert forms_by_session()[owed.sessions[0]].state == "open"


def test_the_overview_counts_the_open_and_overdue_forms(login, owed, monkeypatch):
    admin = login("admin")
    set_clock(monkeypatch, AFTER_DUE)
    page = admin.get("/").get_data(as_text=True)
    assert "<strong>2</strong> to send" in page and "2 overdue" in page
    assert "REMS monitoring forms" not in login("reception").get("/").get_data(as_text=True)
