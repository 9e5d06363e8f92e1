"""A real SMTP server (aiosmtpd) on a free loopback port, recording what it received, for tests and benches.

    with SmtpServer() as server:
        ...send to server.host, server.port...
        assert [m.rcpt_tos for m in server.messages] == [["ana@example.org"]]

`reply` makes it answer every DATA with a code of your choosing ("451 4.3.0 try later"), and
`rcpt_reply` every RCPT TO; `drop_after_data` takes the message, then hangs up before answering
(the case where a client cannot know whether it was accepted);
`tls_context` offers STARTTLS (`require_starttls` insists on it), `implicit_tls_context` speaks TLS
from the first byte; `logins` turns on AUTH and lists the (user, password) pairs it accepts;
`idle_timeout` closes a connection left idle that long, as real servers do.
`delay` makes it take that many seconds over each message before keeping it (a distant server);
`hold()` makes it keep the next message and then withhold its "250" until `release()`: the
moment a crashing client leaves in doubt (the server has the message, the client never heard).
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(frozen=True)
class Received:
    """One message as the server took it: the envelope, the bytes, and the client's address and port."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: tuple[str, int]   # one client port per connection: equal peers mean one reused connection
    tls: bool               # whether the connection was encrypted when the message came
    login: str | None       # the user that logged in, if any


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        if self.server.rcpt_reply is not None:
            return self.server.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        if self.server.reply is not None:
            return self.server.reply
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                            tuple(session.peer[:2]), smtp.transport.get_extra_info("ssl_object") is not None, login)
        with self.server.lock:
            self.server.messages.append(received)
            holding = self.server._holding
            if holding:
                self.server._holding = False
                self.server.held.set()
        while holding and not self.server._released.is_set():
            await asyncio.sleep(0.005)
        if self.server.drop_after_data:
            smtp.transport.close()
        return "250 2.0.0 OK: queued"


class _Controller(Controller):
    """aiosmtpd's controller on port 0: the real port is read back before it checks the server is up."""

    def _trigger_server(self):
        # aiosmtpd 1.4.6 connects to self.port to trigger its lazy setup; with port 0 that is the
        # port the kernel chose, which only the listening socket knows.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """An aiosmtpd server in a thread on 127.0.0.1 and a free port."""

    host = "127.0.0.1"

    def __init__(self, *, reply: str | None = None, rcpt_reply: str | None = None, drop_after_data: bool = False,
                 tls_context: ssl.SSLContext | None = None,
                 require_starttls: bool = False, implicit_tls_context: ssl.SSLContext | None = None,
                 logins: dict[str, str] | None = None, idle_timeout: float = 300, delay: float = 0):
        self.reply, self.rcpt_reply, self.drop_after_data = reply, rcpt_reply, drop_after_data
        self.delay = delay
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        self._holding = False
        self.held, self._released = threading.Event(), threading.Event()
        self.logins = logins
        kwargs = {}
        if logins is not None:
            kwargs.update(authenticator=self._authenticate, auth_required=True,
                          auth_require_tls=tls_context is not None or implicit_tls_context is not None)
        self._controller = _Controller(
            _Handler(self), hostname=self.host, port=0, server_hostname="smtp.test",
            tls_context=tls_context, require_starttls=require_starttls, ssl_context=implicit_tls_context,
            timeout=idle_timeout, **kwargs)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and self.logins is not None
              and self.logins.get(auth_data.login.decode()) == auth_data.password.decode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    @property
    def port(self) -> int:
        return self._controller.port

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self.release()
        self._controller.stop()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def hold(self) -> None:
        """Keep the next message but withhold its reply until release(); `held` is set once it is kept."""
        with self.lock:
            self.held.clear()
            self._released.clear()
            self._holding = True

    def release(self) -> None:
        """Answer the held message (to a client that may be gone by now)."""
        self._released.set()

    def received(self) -> list[Received]:
        """A copy of what has arrived so far (the server thread appends while you read)."""
        with self.lock:
            return list(self.messages)
