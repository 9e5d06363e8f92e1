"""SmtpTransport against a real SMTP server (aiosmtpd): batches on one connection, TLS, failures mapped."""

from __future__ import annotations

import ssl
import subprocess
import time
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser

import pytest

from planner.adapters.delivery import DeliveryFailed
from planner.adapters.mail import SmtpTransport, build_email
from planner.domain.wording import Wording
from tests.smtp_server import SmtpServer
from tests.unit.test_mail import vcalendar

SENT = datetime(2026, 11, 28, 14, 30, tzinfo=timezone.utc)
CLINIC = ("Harbour Wellness", "clinic@harbour.example")


def message(number: int, to: str = "ana@example.org", ics: bytes | None = None):
    wording = Wording(f"Your appointment at Harbour Wellness, number {number}", "Booked.", ("Booked.",))
    return build_email(sender=CLINIC, to=("Ana Lima", to), wording=wording, ics=ics, method="REQUEST" if ics else None,
                       message_id=f"outbox-{number}@planner.test", html_link=None, date=SENT)


def parsed(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command (no Python crypto package needed)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return str(cert), str(key)


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def trusting(certificate) -> ssl.SSLContext:
    """A client context that verifies the server as usual, trusting only the test certificate."""
    return ssl.create_default_context(cafile=certificate[0])


def test_three_messages_go_over_one_connection_and_arrive_with_their_envelope_and_bytes():
    ics = vcalendar("REQUEST")
    with SmtpServer() as server, SmtpTransport(server.host, server.port, local_hostname="planner.test") as smtp:
        for number in (1, 2, 3):
            smtp.send(message(number, to=f"patient{number}@example.org", ics=ics))
        received = server.received()
    assert [(m.mail_from, m.rcpt_tos) for m in received] == [
        ("clinic@harbour.example", [f"patient{n}@example.org"]) for n in (1, 2, 3)]
    assert len({m.peer for m in received}) == 1  # one connection for the batch
    for number, got in zip((1, 2, 3), received):
        mail = parsed(got.data)
        assert mail["Message-ID"] == f"<outbox-{number}@planner.test>"
        assert mail["Subject"] == f"Your appointment at Harbour Wellness, number {number}"
        calendar = next(part for part in mail.walk() if part.get_content_type() == "text/calendar")
        assert calendar.get_payload(decode=True) == ics and calendar.get_param("method") == "REQUEST"
        assert got.data.count(b"\r\n") > 10 and b"\r\r\n" not in got.data  # CRLF on the wire, once


def test_a_connection_the_server_closed_while_idle_is_reopened_once_and_the_message_still_goes():
    with SmtpServer(idle_timeout=0.3) as server, SmtpTransport(server.host, server.port) as smtp:
        smtp.send(message(1))
        time.sleep(0.8)  # the server hangs up on the idle connection, as real servers do
        smtp.send(message(2))
        received = server.received()
    assert [parsed(m.data)["Message-ID"] for m in received] == ["<outbox-1@planner.test>", "<outbox-2@planner.test>"]
    assert received[0].peer != received[1].peer


def test_a_connection_lost_after_the_message_was_handed_over_is_not_resent_but_left_to_the_outbox():
    with SmtpServer(drop_after_data=True) as server, SmtpTransport(server.host, server.port) as smtp:
        with pytest.raises(DeliveryFailed) as failed:
            smtp.send(message(1))
        assert len(server.received()) == 1  # the server may well have it: one copy, never two
    assert failed.value.permanent is False


@pytest.mark.parametrize("reply, permanent", [
    ("550 5.1.1 mailbox unavailable", True),
    ("554 5.7.1 rejected by policy", True),
    ("451 4.3.0 try again later", False),
    ("452 4.3.1 insufficient storage", False),
])
def test_a_5xx_reply_is_a_permanent_failure_and_a_4xx_a_temporary_one_and_the_connection_goes_on(reply, permanent):
    with SmtpServer(reply=reply) as server, SmtpTransport(server.host, server.port) as smtp:
        with pytest.raises(DeliveryFailed) as failed:
            smtp.send(message(1))
        server.reply = None
        smtp.send(message(2))
        received = server.received()
    assert failed.value.permanent is permanent and reply.split()[0] in failed.value.detail
    assert [parsed(m.data)["Message-ID"] for m in received] == ["<outbox-2@planner.test>"]


@pytest.mark.parametrize("rcpt_reply, permanent", [("550 5.1.1 no such user", True), ("450 4.2.1 busy", False)])
def test_a_refused_recipient_fails_by_the_same_rule(rcpt_reply, permanent):
    with SmtpServer(rcpt_reply=rcpt_reply) as server, SmtpTransport(server.host, server.port) as smtp:
        with pytest.raises(DeliveryFailed) as failed:
            smtp.send(message(1))
    assert failed.value.permanent is permanent and server.received() == []


def test_a_server_closing_on_a_recipient_fails_that_message_for_later_and_the_next_one_reconnects():
    with SmtpServer(rcpt_reply="421 4.3.2 shutting down") as server, SmtpTransport(server.host, server.port) as smtp:
        with pytest.raises(DeliveryFailed, match="421") as failed:
            smtp.send(message(1))
        server.rcpt_reply = None
        smtp.send(message(2))
        received = server.received()
    assert failed.value.permanent is False
    assert [parsed(m.data)["Message-ID"] for m in received] == ["<outbox-2@planner.test>"]


def test_starttls_encrypts_before_logging_in_and_sending(certificate):
    with SmtpServer(tls_context=server_context(certificate), require_starttls=True,
                    logins={"planner": "s3cret"}) as server:
        with SmtpTransport(server.host, server.port, "starttls", "planner", "s3cret",
                           ssl_context=trusting(certificate)) as smtp:
            smtp.send(message(1))
            smtp.send(message(2))
        received = server.received()
    assert [(m.tls, m.login) for m in received] == [(True, "planner"), (True, "planner")]
    assert received[0].peer == received[1].peer


def test_tls_from_the_first_byte_sends_encrypted(certificate):
    with SmtpServer(implicit_tls_context=server_context(certificate)) as server:
        with SmtpTransport(server.host, server.port, "tls", ssl_context=trusting(certificate)) as smtp:
            smtp.send(message(1))
        received = server.received()
    assert [m.tls for m in received] == [True]


def test_starttls_never_falls_back_to_plain_text_when_the_server_does_not_offer_it():
    with SmtpServer() as server:
        smtp = SmtpTransport(server.host, server.port, "starttls")
        with pytest.raises(DeliveryFailed, match="STARTTLS") as failed:
            smtp.send(message(1))
        assert server.received() == []
    assert failed.value.permanent is False


def test_a_server_certificate_the_client_does_not_trust_is_refused(certificate):
    with SmtpServer(tls_context=server_context(certificate)) as server:
        smtp = SmtpTransport(server.host, server.port, "starttls")  # the system's trust store only
        with pytest.raises(DeliveryFailed, match="CERTIFICATE_VERIFY_FAILED"):
            smtp.send(message(1))
        assert server.received() == []


def test_a_wrong_password_is_a_temporary_failure_of_the_settings_not_of_the_message(certificate):
    with SmtpServer(tls_context=server_context(certificate), logins={"planner": "s3cret"}) as server:
        smtp = SmtpTransport(server.host, server.port, "starttls", "planner", "wrong", ssl_context=trusting(certificate))
        with pytest.raises(DeliveryFailed, match="535") as failed:
            smtp.send(message(1))
        assert server.received() == []
    assert failed.value.permanent is False


def test_no_server_listening_is_a_temporary_failure():
    with SmtpServer() as server:
        port = server.port
    with pytest.raises(DeliveryFailed, match="cannot open SMTP") as failed:
        SmtpTransport("127.0.0.1", port, timeout=2).send(message(1))
    assert failed.value.permanent is False


def test_settings_that_cannot_work_are_refused_when_the_transport_is_made():
    with pytest.raises(ValueError, match="security"):
        SmtpTransport("localhost", 25, "ssl")
    with pytest.raises(ValueError, match="password"):
        SmtpTransport("localhost", 25, "starttls", username="planner")
