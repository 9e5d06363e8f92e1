"""The courier the sender uses: renders each message and hands it to SMTP, Twilio, or keeps it in the app."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from planner.adapters.mail import SmtpTransport
from planner.adapters.sms import TwilioSms
from planner.db.uow import unit_of_work
from planner.domain.messages import EMAIL
from planner.services.notices import telling
from planner.services.outbox_claims import Claimed
from planner.services.rendering import Postmark, render

KEPT = "kept in the app"


class OutboxCourier:
    """Delivers claimed messages by their channel; a channel with no backend keeps them in the app."""

    def __init__(self, postmark: Postmark, mail: SmtpTransport | None = None, sms: TwilioSms | None = None):
        self.postmark, self.mail, self.sms = postmark, mail, sms

    def deliver(self, message: Claimed, now: datetime) -> str:
        """Render and send one message; its provider id, or KEPT when no backend is set for the channel."""
        rendered = render(self.postmark, recipient_kind=message.recipient_kind, name=message.recipient_name,
                          channel=message.channel, address=message.address, kind=message.kind, facts=message.facts,
                          message_key=message.dedupe_key, version=message.session_version, now=now)
        if message.channel == EMAIL:
            if self.mail is None:
                return KEPT
            self.mail.send(rendered.email)
            return rendered.email["Message-ID"]
        if self.sms is None:
            return KEPT
        return self.sms.send(message.address, rendered.sms)

    def close(self) -> None:
        """Close the SMTP connection the batch reused."""
        if self.mail is not None:
            self.mail.close()


def postmark_from(config: Mapping) -> Postmark:
    """Sender (the clinic's name as set, the MAIL_FROM address), link base, UID domain and link secret."""
    with unit_of_work(write=False) as session:
        name = telling(session).clinic_name
    return Postmark((name, config["MAIL_FROM"]), config["PUBLIC_URL"], config["CALENDAR_UID_DOMAIN"],
                    config["SECRET_KEY"])


def courier_from(config: Mapping, postmark: Postmark | None = None) -> OutboxCourier:
    """The courier the settings ask for: SMTP when MAIL_SERVER is set, Twilio when its three settings are."""
    mail = sms = None
    if config.get("MAIL_SERVER"):
        mail = SmtpTransport(config["MAIL_SERVER"], int(config["MAIL_PORT"]), config.get("MAIL_SECURITY") or "none",
                             config.get("MAIL_USERNAME") or None, config.get("MAIL_PASSWORD") or None)
    if config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN") and config.get("TWILIO_FROM"):
        sms = TwilioSms(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config["TWILIO_FROM"],
                        config.get("TWILIO_BASE_URL") or "https://api.twilio.com")
    return OutboxCourier(postmark or postmark_from(config), mail, sms)
