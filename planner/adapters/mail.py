"""Email: a message built the way Gmail, Outlook and Apple Mail read invites, and an SMTP transport.

The shape (RFC 6047, iMIP; and what Google Calendar itself sends):

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
        text/calendar; method=REQUEST|CANCEL; charset=UTF-8     (the invite a mail client acts on)
      application/ics; name=invite.ics                          (the same bytes, for the rest)

Outlook looks for iMIP data only in the first child of multipart/mixed, and some clients act only
on an attachment, hence both. The part's method parameter must equal the METHOD inside the
calendar (RFC 6047 section 2.4): build_email refuses a message where they differ.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from datetime import datetime
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from functools import lru_cache
from html import escape

from planner.adapters.delivery import DeliveryFailed
from planner.domain.wording import PREPARATION_HEADING, Wording



class _Policy(EmailPolicy):
    """The default policy, but a header whose value fits a line of its own stays on the header's line.

    Python folds "Subject: <74 characters>" as "Subject:" and the whole value on the next line,
    and some readers (Python's own parser among them) then keep a leading space in the subject.
    Such a line is only a few characters past the 78 that RFC 5322 recommends (998 is the limit).
    """

    def fold(self, name, value):
        if (calendar := _calendar_type(name, value)) is not None:
            return calendar + self.linesep
        folded = super().fold(name, value)
        if folded.startswith(f"{name}:{self.linesep} ") and self.max_line_length != 998:
            return self.clone(max_line_length=998).fold(name, value)
        return folded

    def fold_binary(self, name, value):
        if (calendar := _calendar_type(name, value)) is not None:
            return (calendar + self.linesep).encode("ascii")
        folded = super().fold_binary(name, value)
        if folded.startswith(f"{name}:{self.linesep} ".encode()) and self.max_line_length != 998:
            return self.clone(max_line_length=998).fold_binary(name, value)
        return folded


def _calendar_type(name, value) -> str | None:
    """The calendar part's Content-Type written as Google Calendar and Exchange write it.

    Python quotes every parameter (method="REQUEST"). That is valid MIME, but invites are read by
    clients known to be particular, so the header is the byte-for-byte form the big senders use:
    charset quoted, method a bare token (as in RFC 6047's own examples).
    """
    if name.lower() != "content-type" or getattr(value, "content_type", None) != "text/calendar":
        return None
    params = dict(value.params)
    return f'{name}: text/calendar; charset="{params["charset"]}"; method={params["method"]}'


class _Headers(HeaderRegistry):
    """The standard header registry, but each header's class is made once, and each header once per value.

    The standard library builds a fresh class (`type(...)`) every time a header is set or parsed;
    about 30 per message, a third of the time it takes to build one (bench/bench_outbox.py).
    The classes hold no state, so one per header name serves every message. Parsing a value is
    most of what is left, and half of a message's headers are the same in every message (From,
    MIME-Version, the parts' Content-Type and encoding): a parsed header is immutable (a str
    with its parse tree, which folding reads and never changes), so one serves every message.
    """

    def __init__(self):
        super().__init__()
        self._made: dict[str, type] = {}
        self._parsed: dict[tuple[str, str], object] = {}

    def __call__(self, name, value):
        # An Address is parsed from its string form all the same, so that form keys it (From is
        # the same in every message); other values that are not strings are built each time.
        if isinstance(value, Address):
            key = (name, str(value))
        elif isinstance(value, str):
            key = (name, value)
        else:
            return super().__call__(name, value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) >= _PARSED_KEPT:  # values seen once (Subject, Date, Message-ID) churn
                self._parsed.clear()
            header = self._parsed[key] = super().__call__(name, value)
        return header

    def __getitem__(self, name):
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


_PARSED_KEPT = 4096
# Non-ASCII text as quoted-printable or base64 rather than 8-bit, so a relay without 8BITMIME
# passes it on unchanged. Lines end in "\n" here; smtplib sends them as CRLF.
POLICY = _Policy(cte_type="7bit", header_factory=_Headers())
METHODS = ("REQUEST", "CANCEL")
SECURITY = ("none", "starttls", "tls")

_METHOD_LINE = re.compile(rb"^METHOD:([A-Za-z-]+)\r?$", re.MULTILINE)


def calendar_method(ics: bytes) -> str | None:
    """The METHOD property of an iCalendar object, upper-cased; None when it has none."""
    found = _METHOD_LINE.findall(ics)
    return found[0].decode("ascii").upper() if len(found) == 1 else None


def html_body(wording: Wording, link: str | None) -> str:
    """The text/html body: the same words as the plain text, escaped, readable on a phone and by a screen reader."""
    paragraphs = [f"<p>{escape(line)}</p>" for line in wording.lines]
    if wording.preparation:
        items = "".join(f"<li>{escape(line)}</li>" for line in wording.preparation)
        paragraphs.append(f'<h2 style="font-size:1.1em">{escape(PREPARATION_HEADING)}</h2><ul>{items}</ul>')
    if link and wording.link_text:
        paragraphs.append(f'<p><a href="{escape(link, quote=True)}">{escape(wording.link_text)}</a></p>')
    # No hidden preheader: the first paragraph is the preview line, for every client and screen reader.
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(wording.subject)}</title></head>\n"
            '<body style="font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a">\n'
            + "\n".join(paragraphs) + "\n</body></html>\n")


@lru_cache(maxsize=1024)
def _mailbox(name: str, address: str) -> Address:
    # An Address checks its address by parsing it; the sender's is the same in every message.
    return Address(display_name=name, addr_spec=address)


def build_email(*, sender: tuple[str, str], to: tuple[str, str], wording: Wording, ics: bytes | None,
                method: str | None, message_id: str, html_link: str | None, date: datetime) -> EmailMessage:
    """One email about a session; sender and to are (name, address); date is when it is sent (aware)."""
    if html_link is not None and not html_link.startswith(("https://", "http://")):
        raise ValueError("the link in a message must be an http(s) URL")
    if ics is not None and (method not in METHODS or calendar_method(ics) != method):
        raise ValueError(f"the part's method {method!r} must be REQUEST or CANCEL and equal the calendar's "
                         f"METHOD ({calendar_method(ics)!r})")
    if ics is None and method is not None:
        raise ValueError("a method without a calendar to carry it")
    message = EmailMessage(policy=POLICY)
    message["Subject"] = wording.subject
    message["From"] = _mailbox(*sender)
    message["To"] = _mailbox(*to)
    message["Date"] = format_datetime(date)
    # Stable per outbox row: a retried message is the same message, and mailboxes drop the copy.
    message["Message-ID"] = message_id if message_id.startswith("<") else f"<{message_id}>"
    # RFC 3834: no vacation replies to a machine. Exchange's own switch for the same; not "All",
    # which would also hide bounces the outbox needs.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "OOF, AutoReply"

    message.set_content(wording.plain_text(html_link))
    message.add_alternative(html_body(wording, html_link), subtype="html")
    if ics is not None:
        # base64 keeps the calendar's CRLF lines and folding byte for byte; Exchange sends it so too.
        message.add_alternative(ics, maintype="text", subtype="calendar", cte="base64",
                                params={"method": method, "charset": "UTF-8"})
        message.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics",
                               params={"name": "invite.ics"})  # name= for older clients that ignore filename=
    else:
        message.make_mixed()
    return message


class _Tracking:
    """Remembers whether DATA began, so a dropped connection is retried only when nothing was sent."""

    data_started = False

    def data(self, msg):
        self.data_started = True
        return super().data(msg)


class _Smtp(_Tracking, smtplib.SMTP):
    pass


class _SmtpSsl(_Tracking, smtplib.SMTP_SSL):
    pass


class SmtpTransport:
    """One SMTP connection reused for a batch: opened on demand, reopened once if the server dropped it.

    Not shared between threads: each sender holds its own.
    """

    def __init__(self, host: str, port: int, security: str = "none", username: str | None = None,
                 password: str | None = None, timeout: float = 10, *, ssl_context: ssl.SSLContext | None = None,
                 local_hostname: str | None = None):
        if security not in SECURITY:
            raise ValueError(f"security must be one of {', '.join(SECURITY)}, not {security!r}")
        if (username is None) != (password is None):
            raise ValueError("give both a username and a password, or neither")
        self.host, self.port, self.security, self.timeout = host, port, security, timeout
        self.username, self.password = username, password
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.local_hostname = local_hostname
        self._connection: _Smtp | _SmtpSsl | None = None

    def __enter__(self) -> SmtpTransport:
        self.open()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def open(self) -> None:
        """Connect, secure and log in; a failure is temporary (the server or the settings, not the message)."""
        if self._connection is not None:
            return
        connection: _Smtp | _SmtpSsl | None = None
        try:
            if self.security == "tls":
                connection = _SmtpSsl(self.host, self.port, self.local_hostname, timeout=self.timeout,
                                      context=self.ssl_context)
            else:
                connection = _Smtp(self.host, self.port, self.local_hostname, timeout=self.timeout)
            if self.security == "starttls":
                # starttls() refuses a server that does not offer it: mail never falls back to plain text.
                connection.starttls(context=self.ssl_context)
            if self.username is not None:
                connection.login(self.username, self.password)
        except (smtplib.SMTPException, OSError) as error:
            if connection is not None:
                connection.close()
            raise DeliveryFailed(False, f"cannot open SMTP to {self.host}:{self.port}: {_said(error)}") from error
        self._connection = connection

    def close(self) -> None:
        """Say goodbye to the server if it is still listening; never raises."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; DeliveryFailed(permanent) on a 5xx, temporary otherwise."""
        for attempt in (1, 2):
            self.open()
            connection = self._connection
            assert connection is not None
            connection.data_started = False
            try:
                refused = connection.send_message(message)
            except smtplib.SMTPRecipientsRefused as error:
                codes = [code for code, _ in error.recipients.values()]
                if 421 in codes:  # smtplib hung up after a 421; the next message starts a new connection
                    self._drop()
                raise DeliveryFailed(all(code >= 500 for code in codes), f"recipients refused: {_said(error)}") from error
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException) as error:
                code = getattr(error, "smtp_code", None)
                if code is not None and code != 421:  # a reply about this message; the connection goes on
                    raise DeliveryFailed(code >= 500, f"the server answered {_said(error)}") from error
                # Dropped (idle timeout, restart) or 421 "closing": nothing was accepted. Reconnect
                # once, but only when DATA had not begun: past that point the server may hold the
                # message, and the outbox's later retry (same Message-ID) is the safer repeat.
                self._drop()
                if attempt == 1 and not connection.data_started:
                    continue
                raise DeliveryFailed(False, f"the server closed the connection: {_said(error)}") from error
            except (smtplib.SMTPException, OSError) as error:
                self._drop()
                raise DeliveryFailed(False, f"SMTP failed: {_said(error)}") from error
            if refused:  # some recipients taken, some refused: do not retry, it would repeat to the others
                raise DeliveryFailed(True, f"recipients refused: {refused}")
            return

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def _said(error: Exception) -> str:
    """An SMTP error as the server said it: "550 5.1.1 no such user"."""
    code, text = getattr(error, "smtp_code", None), getattr(error, "smtp_error", None)
    if code is not None:
        said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{code} {said}"
    return f"{type(error).__name__}: {error}"
