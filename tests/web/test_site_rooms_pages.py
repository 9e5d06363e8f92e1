"""The admin adds, edits and takes rooms out of service in the browser; a room a booked session needs stays as it is."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.db.models import Room
from planner.extensions import db
from tests import factories as f
from tests.web.site_pages import audited, book_dose, error_beside, post_form


@pytest.fixture
def admin(signed_in, clinic, clinic_clock):
    return signed_in("admin")


def room(room_id: int) -> Room:
    db.session.rollback()
    return db.session.get(Room, room_id)


def test_a_room_is_added_with_its_equipment_and_audited(admin, clinic):
    before = audited()
    answer = post_form(admin, f"/sites/{clinic.site}/setup/rooms", "room-new", name="Suite 4", kind="treatment_room",
                       capabilities=["pulse_oximeter", "telehealth"])
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#rooms")
    db.session.rollback()
    added = db.session.scalar(select(Room).where(Room.name == "Suite 4"))
    assert (added.site_id, added.kind, added.capabilities, added.active) == (
        clinic.site, "treatment_room", ["pulse_oximeter", "telehealth"], True)
    assert audited() == before + 1


@pytest.mark.parametrize("fields, field, words", [
    ({"name": "Chair 1", "kind": "infusion_chair"}, "name", "already in use"),
    ({"name": "", "kind": "infusion_chair"}, "name", "cannot be empty"),
    ({"name": "Sofa", "kind": "sofa"}, "kind", "infusion_chair"),
    ({"name": "Chair 9", "kind": "infusion_chair", "capabilities": ["x-ray"]}, "capabilities", "pulse_oximeter"),
])
def test_a_bad_new_room_is_shown_beside_its_fields_and_nothing_is_written(admin, clinic, fields, field, words):
    before = audited()
    answer = post_form(admin, f"/sites/{clinic.site}/setup/rooms", "room-new", **fields)
    assert answer.status_code == 422
    assert words in error_beside(answer.data, f"room-new-{field}")
    db.session.rollback()
    assert len(db.session.scalars(select(Room)).all()) == 4 and audited() == before


def test_equipment_a_booked_esketamine_dose_needs_is_not_taken_out_of_its_room_and_the_session_is_named(
        admin, clinic, clinic_clock):
    booked = book_dose(clinic, clinic_clock, kind="esketamine")
    chair = clinic.chairs[0]
    refused = post_form(admin, f"/sites/{clinic.site}/setup/rooms/{chair}", f"room-{chair}", name="Chair 1",
                        kind="infusion_chair", capabilities=["infusion_pump_monitor"])
    assert refused.status_code == 409
    assert f'href="/sessions/{booked}">Session {booked} (Esketamine' in refused.data.decode()
    assert room(chair).capabilities == ["infusion_pump_monitor", "pulse_oximeter"]
    renamed = post_form(admin, f"/sites/{clinic.site}/setup/rooms/{chair}", f"room-{chair}", name="Chair One",
                        kind="infusion_chair", capabilities=["infusion_pump_monitor", "pulse_oximeter"])
    assert renamed.status_code == 303 and renamed.headers["Location"].endswith(f"#room-{chair}")
    assert room(chair).name == "Chair One"


def test_a_bad_room_edit_is_shown_beside_its_field_and_nothing_is_written(admin, clinic):
    chair = clinic.chairs[1]
    answer = post_form(admin, f"/sites/{clinic.site}/setup/rooms/{chair}", f"room-{chair}", name="Chair 1",
                       kind="infusion_chair")
    assert answer.status_code == 422 and "already in use" in error_beside(answer.data, f"room-{chair}-name")
    assert room(chair).name == "Chair 2"


def test_a_room_booked_ahead_stays_in_service_and_a_free_one_is_taken_out_and_back(admin, clinic, clinic_clock):
    booked = book_dose(clinic, clinic_clock)
    busy, free = clinic.chairs[0], clinic.chairs[2]
    refused = post_form(admin, f"/sites/{clinic.site}/setup/rooms/{busy}/deactivate", f"room-active-{busy}")
    assert refused.status_code == 409 and f'href="/sessions/{booked}"' in refused.data.decode()
    assert room(busy).active is True
    assert post_form(admin, f"/sites/{clinic.site}/setup/rooms/{free}/deactivate",
                     f"room-active-{free}").status_code == 303
    assert room(free).active is False and room(free).deactivated_at is not None  # kept, with its date
    page = admin.get(f"/sites/{clinic.site}/setup").data.decode()
    assert "Bring back into service<span class=\"visually-hidden\">: Chair 3</span>" in page
    assert post_form(admin, f"/sites/{clinic.site}/setup/rooms/{free}/reactivate",
                     f"room-active-{free}").status_code == 303
    assert room(free).active is True


def test_a_room_of_another_site_is_404_from_this_sites_page(admin, clinic):
    other = f.make_site(name="Camden", timezone="Europe/London")
    elsewhere = f.make_room(other, name="Chair A")
    assert post_form(admin, f"/sites/{clinic.site}/setup/rooms/{elsewhere}", f"room-{elsewhere}",
                     name="Mine now", kind="infusion_chair").status_code == 404
    assert room(elsewhere).name == "Chair A"
