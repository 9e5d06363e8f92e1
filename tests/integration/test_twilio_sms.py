"""TwilioSms against a local HTTP server standing in for api.twilio.com: the request it makes, the errors it maps."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from planner.adapters.delivery import DeliveryFailed, RecipientOptedOut
from planner.adapters.sms import TwilioSms

SID, TOKEN = "AC0123456789abcdef0123456789abcdef", "auth-token-for-tests"


class FakeTwilio:
    """What the fake API received, and what it answers next (status, JSON)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answer: tuple[int, dict] = (201, {"sid": "SM0001", "status": "queued"})


@contextmanager
def fake_twilio() -> Iterator[tuple[FakeTwilio, str]]:
    fake = FakeTwilio()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            fake.requests.append({"path": self.path, "authorization": self.headers["Authorization"],
                                  "content_type": self.headers["Content-Type"],
                                  "form": parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)})
            status, body = fake.answer
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_a_text_is_one_form_post_to_the_messages_resource_with_basic_auth_and_returns_twilios_id():
    body = "Harbour: reminder of your appointment Tue 1 Dec 9:00 AM EST.\nhttps://p.example/s/Ab3\nReply STOP to opt out"
    with fake_twilio() as (fake, url):
        sid = TwilioSms(SID, TOKEN, "+15005550006", base_url=url).send("+15551230000", body)
    [request] = fake.requests
    assert sid == "SM0001"
    assert request["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request["authorization"] == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert request["form"] == {"To": ["+15551230000"], "From": ["+15005550006"], "Body": [body]}


def test_a_messaging_service_sends_as_the_service_not_as_a_number():
    with fake_twilio() as (fake, url):
        TwilioSms(SID, TOKEN, "MG0123456789abcdef0123456789abcdef", base_url=url).send("+15551230000", "Hi")
    assert fake.requests[0]["form"]["MessagingServiceSid"] == ["MG0123456789abcdef0123456789abcdef"]
    assert "From" not in fake.requests[0]["form"]


@pytest.mark.parametrize("status, answer, permanent", [
    (400, {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}, True),
    (400, {"code": 21602, "message": "Message body is required.", "status": 400}, True),
    (429, {"code": 20429, "message": "Too Many Requests", "status": 429}, False),
    (401, {"code": 20003, "message": "Authenticate", "status": 401}, False),
    (500, {"code": 20500, "message": "Internal Server Error", "status": 500}, False),
    (503, {}, False),
])
def test_twilio_refusals_are_permanent_for_the_text_and_temporary_for_the_service_or_our_settings(
        status, answer, permanent):
    with fake_twilio() as (fake, url):
        fake.answer = (status, answer)
        with pytest.raises(DeliveryFailed) as failed:
            TwilioSms(SID, TOKEN, "+15005550006", base_url=url).send("+15551230000", "Hi")
    assert failed.value.permanent is permanent
    assert f"Twilio {status}" in failed.value.detail and str(answer.get("code", "")) in failed.value.detail


def test_a_number_that_replied_stop_to_twilio_is_reported_as_opted_out_so_the_outbox_records_it():
    with fake_twilio() as (fake, url):
        fake.answer = (400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400})
        with pytest.raises(RecipientOptedOut) as failed:
            TwilioSms(SID, TOKEN, "+15005550006", base_url=url).send("+15551230000", "Hi")
    assert failed.value.permanent is True


def test_an_answer_without_a_message_id_is_not_taken_as_sent():
    with fake_twilio() as (fake, url):
        fake.answer = (201, {"status": "queued"})
        with pytest.raises(DeliveryFailed, match="without a message id") as failed:
            TwilioSms(SID, TOKEN, "+15005550006", base_url=url).send("+15551230000", "Hi")
    assert failed.value.permanent is False


def test_no_answer_at_all_is_a_temporary_failure():
    with fake_twilio() as (_, url):
        pass  # the server is gone: its port refuses connections
    with pytest.raises(DeliveryFailed, match="did not answer") as failed:
        TwilioSms(SID, TOKEN, "+15005550006", base_url=url, timeout=2).send("+15551230000", "Hi")
    assert failed.value.permanent is False
