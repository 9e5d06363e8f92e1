"""A local SMTP server (aiosmtpd) in a process of its own that remembers each message's Message-ID.

In its own process so that the server's work does not share the sender's interpreter (and its
lock) with the code being measured; it keeps only the Message-IDs, so 40,000 messages cost a
few megabytes. Counting happens here, at the server: what arrived, not what the sender believes.

    with Mailbox() as mailbox:
        ... send to mailbox.host, mailbox.port ...
        ids = mailbox.ids(since=0)
"""

from __future__ import annotations

import multiprocessing
import re
import socket

HEADER = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]*>)", re.I | re.M)


def _serve(port: int, pipe) -> None:
    from aiosmtpd.controller import Controller

    ids: list[str] = []

    class Keep:
        async def handle_DATA(self, server, session, envelope):
            head = envelope.original_content.split(b"\r\n\r\n", 1)[0]
            found = HEADER.search(head)
            ids.append(found.group(1).decode() if found else "(none)")
            return "250 2.0.0 OK: queued"

    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    pipe.send("ready")
    try:
        while True:
            command, argument = pipe.recv()
            if command == "count":
                pipe.send(len(ids))
            elif command == "ids":
                pipe.send(ids[argument:])
            else:
                break
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """The server process: start, count, read Message-IDs, stop."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.port = _free_port()
        context = multiprocessing.get_context("spawn")
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(self.port, theirs), daemon=True)

    def __enter__(self) -> Mailbox:
        self._process.start()
        if not self._pipe.poll(30) or self._pipe.recv() != "ready":
            raise RuntimeError("the SMTP server process did not start")
        return self

    def __exit__(self, *exc_info) -> None:
        self._pipe.send(("stop", None))
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()

    def count(self) -> int:
        """How many messages the server has taken so far."""
        self._pipe.send(("count", None))
        return self._pipe.recv()

    def ids(self, since: int = 0) -> list[str]:
        """The Message-ID of every message taken from the `since`-th on, in arrival order."""
        self._pipe.send(("ids", since))
        return self._pipe.recv()
