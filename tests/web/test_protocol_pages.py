"""The admin's protocol pages: the list, one protocol in words with its history, the form, retire and restore."""

from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest

from planner.db.models import ProtocolRetirement, ProtocolVersion
from planner.services import SYSTEM
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn, ProtocolStateChange
from planner.services.course_planning import propose_course
from planner.services.protocol_states import change_protocol_state
from planner.services.protocols import save_protocol
from tests import factories as f
from tests.web.api_client import count
from tests.web.conftest import audit, csrf_from
from tests.web.site_pages import error_beside


class _Form(HTMLParser):
    """The values a browser would send for the page's protocol form (inputs, selected options, textareas)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._chosen = False
        self._textarea: str | None = None
        self._done = self._inside = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "protocol-form" in (a.get("class") or "") and not self._done:
            self._inside = True
        if not self._inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "submit"):
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select, self._chosen = a.get("name"), False
        elif tag == "option" and self._select and not self._chosen:
            # The selected option, else the first one (as a browser sends).
            if "selected" in a or self._select not in self.values:
                self.values[self._select] = a.get("value") or ""
            self._chosen = "selected" in a
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._inside:
            self._inside, self._done = False, True

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data.removeprefix("\n")


def form_of(page) -> dict[str, str]:
    found = _Form()
    found.feed(page.get_data(as_text=True))
    return found.values


@pytest.fixture
def admin(signed_in, course_clinic, clinic_clock):
    return signed_in("admin")


NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)  # clinic_clock's Friday


def _book(patient_mrn: str) -> int:
    patient = f.ready_patient(patient_mrn)
    proposal = propose_course(patient, "iv-induction", PreferencesIn(), NOW, f.MONDAY)
    return book_course(f.booking_order(proposal, patient), SYSTEM, NOW)


def _with_gap(gap: int) -> dict:
    from planner.domain.protocol_library import DEFAULT_PROTOCOLS
    from planner.domain.protocols import protocol_to_dict

    data = protocol_to_dict(DEFAULT_PROTOCOLS[0])
    data["phases"][0]["min_gap_days"] = gap
    return data


def test_the_list_shows_each_protocol_its_version_and_running_courses_and_retired_ones_apart(admin):
    _book("RUN-1")
    save_protocol(_with_gap(2), SYSTEM, NOW)
    change_protocol_state("pain-booster", ProtocolStateChange(retired=True, reason="Nobody asks for it"), SYSTEM,
                          NOW)
    page = admin.get("/protocols")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    in_use, retired = text.split('id="retired"')
    assert "IV ketamine, depression induction" in in_use and "version 2" in in_use
    assert "1 running on version 1" in in_use
    assert "Ketamine for chronic pain, booster" in retired and "Nobody asks for it" in retired
    assert "Ketamine for chronic pain, booster" not in in_use
    assert 'href="/protocols"' in admin.get("/setup").get_data(as_text=True)


def test_a_protocol_says_its_rules_in_words_its_history_and_that_running_courses_keep_their_version(admin):
    _book("RUN-2")
    save_protocol(_with_gap(2), SYSTEM, NOW)
    text = admin.get("/protocols/iv-induction").get_data(as_text=True)
    assert "6 doses, 2 to 7 days apart, 2 to 3 a week, all within 21 days of the first" in text
    assert "1 × Preparation psychotherapy, 1 to 14 days before dose 1" in text
    assert "A missed dose is re-planned" in text
    assert "Phase 1 (induction): 1 to 7 days apart became 2 to 7 days apart." in text
    assert "Version 1: 1 course" in text and "keeps the version it started on" in text
    assert admin.get("/protocols/no-such").status_code == 404


def test_the_edit_form_starts_from_the_active_version_and_saving_makes_a_new_one(admin):
    page = admin.get("/protocols/iv-induction/edit")
    values = form_of(page)
    assert values["phases-0-doses"] == "6" and values["phases-0-max_gap_days"] == "7"
    assert values["therapy-0-session_type"] == "preparation" and values["therapy-0-min_days"] == "-14"
    assert values["based_on"] == "1" and values["phases-1-doses"] == ""
    values["phases-0-min_gap_days"] = "2"
    saved = admin.post("/protocols/iv-induction/edit", data=values)
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/protocols/iv-induction")
    assert count(ProtocolVersion) == 8
    [event] = audit("protocol.saved")
    assert event.details["version"] == 2 and event.details["changes"] == [
        "Phase 1 (induction): 1 to 7 days apart became 2 to 7 days apart."]


def test_a_wrong_value_is_refused_beside_its_row_and_field_past_blank_rows_and_nothing_is_saved(admin):
    values = form_of(admin.get("/protocols/iv-induction/edit"))
    values.update({"phases-2-name": "maintenance", "phases-2-doses": "4", "phases-2-min_gap_days": "9",
                   "phases-2-max_gap_days": "3"})
    refused = admin.post("/protocols/iv-induction/edit", data=values)
    assert refused.status_code == 422
    assert error_beside(refused.data, "phases-2-max_gap_days") == "The minimum gap is above the maximum gap."
    assert error_beside(refused.data, "phases-1-doses") == ""  # the blank row between is ignored
    mistyped = admin.post("/protocols/iv-induction/edit", data={**values, "therapy-1-count": "two", "name": " "})
    assert mistyped.status_code == 422
    assert error_beside(mistyped.data, "therapy-1-count") == "Enter a whole number."
    assert error_beside(mistyped.data, "name")
    no_phases = admin.post("/protocols/iv-induction/edit", data={k: ("" if k.startswith("phases-") else v)
                                                                 for k, v in values.items()})
    assert no_phases.status_code == 422 and "Give at least one phase of doses." in no_phases.get_data(as_text=True)
    assert count(ProtocolVersion) == 7 and audit("protocol.saved") == []


def test_a_new_protocol_is_saved_once_and_a_key_the_clinic_has_is_refused_beside_the_key(admin):
    values = form_of(admin.get("/protocols/new"))
    values.update({"key": "iv-short", "name": "IV ketamine, short induction", "dosing_type": "iv-infusion",
                   "phases-0-doses": "4", "phases-0-min_gap_days": "2"})
    assert admin.post("/protocols/new", data=values).status_code == 303
    again = admin.post("/protocols/new", data={**values, "csrf_token": csrf_from(admin.get("/protocols/new").data)})
    assert again.status_code == 422 and "There is a protocol with the key" in error_beside(again.data, "key")
    assert count(ProtocolVersion) == 8


def test_an_edit_saved_over_a_newer_version_is_refused_and_nothing_is_saved(admin):
    values = form_of(admin.get("/protocols/iv-induction/edit"))
    save_protocol(_with_gap(2), SYSTEM, NOW)
    values["phases-0-max_gap_days"] = "5"
    refused = admin.post("/protocols/iv-induction/edit", data=values)
    assert refused.status_code == 409 and "Version 2 was saved since you opened version 1" in refused.get_data(
        as_text=True)
    assert count(ProtocolVersion) == 8


def test_retire_asks_why_keeps_it_and_the_wizard_refuses_it_until_it_is_restored(admin, signed_in):
    page = admin.get("/protocols/iv-induction")
    token = csrf_from(page.data)
    blank = admin.post("/protocols/iv-induction/retire", data={"csrf_token": token, "reason": "  "})
    assert blank.status_code == 422 and error_beside(blank.data, "reason")
    assert count(ProtocolRetirement) == 0
    assert admin.post("/protocols/iv-induction/retire", data={"csrf_token": token, "reason": "Replaced"}).status_code == 303
    shown = admin.get("/protocols/iv-induction").get_data(as_text=True)
    assert "Retired on 2026-11-20" in shown and "Replaced" in shown and "Restore it" in shown
    reception = signed_in("reception")
    patient = f.ready_patient("NEW-1")
    wizard = reception.get(f"/courses/new?patient={patient}")
    assert 'value="iv-induction"' not in wizard.get_data(as_text=True)
    refused = reception.post(f"/courses/new?patient={patient}", data={"csrf_token": csrf_from(wizard.data),
                                                                      "protocol": "iv-induction", "time_of_day": "any"})
    assert refused.status_code == 422 and "was retired on 2026-11-20 (Replaced)" in refused.get_data(as_text=True)
    twice = admin.post("/protocols/iv-induction/retire", data={"csrf_token": token, "reason": "again"})
    assert twice.status_code == 409 and "was retired already" in twice.get_data(as_text=True)
    assert admin.post("/protocols/iv-induction/restore", data={"csrf_token": token, "reason": "Back"}).status_code == 303
    assert 'value="iv-induction"' in reception.get(f"/courses/new?patient={patient}").get_data(as_text=True)
    assert [e.details["reason"] for e in audit("protocol.restored")] == ["Back"]


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_reception_and_clinicians_can_neither_open_nor_change_protocols(signed_in, course_clinic, role):
    other = signed_in(role)
    assert other.get("/protocols").status_code == 403
    assert other.get("/protocols/kap/edit").status_code == 403
    assert other.post("/protocols/kap/retire", data={"reason": "x"}).status_code in (400, 403)
    assert count(ProtocolRetirement) == 0 and count(ProtocolVersion) == 7


ODD = ["\x00", "9" * 400, "٣", "1.5"]  # NUL, past any integer column, another script's digit, not whole


@pytest.mark.parametrize("odd", ODD, ids=repr)
def test_odd_values_in_every_field_are_answered_without_a_server_error_and_nothing_is_written(admin, odd):
    values = form_of(admin.get("/protocols/iv-induction/edit"))
    for path in ("/protocols/iv-induction/edit", "/protocols/new"):
        answer = admin.post(path, data={name: (value if name == "csrf_token" else odd)
                                        for name, value in values.items()})
        assert answer.status_code in (409, 422), (path, odd, answer.data[:400])
    token = values["csrf_token"]
    for path in ("/protocols/iv-induction/retire", "/protocols/iv-induction/restore"):
        assert admin.post(path, data={"csrf_token": token, "reason": odd}).status_code in (303, 409, 422)
    assert count(ProtocolVersion) == 7
