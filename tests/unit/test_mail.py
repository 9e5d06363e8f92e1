"""The email as a mail client parses it back: parts, types, the method parameter, the attachment, headers."""

from __future__ import annotations

from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser

import pytest

from planner.adapters.mail import build_email, calendar_method, html_body
from planner.domain.wording import Wording

SENT = datetime(2026, 11, 28, 14, 30, tzinfo=timezone.utc)
LINK = "https://planner.example/p/3q2-ZpX_9kLm?x=1&y=2"
WORDING = Wording(
    subject="Reminder: your appointment at Harbour Wellness on Tue 1 Dec 9:00 AM EST",
    preview="A reminder of your appointment at Harbour Wellness on Tuesday 1 December 2026, 9:00 AM to 11:00 AM EST.",
    lines=("A reminder of your appointment at Harbour Wellness on Tuesday 1 December 2026, 9:00 AM to 11:00 AM EST.",
           "Place: Camden <North> & \"Annex\"."),
    preparation=("Do not eat for 2 hours before your appointment.",),
    link_text="Confirm, cancel or ask for another time",
)


def vcalendar(method: str, summary: str = "Appointment at Harbour Wellness") -> bytes:
    """A small hand-written iTIP object, CRLF lines as RFC 5545 wants, one line long enough to fold."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//planner//test//EN", f"METHOD:{method}", "BEGIN:VEVENT",
             "UID:session-7@planner.example", "SEQUENCE:2", "DTSTAMP:20261128T143000Z",
             "DTSTART:20261201T140000Z", "DTEND:20261201T160000Z", f"SUMMARY:{summary}",
             "DESCRIPTION:Questions or changes: call +1 856 555 0142. Confirm\\, cancel or ask f",
             " or another time.", "ORGANIZER;CN=Harbour Wellness:mailto:clinic@harbour.example",
             "ATTENDEE;CN=Ana Lima;RSVP=TRUE:mailto:ana@example.org", "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode()


def built(ics: bytes | None = None, method: str | None = None, link: str | None = LINK, wording=WORDING):
    message = build_email(sender=("Harbour Wellness", "clinic@harbour.example"), to=("Ana Lima", "ana@example.org"),
                          wording=wording, ics=ics, method=method, message_id="outbox-41.session-7.invite.v2@planner",
                          html_link=link, date=SENT)
    return BytesParser(policy=policy.default).parsebytes(message.as_bytes())


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_an_invite_is_mixed_with_text_html_and_calendar_alternatives_then_the_same_calendar_attached(method):
    ics = vcalendar(method)
    parsed = built(ics, method)
    # Written as Google Calendar and Exchange write it: the method a bare token.
    assert f'Content-Type: text/calendar; charset="UTF-8"; method={method}\n'.encode() in parsed.as_bytes()
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html, calendar = alternative.iter_parts()
    assert [plain.get_content_type(), html.get_content_type(), calendar.get_content_type()] == [
        "text/plain", "text/html", "text/calendar"]
    assert calendar["Content-Type"].params == {"method": method, "charset": "UTF-8"}
    assert calendar.get_payload(decode=True) == ics
    assert calendar_method(calendar.get_payload(decode=True)) == calendar.get_param("method") == method
    assert calendar.get_content_disposition() is None  # inline: the part a mail client acts on
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment" and attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == ics


def test_the_headers_carry_the_discreet_subject_the_stable_message_id_and_say_a_machine_sent_it():
    message = build_email(sender=("Harbour Wellness", "clinic@harbour.example"), to=("Ana Lima", "ana@example.org"),
                          wording=WORDING, ics=None, method=None, message_id="<m1@planner>", html_link=None, date=SENT)
    # A subject that fits a line of its own stays on the header's line (no leading space for readers to keep).
    assert f"Subject: {WORDING.subject}\n".encode() in message.as_bytes()
    assert message["Message-ID"] == "<m1@planner>"
    parsed = built(vcalendar("REQUEST"), "REQUEST")
    assert parsed["Subject"] == WORDING.subject
    assert parsed["Message-ID"] == "<outbox-41.session-7.invite.v2@planner>"
    assert parsed["From"] == "Harbour Wellness <clinic@harbour.example>"
    assert parsed["To"] == "Ana Lima <ana@example.org>"
    assert parsed["Date"].datetime == SENT
    assert parsed["Auto-Submitted"] == "auto-generated"


def test_the_same_outbox_row_built_twice_is_the_same_message_id_so_a_retry_is_a_duplicate_mailboxes_drop():
    assert built()["Message-ID"] == built()["Message-ID"]


def test_the_plain_and_html_bodies_say_the_same_words_with_the_html_escaped_and_the_link_whole():
    alternative, = built().iter_parts()
    plain, html = alternative.iter_parts()
    text, markup = plain.get_content(), html.get_content()
    assert text.startswith(WORDING.preview)
    assert "How to prepare:\n- Do not eat for 2 hours" in text and text.rstrip().endswith(LINK)
    assert "<p>Place: Camden &lt;North&gt; &amp; &quot;Annex&quot;.</p>" in markup
    assert f'<a href="{LINK.replace("&", "&amp;")}">Confirm, cancel or ask for another time</a>' in markup
    assert '<html lang="en">' in markup and "<li>Do not eat for 2 hours before your appointment.</li>" in markup
    assert markup.index(WORDING.preview) < markup.index("Place:")  # the preview is the first thing shown


def test_a_reminder_without_a_calendar_has_only_the_text_and_html_alternatives():
    parsed = built()
    assert parsed.get_content_type() == "multipart/mixed"
    [alternative] = parsed.iter_parts()
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]


def test_non_ascii_words_travel_seven_bit_safe_and_come_back_intact():
    wording = Wording("Rappel : votre rendez-vous à Clinique Sainte-Cécile", "Séance à 9 h.", ("Séance à 9 h.",))
    message = build_email(sender=("Clinique Sainte-Cécile", "c@example.org"), to=("Zoë", "z@example.org"),
                          wording=wording, ics=None, method=None, message_id="m1@planner", html_link=None, date=SENT)
    raw = message.as_bytes()
    assert max(raw) < 128  # no 8-bit bytes: a relay without 8BITMIME passes it on unchanged
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["Subject"] == wording.subject
    assert parsed.get_body(("plain",)).get_content().startswith("Séance à 9 h.")
    assert parsed["From"].addresses[0].display_name == "Clinique Sainte-Cécile"


@pytest.mark.parametrize("ics, method", [
    (vcalendar("REQUEST"), "CANCEL"),
    (vcalendar("CANCEL"), "REQUEST"),
    (vcalendar("PUBLISH"), "PUBLISH"),
    (vcalendar("REQUEST"), None),
    (vcalendar("REQUEST").replace(b"METHOD:REQUEST\r\n", b""), "REQUEST"),
    (None, "REQUEST"),
])
def test_a_part_whose_method_differs_from_the_calendars_is_refused(ics, method):
    with pytest.raises(ValueError):
        built(ics, method)


def test_a_link_that_is_not_http_is_refused():
    with pytest.raises(ValueError, match="http"):
        built(link="javascript:alert(1)")


def test_the_html_body_without_a_link_has_no_anchor():
    assert "<a " not in html_body(WORDING, None)


def test_a_message_is_the_same_bytes_whether_header_classes_are_made_once_or_for_every_header(monkeypatch):
    import re
    from dataclasses import replace

    import planner.adapters.mail as mail

    def flattened() -> bytes:
        raw = built(vcalendar("REQUEST"), "REQUEST", wording=replace(WORDING, subject="Rappel: café à 9:00"))
        # MIME boundaries are random; everything else must match byte for byte.
        return re.sub(rb"=+\d+==", b"BOUNDARY", raw.as_bytes())

    reused = flattened()
    monkeypatch.setattr(mail, "POLICY", mail._Policy(cte_type="7bit"))  # the standard library's registry
    assert flattened() == reused
    registry = mail._Headers()
    assert registry["Subject"] is registry["subject"] and registry["To"] is not registry["Subject"]


def test_headers_parsed_once_serve_later_messages_and_every_message_keeps_the_bytes_of_a_fresh_parse(monkeypatch):
    import re
    from dataclasses import replace

    import planner.adapters.mail as mail

    def raw(to: tuple[str, str], subject: str) -> bytes:
        message = mail.build_email(sender=("Harbour Wellness", "clinic@harbour.example"), to=to,
                                   wording=replace(WORDING, subject=subject), ics=vcalendar("REQUEST"),
                                   method="REQUEST", message_id="outbox-41.session-7.invite.v2@planner",
                                   html_link=LINK, date=SENT)
        return re.sub(rb"=+\d+==", b"BOUNDARY", message.as_bytes())

    people = [(("Ana Lima", "ana@example.org"), "Rappel: café à 9:00"),
              (("Zoë O'Brien, MD", "zoe@example.org"), "Reminder: Tue 1 Dec 9:00 AM EST"),
              (("Ana Lima", "ana@example.org"), "Rappel: café à 9:00")]
    monkeypatch.setattr(mail, "POLICY", mail._Policy(cte_type="7bit", header_factory=mail._Headers()))
    kept = [raw(*person) for person in people]  # the third is built from headers the first parsed
    monkeypatch.setattr(mail, "POLICY", mail._Policy(cte_type="7bit"))  # the standard library's, nothing kept
    assert kept == [raw(*person) for person in people]
    assert b"To: =?utf-8?q?Zo=C3=AB_O=27Brien=2C?= MD <zoe@example.org>" in kept[1]
    assert b"To: Ana Lima <ana@example.org>" in kept[2]
    registry = mail._Headers()
    sender = mail.Address("Harbour Wellness", addr_spec="clinic@harbour.example")
    assert registry("From", sender) is registry("From", str(sender))
    assert registry("To", "ana@example.org") is not registry("To", "zoe@example.org")
