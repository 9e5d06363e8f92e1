"""SMS: the backend the outbox sends through, Twilio's REST API over urllib, and the inbound side
(Twilio's request signature, and the STOP and START words that opt a number out and back in).

No twilio package is needed: sending is one form-encoded POST with basic auth
(https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from typing import Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode, urlsplit, urlunsplit
from urllib.request import Request, urlopen

from planner.adapters.delivery import DeliveryFailed, RecipientOptedOut

# Twilio's own opt-out and opt-in words (its STOP filtering, which acts on these whether or not we
# do): matching the same list keeps our record of who opted out equal to what Twilio enforces.
# "CANCEL" is among them, so a patient who texts "cancel" stops getting texts; the patient's page,
# not an SMS reply, is how an appointment is cancelled.
STOP_WORDS = frozenset({"stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
START_WORDS = frozenset({"start", "unstop", "yes"})
UNSUBSCRIBED_RECIPIENT = 21610  # Twilio: "Attempt to send to unsubscribed recipient"


class SmsBackend(Protocol):
    """What the outbox needs of an SMS provider."""

    def send(self, to: str, body: str) -> str:
        """Send one text to an E.164 number; the provider's id for it, or DeliveryFailed."""
        ...


class TwilioSms:
    """Twilio's Messages API: one POST per text; from_number is a number or a Messaging Service SID (MG...)."""

    def __init__(self, account_sid: str, auth_token: str, from_number: str,
                 base_url: str = "https://api.twilio.com", timeout: float = 10):
        self.account_sid, self.auth_token, self.from_number = account_sid, auth_token, from_number
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    def send(self, to: str, body: str) -> str:
        """POST the text; Twilio's message SID, or DeliveryFailed (a 4xx permanent, a 5xx or 429 temporary)."""
        sender = "MessagingServiceSid" if self.from_number.startswith("MG") else "From"
        form = urlencode({"To": to, sender: self.from_number, "Body": body}).encode()
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = Request(f"{self.base_url}/2010-04-01/Accounts/{quote(self.account_sid, safe='')}/Messages.json",
                          data=form, method="POST",
                          headers={"Authorization": f"Basic {credentials}", "Accept": "application/json",
                                   "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except HTTPError as error:
            raise _refusal(error) from error
        except (URLError, OSError, ValueError) as error:  # no answer, a timeout, or not JSON
            raise DeliveryFailed(False, f"Twilio did not answer: {error}") from error
        if not answer.get("sid"):
            raise DeliveryFailed(False, f"Twilio answered without a message id: {answer}")
        return answer["sid"]


def _refusal(error: HTTPError) -> DeliveryFailed:
    """Twilio's error answer ({"code": 21211, "message": ...}) as a DeliveryFailed."""
    try:
        answer = json.loads(error.read() or b"{}")
    except ValueError:
        answer = {}
    finally:
        error.close()
    code, said = answer.get("code"), answer.get("message") or error.reason
    detail = f"Twilio {error.code}" + (f" (error {code})" if code else "") + f": {said}"
    if code == UNSUBSCRIBED_RECIPIENT:
        return RecipientOptedOut(detail)
    # 401/403 are our credentials and 429 is a rate limit: fix or wait, the text itself is fine.
    temporary = error.code >= 500 or error.code in (401, 403, 429)
    return DeliveryFailed(not temporary, detail)


def twilio_signature(url: str, params: Mapping[str, str] | Iterable[tuple[str, str]], auth_token: str) -> str:
    """The X-Twilio-Signature Twilio computes: HMAC-SHA1 of the URL and the sorted POST fields, base64."""
    pairs = params.items() if isinstance(params, Mapping) else params
    # Sorted by name then value, repeats once, as Twilio's own libraries sign them.
    payload = url + "".join(name + value for name, value in sorted(set(pairs)))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def valid_twilio_signature(url: str, params: Mapping[str, str] | Iterable[tuple[str, str]],
                           signature: str | None, auth_token: str) -> bool:
    """Whether an inbound webhook really came from Twilio (werkzeug: pass request.form.items(multi=True))."""
    if not signature:
        return False
    pairs = list(params.items() if isinstance(params, Mapping) else params)
    given = signature.encode("utf-8", "replace")
    # Twilio may sign the URL with or without its default port (a proxy in front changes which one
    # the app sees), so both are tried, as Twilio's libraries do. All are computed: no early exit.
    matches = [hmac.compare_digest(twilio_signature(candidate, pairs, auth_token).encode(), given)
               for candidate in {url, _with_port(url), _without_port(url)}]
    return any(matches)


def _without_port(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit(":", 1)[0])) if parts.port else url


def _with_port(url: str) -> str:
    parts = urlsplit(url)
    if parts.port or parts.scheme not in ("http", "https"):
        return url
    return urlunsplit(parts._replace(netloc=f"{parts.netloc}:{443 if parts.scheme == 'https' else 80}"))


def opt_out_word(body: str) -> str | None:
    """"stop" when an inbound text opts the number out, "start" when it opts back in, else None.

    Only a text that is the word alone counts ("Stop", " STOP. "), as with Twilio and the carriers:
    "stop by at 3?" or "cancel my Tuesday" is a message for reception, not an opt-out.
    """
    word = " ".join(body.strip().strip(".!").split()).lower()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    return None
