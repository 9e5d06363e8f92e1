"""What messages say: discreet subjects, titles, previews and SMS; times in the site's zone; preparation."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from planner.domain.clinic import DOSING_KINDS, ROUTES
from planner.domain.messages import CANCEL, INVITE, SessionFacts, reminder_kind
from planner.domain.protocol_library import DEFAULT_PROTOCOLS
from planner.domain.wording import (
    GSM7_BASIC,
    SMS_LIMIT,
    STOP_NOTICE,
    calendar_description,
    calendar_title,
    clinical_words_in,
    for_patient,
    for_staff,
    message_kind,
    preparation_for,
    short_time,
    sms,
)
from tests.unit.builders import LONDON, NEW_YORK, UTC

LINK = "https://planner.example/p/3q2-ZpX_9kLm"
KINDS = (INVITE, CANCEL, reminder_kind(72), reminder_kind(24), reminder_kind(2))
DEMO = json.loads((Path(__file__).parents[2] / "scenarios" / "demo-clinic.json").read_text())


def facts(**overrides) -> SessionFacts:
    """A dosing session on Tuesday 1 December 2026 at 9:00 in New York, as a message would carry it."""
    values = dict(session_id=7, sequence=0, start=datetime(2026, 12, 1, 14, tzinfo=UTC),
                  end=datetime(2026, 12, 1, 16, tzinfo=UTC), timezone=NEW_YORK, clinic_name="Harbour Wellness",
                  site_name="Camden", site_phone="+1 856 555 0142", room_name="Room 3")
    values.update(overrides)
    return SessionFacts(**values)


def for_kind(kind: str, **overrides) -> SessionFacts:
    """Facts fit for the kind: a cancellation's session is cancelled, a reminder's carries preparation."""
    if kind == CANCEL:
        overrides.setdefault("cancelled", True)
    elif kind.startswith("reminder"):
        overrides.setdefault("preparation", preparation_for("IV"))
    return facts(**overrides)


def everything_a_patient_sees(session: SessionFacts, kind: str) -> list[str]:
    words = for_patient(session, kind, LINK)
    return [words.subject, words.preview, words.plain_text(LINK), words.link_text, sms(session, kind, LINK),
            calendar_title(session, for_staff=False), calendar_description(session, for_staff=False, link=LINK)]


def what_anyone_may_glimpse(session: SessionFacts, kind: str) -> list[str]:
    """Subjects, previews and titles, patient's and staff's: lock screens and shared calendars."""
    staff = for_staff(session, kind)
    return [staff.subject, staff.preview, calendar_title(session, for_staff=True), sms(session, kind, LINK)]


# Names a clinic really types: long ones, and the demo clinic's rooms named for the drug or route.
NAMES = [
    pytest.param({}, id="plain-names"),
    pytest.param({"clinic_name": "The Greater Brooklyn Heights and Cobble Hill Centre for Wellbeing and Recovery",
                  "site_name": "Brooklyn Heights, 140 Remsen Street, Second Floor, Suite 210 (entrance on Clinton)"},
                 id="long-names"),
    pytest.param({"room_name": "Spravato Room A"}, id="room-named-for-the-brand"),
    pytest.param({"room_name": "KAP Suite"}, id="room-named-for-the-protocol"),
    pytest.param({"room_name": "Infusion Chair 2"}, id="room-named-for-the-route"),
    pytest.param({"clinic_name": "Brooklyn Ketamine Center", "site_name": "Ketamine Clinic Camden"},
                 id="clinic-and-site-named-for-the-drug"),
]


@pytest.mark.parametrize("zone", [NEW_YORK, LONDON])
@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("kind", KINDS)
def test_nothing_a_patient_or_a_passer_by_sees_names_the_drug_route_diagnosis_or_protocol(kind, names, zone):
    session = for_kind(kind, timezone=zone, **names)
    for text in everything_a_patient_sees(session, kind) + what_anyone_may_glimpse(session, kind):
        assert clinical_words_in(text) == set(), text


@pytest.mark.parametrize("kind", KINDS)
def test_staff_wording_is_as_discreet_as_a_patients_until_the_clinic_widens_it(kind):
    session = for_kind(kind, room_name="Spravato Room A")
    words = for_staff(session, kind)
    assert clinical_words_in(words.plain_text(None)) == set()
    assert clinical_words_in(calendar_description(session, for_staff=True)) == set()
    assert "Spravato" not in words.plain_text(None)


@pytest.mark.parametrize("kind", KINDS)
def test_widened_staff_wording_shows_the_detail_and_room_in_the_body_but_never_the_subject_or_title(kind):
    session = for_kind(kind, room_name="Spravato Room A", detail="Esketamine nasal spray, dose 3 of 8")
    words = for_staff(session, kind)
    assert "Session: Esketamine nasal spray, dose 3 of 8." in words.lines
    assert "Room: Spravato Room A." in words.lines
    assert "Esketamine nasal spray" in calendar_description(session, for_staff=True)
    for glimpsed in what_anyone_may_glimpse(session, kind):
        assert clinical_words_in(glimpsed) == set(), glimpsed


@pytest.mark.parametrize("text, found", [
    ("IV ketamine infusion", {"iv", "ketamine", "infusion"}),
    ("Esketamine nasal spray", {"esketamine", "nasal"}),
    ("SPRAVATO® twice weekly", {"spravato"}),
    ("Two boosters after the induction", {"booster", "induction"}),
    ("treatment-resistant depression", {"treatment-resistant", "depression"}),
    ("support for your mental\nhealth", {"mental health"}),
    ("Kétamine-assisted therapy", {"ketamine-assisted", "therapy"}),
    ("PTSD, anxiety and chronic pain", {"ptsd", "anxiety", "chronic pain"}),
])
def test_the_guard_finds_clinical_words_so_the_discretion_tests_can_fail(text, found):
    assert clinical_words_in(text) == found


@pytest.mark.parametrize("text", ["Ivy House", "Imperial Road", "pivotal", "Kapok Gardens", "Boost your day",
                                  "Do not drink alcohol", "Place: Camden."])
def test_the_guard_matches_whole_words_only(text):
    assert clinical_words_in(text) == set()


def test_every_dosing_type_protocol_and_drug_named_room_of_the_demo_clinic_is_caught_by_the_guard():
    dosing_types = [t["name"] for t in DEMO["session_types"] if t["kind"] in DOSING_KINDS]
    drug_rooms = ["Spravato Room A", "KAP Suite", "Infusion Chair 1"]
    protocols = [protocol.name for protocol in DEFAULT_PROTOCOLS]
    assert dosing_types and all(name in [r["name"] for r in DEMO["rooms"]] for name in drug_rooms)
    for name in dosing_types + drug_rooms + protocols:
        assert clinical_words_in(name), name


def test_a_clinic_named_for_its_drug_is_called_by_its_site_and_a_clinical_room_is_left_out():
    session = facts(clinic_name="Ketamine Wellness of Brooklyn", site_name="Camden", room_name="KAP Suite")
    words = for_patient(session, INVITE, LINK)
    assert words.subject == "Your appointment at Camden on Tue 1 Dec 9:00 AM EST"
    assert calendar_title(session, for_staff=False) == "Appointment at Camden"
    assert calendar_title(session, for_staff=True) == "Session at Camden"
    assert calendar_title(facts(), for_staff=True) == "Session at Camden (Room 3)"


@pytest.mark.parametrize("zone, start, shown", [
    pytest.param(NEW_YORK, datetime(2026, 3, 6, 14, tzinfo=UTC), "Fri 6 Mar 9:00 AM EST", id="new-york-before-spring"),
    pytest.param(NEW_YORK, datetime(2026, 3, 9, 13, tzinfo=UTC), "Mon 9 Mar 9:00 AM EDT", id="new-york-after-spring"),
    pytest.param(NEW_YORK, datetime(2026, 11, 2, 14, tzinfo=UTC), "Mon 2 Nov 9:00 AM EST", id="new-york-after-fall"),
    pytest.param(LONDON, datetime(2026, 3, 27, 9, tzinfo=UTC), "Fri 27 Mar 9:00 AM GMT", id="london-before-spring"),
    pytest.param(LONDON, datetime(2026, 3, 30, 8, tzinfo=UTC), "Mon 30 Mar 9:00 AM BST", id="london-after-spring"),
    pytest.param(LONDON, datetime(2026, 10, 26, 13, 30, tzinfo=UTC), "Mon 26 Oct 1:30 PM GMT", id="london-after-fall"),
])
@pytest.mark.parametrize("kind", KINDS)
def test_the_time_is_the_sites_wall_time_with_its_zone_across_clock_changes(kind, zone, start, shown):
    session = for_kind(kind, timezone=zone, start=start, end=start + timedelta(hours=2))
    assert short_time(session) == shown
    assert for_patient(session, kind, LINK).subject.endswith(f"on {shown}")
    assert for_staff(session, kind).subject.endswith(f"on {shown}")
    assert shown in sms(session, kind, LINK)


def test_the_body_gives_the_whole_date_and_when_it_ends_for_the_ride_home():
    words = for_patient(facts(), INVITE, LINK)
    assert words.preview == words.lines[0] == (
        "Your appointment at Harbour Wellness is booked for Tuesday 1 December 2026, 9:00 AM to 11:00 AM EST.")
    assert words.plain_text(LINK).startswith(words.preview)
    assert "Questions or changes: call +1 856 555 0142." in words.lines


def test_a_changed_session_is_sent_as_updated_and_a_new_one_is_not():
    assert for_patient(facts(sequence=0), INVITE, LINK).subject.startswith("Your appointment")
    assert for_patient(facts(sequence=2), INVITE, LINK).subject.startswith("Updated: your appointment")
    assert for_staff(facts(sequence=1), INVITE).subject.startswith("Updated: session")
    assert "appointment updated, now Tue 1 Dec 9:00 AM EST" in sms(facts(sequence=1), INVITE, LINK)


def test_staff_taken_off_a_session_that_goes_on_are_told_they_were_removed_not_that_it_was_cancelled():
    removed = for_staff(facts(sequence=3), CANCEL)
    cancelled = for_staff(facts(sequence=3, cancelled=True), CANCEL)
    assert removed.subject.startswith("Removed: session at Camden")
    assert cancelled.subject.startswith("Cancelled: session at Camden")


@pytest.mark.parametrize("kind", [reminder_kind(72), reminder_kind(24)])
def test_a_patients_reminder_carries_the_preparation_and_an_invite_or_a_staff_reminder_does_not(kind):
    session = facts(preparation=preparation_for("intranasal"))
    reminder = for_patient(session, kind, LINK)
    assert reminder.preparation == preparation_for("intranasal")
    assert "How to prepare:\n- Do not eat for 2 hours before your appointment." in reminder.plain_text(LINK)
    assert for_patient(session, INVITE, LINK).preparation == ()
    assert for_staff(session, kind).preparation == ()


def test_without_a_link_the_patient_email_offers_none():
    words = for_patient(facts(), INVITE, None)
    assert words.link_text == "" and "http" not in words.plain_text(None)


@pytest.mark.parametrize("kind", ["reminder", "reminder-h", "reminder-72", "reminder-0h", "update", ""])
def test_an_unknown_kind_is_refused(kind):
    with pytest.raises(ValueError):
        message_kind(kind)


def test_a_cancelled_session_is_told_only_with_a_cancellation():
    with pytest.raises(ValueError, match="cancellation"):
        for_patient(facts(cancelled=True), reminder_kind(24), LINK)
    assert message_kind(reminder_kind(72)) == "reminder"


# --- preparation ----------------------------------------------------------------------------------

def test_every_route_has_its_preparation_and_only_a_session_without_a_drug_has_none():
    assert {route: bool(preparation_for(route)) for route in ROUTES} == {
        "IV": True, "IM": True, "intranasal": True, "sublingual": True, "none": False}


@pytest.mark.parametrize("route", ["IV", "IM", "sublingual"])
def test_ketamine_preparation_is_six_hours_without_solid_food_and_clear_liquids_until_two_hours(route):
    lines = preparation_for(route)
    assert "Do not eat solid food for 6 hours before your appointment." in lines
    assert any(line.startswith("You may drink clear liquids") and "until 2 hours before" in line for line in lines)


def test_esketamine_preparation_is_two_hours_without_food_thirty_minutes_without_drink_and_the_nose_spray_hour():
    lines = preparation_for("intranasal")
    assert lines[:2] == ("Do not eat for 2 hours before your appointment.",
                         "Do not drink anything for 30 minutes before your appointment.")
    assert "at least 1 hour before" in lines[2] and "decongestant" in lines[2]


@pytest.mark.parametrize("route", ["IV", "IM", "sublingual", "intranasal"])
def test_every_dose_asks_for_no_alcohol_a_driver_home_and_no_driving_until_after_sleep_in_plain_words(route):
    lines = preparation_for(route)
    assert lines[-3:] == ("Do not drink alcohol for 24 hours before your appointment.",
                          "A responsible adult must take you home afterwards.",
                          "Do not drive until the next day, after a night's sleep.")
    assert clinical_words_in(" ".join(lines)) == set()


def test_an_unknown_route_is_refused_rather_than_sending_a_reminder_without_fasting_rules():
    with pytest.raises(ValueError, match="route 'IN'"):
        preparation_for("IN")


# --- SMS --------------------------------------------------------------------------------------------

def test_an_sms_that_fits_carries_clinic_time_place_phone_link_and_the_stop_notice():
    text = sms(facts(clinic_name="Harbour", site_name="Camden", room_name=None), reminder_kind(24),
               "https://p.example/s/Ab3")
    assert text == ("Harbour: reminder of your appointment Tue 1 Dec 9:00 AM EST at Camden. Call +1 856 555 0142.\n"
                    "https://p.example/s/Ab3\n" + STOP_NOTICE)


def test_a_long_sms_drops_the_room_first_then_shortens_the_site_then_the_stop_notice():
    session = facts(clinic_name="Harbour", site_name="Camden Riverside Medical Arts Building", room_name="Room 3")
    link = "https://p.example/s/" + "x" * 20
    text = sms(session, INVITE, link)
    assert "Room 3" not in text and STOP_NOTICE in text and "at Camden Riverside." in text
    longer = sms(session, INVITE, link + "y" * 20)
    assert STOP_NOTICE not in longer and link + "y" * 20 in longer and "Tue 1 Dec 9:00 AM EST" in longer


def test_typography_in_names_is_made_plain_so_the_sms_stays_one_gsm_segment():
    text = sms(facts(clinic_name="St Mary\u2019s \u2014 Wellbeing", site_name="Fa\u00e7ade House"), INVITE, LINK)
    assert text.startswith("St Mary's - Wellbeing: appointment booked")
    assert "at Facade House" in text
    assert set(text) <= GSM7_BASIC


def test_a_link_too_long_for_one_sms_or_outside_gsm_7_is_refused_not_cut():
    with pytest.raises(ValueError, match="no room"):
        sms(facts(), INVITE, "https://p.example/" + "x" * 140)
    with pytest.raises(ValueError, match="GSM-7"):
        sms(facts(), INVITE, "https://p.example/~anna")


def test_an_sms_cancellation_names_no_place_and_keeps_the_time():
    text = sms(replace(facts(), cancelled=True), CANCEL, LINK)
    assert text.startswith("Harbour Wellness: appointment on Tue 1 Dec 9:00 AM EST is cancelled.")
    assert len(text) <= SMS_LIMIT
