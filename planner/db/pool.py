"""Pinging a pooled connection before use only when it has sat idle, not on every request.

A ping is a round trip to the database: SQLAlchemy's pool_pre_ping made it on every checkout,
which on PostgreSQL was one of the handful of round trips a simple read costs. A connection back
in use within IDLE_PING_AFTER seconds was just used successfully, so it is trusted; one idle
longer (the database may have restarted or dropped it meanwhile) is pinged, and replaced if the
ping fails. Should the database go away while connections are busy, the statement that meets it
fails once, and SQLAlchemy then replaces every pooled connection (its optimistic handling).
"""

from __future__ import annotations

import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

IDLE_PING_AFTER = 10.0  # seconds


def install_idle_ping(engine: Engine) -> None:
    """Ping a connection on checkout only when it has been idle in the pool for a while."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _borrowed(dbapi_connection, record, _proxy) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < IDLE_PING_AFTER:
            return  # new, or just used: nothing to gain from a round trip
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure means this connection cannot be trusted
            raise exc.DisconnectionError(f"idle connection failed its ping: {error}") from error
        if not alive:
            raise exc.DisconnectionError("idle connection failed its ping")
