"""Property tests: for any names, phones, times and zones, an SMS is one GSM-7 segment and nothing is clinical."""

from __future__ import annotations

import string
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.domain.messages import CANCEL, INVITE, SessionFacts, reminder_kind
from planner.domain.wording import (
    GSM7_BASIC,
    SMS_LIMIT,
    calendar_title,
    clinical_words_in,
    for_patient,
    for_staff,
    preparation_for,
    short_time,
    sms,
)
from tests.unit.builders import LONDON, NEW_YORK, UTC

PROPERTY_SETTINGS = settings(max_examples=400, deadline=None, database=None, derandomize=True)

# Real names next to random text: long ones, typographic ones, ones in other scripts, clinical ones.
REAL_NAMES = ["Camden", "Brooklyn Heights", "Spravato Room A", "KAP Suite", "Infusion Chair 1",
              "Brooklyn Ketamine & Wellness Center of Greater New York", "St Mary\u2019s \u2014 East Wing",
              "Clinique Sainte-C\u00e9cile", "\u6771\u4eac\u30af\u30ea\u30cb\u30c3\u30af", "Caf\u00e9 \u00c7a Va",
              "The Greater Brooklyn Heights and Cobble Hill Centre for Wellbeing and Recovery, Suite 210"]
names = st.one_of(st.sampled_from(REAL_NAMES), st.text(min_size=1, max_size=90))
phones = st.one_of(st.none(), st.from_regex(r"\+?[0-9][0-9 ()-]{6,18}", fullmatch=True), st.text(max_size=30))
zones = st.sampled_from([NEW_YORK, LONDON, "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo", "UTC"])
starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2031, 12, 31), timezones=st.just(UTC))
links = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=8, max_size=80).map(
    lambda token: f"https://planner.example/p/{token}")
kinds = st.sampled_from([INVITE, CANCEL, reminder_kind(72), reminder_kind(24), reminder_kind(2)])


@st.composite
def sessions(draw) -> tuple[SessionFacts, str]:
    kind = draw(kinds)
    start = draw(starts)
    session = SessionFacts(
        session_id=1, sequence=draw(st.integers(0, 9)), start=start,
        end=start + timedelta(minutes=draw(st.integers(15, 240))), timezone=draw(zones),
        clinic_name=draw(names), site_name=draw(names), site_phone=draw(phones),
        room_name=draw(st.one_of(st.none(), names)), cancelled=kind == CANCEL,
        preparation=preparation_for(draw(st.sampled_from(["IV", "intranasal"]))) if kind.startswith("reminder") else (),
    )
    return session, kind


@PROPERTY_SETTINGS
@given(sessions(), links)
def test_every_sms_is_one_gsm_7_segment_with_the_time_and_the_whole_link(session_and_kind, link):
    session, kind = session_and_kind
    text = sms(session, kind, link)
    assert len(text) <= SMS_LIMIT
    assert set(text) <= GSM7_BASIC, set(text) - GSM7_BASIC
    assert short_time(session) in text
    assert link in text.split("\n")


@PROPERTY_SETTINGS
@given(sessions(), links)
def test_no_name_a_clinic_can_type_makes_a_subject_title_preview_or_sms_clinical(session_and_kind, link):
    session, kind = session_and_kind
    patient, staff = for_patient(session, kind, link), for_staff(session, kind)
    for text in (patient.subject, patient.preview, patient.plain_text(link), staff.subject, staff.preview,
                 calendar_title(session, for_staff=False), calendar_title(session, for_staff=True),
                 sms(session, kind, link)):
        # The link is a random token; "-IV-" in one is no word anyone reads.
        assert clinical_words_in(text.replace(link, "")) == set(), text
