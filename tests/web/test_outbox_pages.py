"""The outbox pages: reception's list with its filters, one message as its recipient sees it, the admin's retry."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from planner.adapters.mail import SmtpTransport
from planner.db.models import OutboxEvent
from planner.domain.discretion import clinical_words_in
from planner.domain.sms_text import SMS_LIMIT
from planner.extensions import db
from planner.services.booking import cancel_session
from planner.services.couriers import OutboxCourier, postmark_from
from planner.services.delivery import send_due
from planner.services.outbox_view import PAGE
from tests.smtp_server import SmtpServer
from tests.web.clinic_messages import DESK, at, book_iv, make_reachable, outbox_rows, text_of
from tests.web.conftest import csrf_from


@pytest.fixture
def week(app, clinic, clinic_clock):
    """The small clinic reachable by mail and SMS; the clock on the Friday before MONDAY; no MAIL_SERVER."""
    assert not app.config["MAIL_SERVER"]
    make_reachable(clinic)
    return clinic


@pytest.fixture
def reception(signed_in):
    return signed_in("reception")


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


def send_in_app(app, moment):
    """The sender with no MAIL_SERVER and no SMS gateway: every due message is kept in the app."""
    return send_due(OutboxCourier(postmark_from(app.config)), lambda: moment, "test-sender")


def send_by_smtp(app, server, moment):
    """The sender with the server as its SMTP relay."""
    courier = OutboxCourier(postmark_from(app.config), SmtpTransport(server.host, server.port))
    return send_due(courier, lambda: moment, "test-sender")


def listed_states(response) -> list[str]:
    """The state badge of each row of the list, top to bottom."""
    return re.findall(r'class="badge outbox-\w+" data-testid="state">(\w+)<', response.data.decode())


def shown_in(response, name: str) -> str:
    """The text of the element with this data-testid, unescaped."""
    found = re.search(rf'data-testid="{name}">(.*?)</', response.data.decode(), re.DOTALL)
    assert found, f"no {name} on the page"
    return html.unescape(found.group(1))


def message_id(**where) -> int:
    (row,) = outbox_rows(**where)
    return row.id


# --- the list ---------------------------------------------------------------------------------


def test_after_a_booking_reception_sees_pending_invites_and_after_the_sender_runs_sent_kept_in_the_app(
        app, reception, week, clinic_clock):
    book_iv(week, clinic_clock)
    page = reception.get("/outbox")
    assert page.status_code == 200
    assert "No MAIL_SERVER is set" in text_of(page)
    assert sorted(listed_states(page)) == ["pending"] * 9  # 3 invites, 3 reminders by email and 3 by SMS
    invites = reception.get("/outbox?state=pending")
    assert text_of(invites).count(" Invite ") == 3 and text_of(invites).count(" Reminder 72 h before ") == 2

    report = send_in_app(app, clinic_clock)
    assert report.sent == 3  # the invites; the reminders are not due yet
    sent = reception.get("/outbox?state=sent")
    assert listed_states(sent) == ["sent"] * 3
    assert {"Patient MRN-1", "Dr Ada Kim", "Rosa Diaz"} <= set(re.findall(r"<td[^>]*>([^<]+?) <span", sent.data.decode()))
    one = reception.get(f"/outbox/{message_id(kind='invite', recipient_kind='patient')}")
    assert one.status_code == 200
    assert "kept in the app (no server set)" in text_of(one)


def test_the_list_filters_by_state_and_channel_together(app, reception, week, clinic_clock):
    book_iv(week, clinic_clock)
    send_in_app(app, clinic_clock)
    assert listed_states(reception.get("/outbox?channel=sms")) == ["pending"] * 3
    assert listed_states(reception.get("/outbox?state=pending&channel=email")) == ["pending"] * 3
    assert listed_states(reception.get("/outbox?state=sent&channel=sms")) == []
    assert "No messages match this filter." in text_of(reception.get("/outbox?state=failed"))
    # Empty values are "any", as the form sends them.
    assert len(listed_states(reception.get("/outbox?state=&channel="))) == 9


@pytest.mark.parametrize("query, field", [
    ("state=lost", "state"),
    ("state=SENT", "state"),
    ("state=sent'%20OR%201=1--", "state"),
    ("channel=fax", "channel"),
    ("channel=%00", "channel"),
    ("page=-1", "page"),
    ("page=abc", "page"),
    ("page=1.5", "page"),
    ("page=%C2%B2", "page"),          # a superscript two: a digit to str.isdigit, not to int()
    ("page=%D9%A3", "page"),          # an Arabic-Indic three
    ("page=99999999999999999999", "page"),
])
def test_a_bad_filter_is_a_422_naming_the_field_not_a_500(reception, week, query, field):
    response = reception.get(f"/outbox?{query}")
    assert response.status_code == 422
    assert re.findall(r"<strong>(\w+)</strong>:", response.data.decode()) == [field]


def test_a_page_beyond_the_last_is_an_empty_page_with_a_way_back(reception, week, clinic_clock):
    book_iv(week, clinic_clock)
    response = reception.get("/outbox?page=7&channel=sms")
    assert response.status_code == 200 and listed_states(response) == []
    assert "past the last one: 3 messages match this filter" in text_of(response)
    assert '<a class="button quiet" href="/outbox?channel=sms&amp;page=0">Newer</a>' in response.data.decode()
    assert "No messages match this filter." in text_of(reception.get("/outbox?page=7&state=failed"))


def test_the_list_pages_fifty_at_a_time_newest_first(reception, week, clinic_clock):
    for patient, (day, hour) in enumerate(((0, 9), (0, 11), (0, 13), (0, 15), (1, 9), (1, 11))):
        book_iv(week, clinic_clock, patient=patient, start=at(hour, day))
    total = len(outbox_rows())
    assert total > PAGE
    first, second = reception.get("/outbox"), reception.get("/outbox?page=1")
    assert len(listed_states(first)) == PAGE and len(listed_states(second)) == total - PAGE
    assert "Older" in text_of(first) and "Older" not in text_of(second)
    newest = max(m.id for m in outbox_rows())
    assert f'href="/outbox/{newest}"' in first.data.decode()


def test_a_clinician_may_not_open_the_outbox_and_a_stranger_is_sent_to_sign_in(client, signed_in, week, clinic_clock):
    book_iv(week, clinic_clock)
    clinician = signed_in("clinician")
    some = outbox_rows()[0].id
    assert clinician.get("/outbox").status_code == 403
    assert clinician.get(f"/outbox/{some}").status_code == 403
    anonymous = client.get("/outbox")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


# --- one message ------------------------------------------------------------------------------


def test_the_invite_page_shows_the_subject_and_body_the_patients_mail_server_received(app, reception, week,
                                                                                       clinic_clock):
    book_iv(week, clinic_clock)
    with SmtpServer() as server:
        send_by_smtp(app, server, clinic_clock)
        (mail,) = [m for m in server.received() if m.rcpt_tos == ["mrn-1@example.org"]]
    received = message_from_bytes(mail.data, policy=policy.default)
    page = reception.get(f"/outbox/{message_id(kind='invite', recipient_kind='patient')}")
    assert page.status_code == 200
    assert shown_in(page, "subject") == str(received["Subject"])
    mailed = received.get_body(("plain",)).get_content()
    assert shown_in(page, "email-body").strip() == mailed.replace("\r\n", "\n").strip()
    assert "BEGIN:VCALENDAR" in page.data.decode() and "METHOD:REQUEST" in page.data.decode()
    assert shown_in(page, "state") == "sent"
    history = text_of(page).split("History", 1)[1]
    assert re.search(r"pending queued .* sending claimed by test-sender .* sent sent by test-sender", history), history


def test_the_sms_page_shows_the_text_within_160_characters_and_nothing_clinical(app, reception, week, clinic_clock):
    session_id = book_iv(week, clinic_clock)
    send_in_app(app, at(9) - timedelta(hours=72) + timedelta(seconds=1))
    page = reception.get(f"/outbox/{message_id(session_id=session_id, channel='sms', kind='reminder-72h')}")
    assert page.status_code == 200
    text = shown_in(page, "sms-body")
    assert 20 < len(text) <= SMS_LIMIT
    assert f"SMS, {len(text)} characters" in text_of(page)
    assert "Mon 23 Nov" in text and "9:00 AM" in text
    assert not clinical_words_in(text)


def test_no_patient_message_page_shows_a_clinical_word_in_its_subject_or_sms(app, reception, week, clinic_clock):
    session_id = book_iv(week, clinic_clock)
    send_in_app(app, clinic_clock)
    cancel_session(session_id, DESK, clinic_clock + timedelta(minutes=5))  # a CANCEL for everyone who had the invite
    patient_messages = outbox_rows(recipient_kind="patient")
    kinds = {(m.kind, m.channel) for m in patient_messages}
    assert {("invite", "email"), ("cancel", "email"), ("reminder-72h", "email"), ("reminder-72h", "sms")} <= kinds
    for message in patient_messages:
        page = reception.get(f"/outbox/{message.id}")
        assert page.status_code == 200, (message.kind, message.channel)
        shown = shown_in(page, "sms-body" if message.channel == "sms" else "subject")
        assert shown and not clinical_words_in(shown), (message.kind, shown)
        if message.channel == "email":
            assert not clinical_words_in(shown_in(page, "email-body")), message.kind


@pytest.mark.parametrize("path", ["/outbox/999999", "/outbox/0", "/outbox/abc", "/outbox/99999999999999999999999"])
def test_an_unknown_message_is_404(reception, week, path):
    assert reception.get(path).status_code == 404


# --- retry ------------------------------------------------------------------------------------


@pytest.fixture
def failed(app, week, clinic_clock) -> int:
    """The patient's invite, refused for good by the mail server."""
    book_iv(week, clinic_clock)
    with SmtpServer(reply="550 5.1.1 no such mailbox") as refusing:
        report = send_by_smtp(app, refusing, clinic_clock)
    assert report.failed == 3
    return message_id(kind="invite", recipient_kind="patient")


def retry(client, message: int, with_token: bool = True):
    page = client.get(f"/outbox/{message}")
    data = {"csrf_token": csrf_from(page.data)} if with_token else {}
    return client.post(f"/outbox/{message}/retry", data=data)


def test_the_admin_retries_a_failed_message_and_it_is_back_in_line_with_its_history(admin, failed, clinic_clock):
    page = admin.get(f"/outbox/{failed}")
    assert "550 5.1.1 no such mailbox" in text_of(page) and "Retry this message" in text_of(page)
    response = retry(admin, failed)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/outbox/{failed}")
    (row,) = [m for m in outbox_rows() if m.id == failed]
    assert row.state == "pending" and row.due_at == clinic_clock
    after = admin.get(f"/outbox/{failed}")
    assert "back in line" in text_of(after)
    assert re.search(r"failed the server answered 550 .* pending retry asked by admin\d*@clinic\.example", text_of(after))


def test_reception_sees_no_retry_button_and_may_not_retry(reception, failed):
    page = reception.get(f"/outbox/{failed}")
    assert page.status_code == 200 and "Retry this message" not in text_of(page)
    response = reception.post(f"/outbox/{failed}/retry", data={"csrf_token": csrf_from(page.data)})
    assert response.status_code == 403
    assert outbox_rows(id=failed)[0].state == "failed"


def test_a_retry_without_its_csrf_token_is_refused_and_changes_nothing(admin, failed):
    assert retry(admin, failed, with_token=False).status_code == 400
    assert outbox_rows(id=failed)[0].state == "failed"


@pytest.mark.parametrize("state_of", ["sent", "pending", "dropped"])
def test_only_a_failed_message_can_be_retried_others_get_a_clear_409(app, admin, week, clinic_clock, state_of):
    session_id = book_iv(week, clinic_clock)
    send_in_app(app, clinic_clock)
    if state_of == "dropped":
        send_in_app(app, at(9) + timedelta(minutes=1))  # the session began: the rest is dropped
    kind = "invite" if state_of == "sent" else "reminder-24h"
    message = message_id(session_id=session_id, kind=kind, channel="email", recipient_kind="patient")
    assert outbox_rows(id=message)[0].state == state_of
    events_before = db.session.scalars(select(OutboxEvent.id).where(OutboxEvent.message_id == message)).all()
    db.session.rollback()
    response = retry(admin, message)
    assert response.status_code == 409
    lead = html.unescape(re.search(r'<p class="lead">(.*?)</p>', response.data.decode()).group(1))
    assert lead == f"Only a failed message can be retried; this one is {state_of}."
    assert outbox_rows(id=message)[0].state == state_of
    assert db.session.scalars(select(OutboxEvent.id).where(OutboxEvent.message_id == message)).all() == events_before
    db.session.rollback()


def test_retrying_an_unknown_message_is_404(admin, week):
    page = admin.get("/outbox")
    response = admin.post("/outbox/424242/retry", data={"csrf_token": csrf_from(page.data)})
    assert response.status_code == 404
