"""The admin's staffing policy page: admin only, each rule with its floor, errors beside the field, 409 naming sessions."""

from __future__ import annotations

from datetime import datetime, time, timezone

from planner.db.models import StaffingPolicy
from planner.domain.calendar import to_utc
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests.factories import MONDAY
from tests.web.api_client import count
from tests.web.conftest import csrf_from, sign_in

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def form(page, site: int, **changes) -> dict:
    data = {"csrf_token": csrf_from(page.data), "site": str(site)}
    for route in ("IV", "IM", "intranasal", "sublingual"):
        data[f"routes.{route}.acls_on_site"], data[f"routes.{route}.bls_on_site"] = "1", "2"
        for role in ("supervising_prescriber", "monitoring_clinician"):
            data[f"routes.{route}.limits.{role}"] = ""  # empty: the site's ratio
    data["limits.supervising_prescriber"], data["limits.monitoring_clinician"] = "4", "2"
    return {**data, **changes}


def admin_in(client, user_factory) -> None:
    _, email, password = user_factory("admin")
    sign_in(client, email, password)


def test_only_the_admin_sees_the_policy(client, clinic, user_factory):
    _, email, password = user_factory("reception")
    sign_in(client, email, password)
    assert client.get("/policy").status_code == 403


def test_the_page_lists_each_rule_with_its_floor_and_the_clinics_value(client, clinic, user_factory):
    admin_in(client, user_factory)
    page = client.get("/policy")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "ACLS holders on site during every dose" in text and "Esketamine (intranasal) doses at Midtown" in text
    assert "In a room with a pulse oximeter" in text and 'href="/setup" aria-current="page">Set-up' in text


def test_a_value_below_the_floor_is_shown_beside_its_field_and_nothing_is_saved(client, clinic, clinic_clock,
                                                                                   user_factory):
    admin_in(client, user_factory)
    page = client.get("/policy")
    answer = client.post("/policy", data=form(page, clinic.site, **{"routes.IV.bls_on_site": "1",
                                                                     "limits.monitoring_clinician": "two"}))
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="routes-IV-bls_on_site-error"' in text and 'id="limits-monitoring_clinician-error"' in text
    assert count(StaffingPolicy) == 0


def test_a_raise_is_saved_and_one_that_breaks_a_booked_dose_names_it(client, clinic, clinic_clock, user_factory):
    admin_in(client, user_factory)
    page = client.get("/policy")
    saved = client.post("/policy", data=form(page, clinic.site, **{"routes.IM.bls_on_site": "3"}))
    assert saved.status_code == 302 and count(StaffingPolicy) == 4
    booked = book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, to_utc(MONDAY, time(9),
                                                                                        "America/New_York"),
                                       clinic.chairs[0], ((clinic.prescriber, "supervising_prescriber"),
                                                          (clinic.nurses[0], "monitoring_clinician"))), SYSTEM, NOW)
    page = client.get("/policy")
    refused = client.post("/policy", data=form(page, clinic.site, **{"routes.IV.acls_on_site": "2",
                                                                      "routes.IM.bls_on_site": "3"}))
    assert refused.status_code == 409 and f"Session {booked} (IV ketamine infusion" in refused.get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused(client, clinic, user_factory):
    admin_in(client, user_factory)
    page = client.get("/policy")
    data = form(page, clinic.site)
    del data["csrf_token"]
    assert client.post("/policy", data=data).status_code == 400
    assert count(StaffingPolicy) == 0


def test_a_routes_own_ratio_is_saved_from_its_box_and_a_bad_one_is_shown_beside_it(client, clinic, clinic_clock,
                                                                                    user_factory):
    admin_in(client, user_factory)
    page = client.get("/policy")
    assert 'id="routes-IV-limits-monitoring_clinician"' in page.get_data(as_text=True)
    bad = client.post("/policy", data=form(page, clinic.site, **{"routes.IV.limits.monitoring_clinician": "21",
                                                                 "routes.IM.limits.supervising_prescriber": "x"}))
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and count(StaffingPolicy) == 0
    assert 'id="routes-IV-limits-monitoring_clinician-error"' in text
    assert 'id="routes-IM-limits-supervising_prescriber-error"' in text
    page = client.get("/policy")
    saved = client.post("/policy", data=form(page, clinic.site, **{"routes.intranasal.limits.monitoring_clinician": "3"}))
    assert saved.status_code == 302
    from planner.extensions import db
    db.session.rollback()
    rows = {row.route: row.monitoring_clinician_limit for row in db.session.query(StaffingPolicy)}
    assert rows["intranasal"] == 3 and rows["IV"] is None
    assert 'value="3"' in client.get("/policy").get_data(as_text=True)
