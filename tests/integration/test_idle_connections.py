"""A pooled connection that sat idle is pinged before use and replaced if the database dropped it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from planner.db import pool
from planner.extensions import db


def _backend(connection) -> object:
    """Which server-side connection this is: PostgreSQL's backend process, or SQLite's connection object."""
    if connection.dialect.name == "postgresql":
        return connection.execute(text("SELECT pg_backend_pid()")).scalar()
    return id(connection.connection.dbapi_connection)


def _pooled_then_dropped(engine) -> object:
    """Use a connection, give it back to the pool, then have the database end it behind the pool's back."""
    engine.dispose()
    with engine.connect() as connection:
        backend = _backend(connection)
        raw = connection.connection.dbapi_connection
    if engine.dialect.name == "postgresql":
        import psycopg

        # From a connection of its own, outside the pool, whose one connection is the dropped one.
        with psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                             autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [backend])
    else:
        raw.close()
    return backend


def test_an_idle_connection_the_database_dropped_is_replaced_before_its_first_statement(app, monkeypatch):
    monkeypatch.setattr(pool, "IDLE_PING_AFTER", 0.0)  # every connection counts as idle
    engine = db.engine
    dropped = _pooled_then_dropped(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
        assert _backend(connection) != dropped


def test_a_connection_used_a_moment_ago_is_not_pinged_so_a_drop_meets_the_statement(app, monkeypatch):
    # The other side of the trade: no round trip for a connection just used, and a database that
    # drops it in between fails one statement (then SQLAlchemy replaces the pool's connections).
    monkeypatch.setattr(pool, "IDLE_PING_AFTER", 3600.0)
    engine = db.engine
    _pooled_then_dropped(engine)
    with pytest.raises(DBAPIError):
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_a_request_that_only_reads_runs_without_a_transaction_on_postgresql_and_a_use_case_still_gets_one(app):
    from planner.db.uow import reads_without_transaction, unit_of_work

    db.session.remove()
    reads_without_transaction(db.session)
    db.session.execute(text("SELECT 1"))
    raw = db.session.connection().connection.dbapi_connection
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        import psycopg

        assert raw.autocommit and raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    else:
        assert raw.in_transaction  # SQLite keeps its transaction: it costs no round trip
    with unit_of_work() as session:
        session.execute(text("SELECT 1"))
        inner = session.connection().connection.dbapi_connection
        if postgresql:
            assert not inner.autocommit and inner.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        else:
            assert inner.in_transaction
