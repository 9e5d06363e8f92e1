"""The admin edits a site in the browser: details, weekly hours, closed days; refusals name the sessions they'd break."""

from __future__ import annotations

import logging
from datetime import date, time

import pytest

from planner.db.models import Closure, Site
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import cancel_session
from tests.web.conftest import audit, csrf_from
from tests.web.site_pages import audited, book_dose, error_beside, post_form


@pytest.fixture
def admin(signed_in, clinic, clinic_clock):
    return signed_in("admin")


def site(clinic) -> Site:
    db.session.rollback()
    return db.session.get(Site, clinic.site)


def refusal_box(answer) -> str:
    """The text of the refusal shown on the page (one at most)."""
    page = answer.data.decode()
    assert page.count('data-testid="refusal"') == 1, "no refusal, or more than one"
    return page.split('data-testid="refusal"', 1)[1].split("</div>", 1)[0]


def closed_days(clinic) -> dict[date, str]:
    return {c.day: c.reason for c in site(clinic).closures}


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_only_the_admin_sees_or_changes_a_site_and_a_refusal_is_logged(signed_in, clinic, clinic_clock, role, caplog):
    client = signed_in(role)
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        assert client.get("/sites").status_code == 403
        assert client.get(f"/sites/{clinic.site}/setup").status_code == 403
        assert client.post(f"/sites/{clinic.site}/setup/closures", data={"closure-first": "2026-11-24"}).status_code \
            in (400, 403)
    assert f"access refused: GET /sites/{clinic.site}/setup by {role}" in caplog.text
    assert closed_days(clinic) == {}


def test_the_sites_list_links_each_site_to_its_setup_board_and_coverage(admin, clinic):
    page = admin.get("/sites").data.decode()
    for path in (f"/sites/{clinic.site}/setup", f"/sites/{clinic.site}/board", f"/sites/{clinic.site}/coverage"):
        assert f'href="{path}' in page
    assert "America/New_York" in page


def test_unknown_sites_rooms_weekdays_and_closure_days_are_404(admin, clinic):
    assert admin.get("/sites/999/setup").status_code == 404
    assert post_form(admin, "/sites/999/setup/closures", "closure", page=f"/sites/{clinic.site}/setup",
                     first="2026-11-24").status_code == 404
    assert post_form(admin, f"/sites/{clinic.site}/setup/hours/7", "hours-7").status_code == 404
    assert post_form(admin, f"/sites/{clinic.site}/setup/rooms/999", "room-999", name="X").status_code == 404
    assert post_form(admin, f"/sites/{clinic.site}/setup/closures/not-a-day/remove", "reopen-x").status_code == 404
    assert admin.get("/sites/99999999999999999999/setup").status_code == 404


def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_written(admin, clinic, caplog):
    before = audited()
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        answer = admin.post(f"/sites/{clinic.site}/setup/closures", data={"closure-first": "2026-11-24"})
    assert answer.status_code == 400 and "CSRF" in caplog.text
    assert closed_days(clinic) == {} and audited() == before


def test_the_details_are_saved_and_audited(admin, clinic):
    answer = post_form(admin, f"/sites/{clinic.site}/setup/details", "site", name="Midtown East",
                       phone="+12125550100", esketamine_certified="y", limit_supervising_prescriber="3",
                       limit_monitoring_clinician="2", slot_minutes="30")
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/sites/{clinic.site}/setup#details")
    row = site(clinic)
    assert (row.name, row.phone, row.esketamine_certified) == ("Midtown East", "+12125550100", True)
    assert (row.slot_minutes, row.distinct_roles) == (30, False)  # the box left unticked
    assert {limit.role: limit.max_concurrent for limit in row.limits} == {"supervising_prescriber": 3,
                                                                           "monitoring_clinician": 2}
    assert "Saved the site&#39;s details." in admin.get(f"/sites/{clinic.site}/setup").data.decode()


def test_bad_details_are_shown_beside_their_fields_and_nothing_is_written(admin, clinic):
    before = audited()
    answer = post_form(admin, f"/sites/{clinic.site}/setup/details", "site", name="  ", phone="555-0100",
                       esketamine_certified="y", limit_supervising_prescriber="many", limit_monitoring_clinician="30",
                       slot_minutes="1")
    assert answer.status_code == 422
    assert error_beside(answer.data, "site-name")
    assert "E.164" in error_beside(answer.data, "site-phone")
    assert error_beside(answer.data, "site-limit_supervising_prescriber")
    assert "20" in error_beside(answer.data, "site-limit_monitoring_clinician")
    assert "5" in error_beside(answer.data, "site-slot_minutes")
    assert 'value="555-0100"' in answer.data.decode()  # as typed
    assert site(clinic).name == "Midtown" and audited() == before


def test_uncertifying_a_site_with_esketamine_booked_is_refused_naming_the_session(admin, clinic, clinic_clock):
    booked = book_dose(clinic, clinic_clock, kind="esketamine")
    answer = post_form(admin, f"/sites/{clinic.site}/setup/details", "site", name="Midtown", phone="",
                       distinct_roles="y", slot_minutes="15")
    assert answer.status_code == 409
    page = answer.data.decode()
    assert f'<a href="/sessions/{booked}">Session {booked} (Esketamine' in page
    assert site(clinic).esketamine_certified is True


def test_a_weekday_is_given_new_hours_or_closed_unless_a_booked_session_falls_outside(admin, clinic, clinic_clock):
    booked = book_dose(clinic, clinic_clock, hour=9)  # Monday 09:00-10:45
    refused = post_form(admin, f"/sites/{clinic.site}/setup/hours/0", "hours-0", opens="10:00", closes="18:00")
    assert refused.status_code == 409
    assert f'href="/sessions/{booked}">Session {booked} (IV ketamine infusion, Mon 23 Nov 2026 09:00' in \
        refused.data.decode()
    assert 'value="10:00"' in refused.data.decode()  # the form as typed, beside its refusal
    hours = {h.weekday: (h.opens, h.closes) for h in site(clinic).hours}
    assert hours[0] == (time(8), time(18))
    assert post_form(admin, f"/sites/{clinic.site}/setup/hours/0", "hours-0", opens="07:30",
                     closes="19:00").status_code == 303
    assert post_form(admin, f"/sites/{clinic.site}/setup/hours/2", "hours-2", opens="", closes="").status_code == 303
    assert post_form(admin, f"/sites/{clinic.site}/setup/hours/5", "hours-5", opens="09:00",
                     closes="13:00").status_code == 303
    hours = {h.weekday: (h.opens, h.closes) for h in site(clinic).hours}
    assert hours[0] == (time(7, 30), time(19)) and 2 not in hours and hours[5] == (time(9), time(13))


@pytest.mark.parametrize("opens, closes, field, words", [
    ("25:00", "18:00", "opens", "time of day"),
    ("09:00", "", "closes", "both times"),
    ("18:00", "09:00", "opens", "closes must be after opens"),
    ("nine", "18:00", "opens", "time of day"),
])
def test_bad_hours_are_shown_beside_the_weekday_and_nothing_is_written(admin, clinic, opens, closes, field, words):
    before = audited()
    answer = post_form(admin, f"/sites/{clinic.site}/setup/hours/1", "hours-1", opens=opens, closes=closes)
    assert answer.status_code == 422
    assert words in error_beside(answer.data, f"hours-1-{field}")
    assert audited() == before


def test_closing_a_day_with_a_session_booked_is_refused_naming_it_and_a_free_run_of_days_closes(
        admin, clinic, clinic_clock):
    booked = book_dose(clinic, clinic_clock, hour=13)
    before = audited()
    refused = post_form(admin, f"/sites/{clinic.site}/setup/closures", "closure", first="2026-11-23",
                        last="2026-11-24", reason="Flood")
    assert refused.status_code == 409
    page = refused.data.decode()
    assert f'href="/sessions/{booked}">Session {booked} (IV ketamine infusion, Mon 23 Nov 2026 13:00 at Midtown): ' \
           "The site is closed on Monday 23 Nov 2026." in page
    assert "times in America/New_York" in page
    assert closed_days(clinic) == {} and audited() == before
    done = post_form(admin, f"/sites/{clinic.site}/setup/closures", "closure", first="2026-11-24",
                     last="2026-11-26", reason="Thanksgiving week")
    assert done.status_code == 303
    assert closed_days(clinic) == {date(2026, 11, d): "Thanksgiving week" for d in (24, 25, 26)}
    assert audited() == before + 1


@pytest.mark.parametrize("fields, field, words", [
    ({"first": "2026-11-19"}, "first", "Days gone by"),
    ({"first": "2026-11-25", "last": "2026-11-24"}, "last", "before the first"),
    ({"first": "23/11/2026"}, "first", "date"),
    ({"first": ""}, "first", "required"),
    ({"first": "2026-11-24", "last": "2027-06-01"}, "last", "at most 92 days"),
    ({"first": "2026-11-24", "reason": "x" * 201}, "reason", "200"),
    ({"first": "2026-11-24", "reason": "bad\x00reason"}, "reason", "control characters"),
])
def test_bad_closures_are_shown_beside_their_fields_and_nothing_is_written(admin, clinic, fields, field, words):
    before = audited()
    answer = post_form(admin, f"/sites/{clinic.site}/setup/closures", "closure", **fields)
    assert answer.status_code == 422
    assert words in error_beside(answer.data, f"closure-{field}")
    assert closed_days(clinic) == {} and audited() == before


def test_a_day_closed_already_is_named_and_the_run_is_not_closed(admin, clinic):
    post_form(admin, f"/sites/{clinic.site}/setup/closures", "closure", first="2026-11-25", reason="Training")
    answer = post_form(admin, f"/sites/{clinic.site}/setup/closures", "closure", first="2026-11-24",
                       last="2026-11-26", reason="Flood")
    assert answer.status_code == 422
    assert "Already closed: Wed 25 Nov" in error_beside(answer.data, "closure-first")
    assert closed_days(clinic) == {date(2026, 11, 25): "Training"}


def test_a_closure_ahead_is_reworded_and_removed_and_one_gone_by_is_kept(admin, clinic):
    db.session.add(Closure(site_id=clinic.site, day=date(2026, 11, 2), reason="Storm"))  # in the past
    db.session.commit()
    post_form(admin, f"/sites/{clinic.site}/setup/closures", "closure", first="2026-11-25", reason="Trainng")
    assert post_form(admin, f"/sites/{clinic.site}/setup/closures/2026-11-25/reason", "closure-2026-11-25",
                     reason="Training").status_code == 303
    assert closed_days(clinic)[date(2026, 11, 25)] == "Training"
    reworded = audit("site.changed")[-1].details
    assert (reworded["before"]["closures"], reworded["after"]["closures"]) == (["2026-11-02: Storm",
                                                                              "2026-11-25: Trainng"],
                                                                             ["2026-11-02: Storm",
                                                                              "2026-11-25: Training"])
    assert post_form(admin, f"/sites/{clinic.site}/setup/closures/2026-11-25/remove",
                     "reopen-2026-11-25").status_code == 303
    kept = post_form(admin, f"/sites/{clinic.site}/setup/closures/2026-11-02/remove", "reopen-2026-11-02")
    assert kept.status_code == 422
    assert "A closure of today or a day gone by is history and cannot be removed." in refusal_box(kept)
    assert closed_days(clinic) == {date(2026, 11, 2): "Storm"}
    page = admin.get(f"/sites/{clinic.site}/setup").data.decode()
    assert "Closed before (history, kept)" in page and "Mon 02 Nov 2026 · Storm" in page


def test_a_day_not_closed_cannot_be_reopened(admin, clinic):
    answer = post_form(admin, f"/sites/{clinic.site}/setup/closures/2026-11-27/remove", "reopen-2026-11-27")
    assert answer.status_code == 422 and "Midtown is not closed on Fri 27 Nov 2026." in refusal_box(answer)


def test_the_page_names_the_sites_zone(admin, clinic):
    page = admin.get(f"/sites/{clinic.site}/setup").data.decode()
    assert "<strong>America/New_York</strong> (EST now)" in page
    assert 'aria-label="Monday opens"' in page and 'value="08:00"' in page


def test_a_site_with_sessions_ahead_is_not_taken_out_of_service_and_a_free_one_is_and_comes_back(
        admin, clinic, clinic_clock):
    booked = book_dose(clinic, clinic_clock)
    refused = post_form(admin, f"/sites/{clinic.site}/setup/deactivate", "site-active")
    assert refused.status_code == 409 and f'href="/sessions/{booked}"' in refused.data.decode()
    assert site(clinic).active is True
    cancel_session(booked, SYSTEM, clinic_clock, "the clinic moved it")
    assert post_form(admin, f"/sites/{clinic.site}/setup/deactivate", "site-active").status_code == 303
    assert site(clinic).active is False and site(clinic).deactivated_at is not None
    assert "out of service" in admin.get("/sites").data.decode()
    assert post_form(admin, f"/sites/{clinic.site}/setup/reactivate", "site-active").status_code == 303
    assert site(clinic).active is True


def test_every_form_on_the_page_carries_a_csrf_token(admin, clinic):
    page = admin.get(f"/sites/{clinic.site}/setup").data.decode()
    assert page.count("<form ") == page.count('csrf_token" type="hidden"') + 1  # + sign out's plain token
    assert csrf_from(page)


def test_a_site_is_added_with_its_zone_and_then_set_up_on_its_own_page(admin, clinic):
    answer = post_form(admin, "/sites", "new-site", page="/sites", name="Camden", timezone="Europe/London",
                       phone="+442079460000")
    assert answer.status_code == 303
    db.session.rollback()
    added = db.session.query(Site).filter_by(name="Camden").one()
    assert (added.timezone, added.phone, added.esketamine_certified, added.hours) == (
        "Europe/London", "+442079460000", False, [])
    assert answer.headers["Location"].endswith(f"/sites/{added.id}/setup")
    assert [e.entity_id for e in audit("site.created")] == [str(added.id)]


def test_a_bad_new_site_is_shown_beside_its_fields_and_nothing_is_written(admin, clinic):
    before = audited()
    answer = post_form(admin, "/sites", "new-site", page="/sites", name="Midtown", timezone="Mars/Olympus",
                       phone="12")
    assert answer.status_code == 422
    assert "IANA" in error_beside(answer.data, "new-site-timezone")
    assert "E.164" in error_beside(answer.data, "new-site-phone")
    taken = post_form(admin, "/sites", "new-site", page="/sites", name="Midtown", timezone="America/Chicago")
    assert taken.status_code == 422 and "already in use" in error_beside(taken.data, "new-site-name")
    assert audited() == before
