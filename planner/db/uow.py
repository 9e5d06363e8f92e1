"""The unit of work: one transaction per use case, rolled back unless committed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import scoped_session

from planner.extensions import db

# Set while a writing use case opens its transaction, so SQLite begins it
# IMMEDIATE: the write lock is taken before anything is read, and two booking
# decisions can never interleave (SQLAlchemy drops FOR UPDATE on SQLite).
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


@contextmanager
def unit_of_work(write: bool = True) -> Iterator[OrmSession]:
    """A fresh transaction for one use case; whatever is not committed is rolled back."""
    session = db.session
    session.rollback()
    token = _write_intent.set(write)
    try:
        yield session
    finally:
        _write_intent.reset(token)
        session.rollback()


@contextmanager
def kept_connection() -> Iterator[Connection]:
    """A connection of its own, kept for many short transactions (a sender's marks), closed at the end.

    Taking a session and a pooled connection for each of a thousand one-row writes costs more
    than the writes; a loop that commits after every step keeps one connection instead.
    On PostgreSQL it runs in autocommit: each statement is its own transaction.
    """
    connection = db.engine.connect()
    try:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection
    finally:
        connection.close()


@contextmanager
def write_on(connection: Connection) -> Iterator[Connection]:
    """One writing transaction on a kept connection (BEGIN IMMEDIATE on SQLite), committed unless it raises."""
    token = _write_intent.set(True)
    try:
        with connection.begin():
            yield connection
    finally:
        _write_intent.reset(token)


def install_sqlite_pragmas(engine: Engine) -> None:
    """Foreign keys, WAL, a busy timeout, and explicit BEGIN handling for SQLite."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def lock_for_booking(session: OrmSession, site_ids=(), staff_ids=(), patient_ids=()) -> None:
    """Serialise booking decisions that touch these sites, people and patients."""
    if session.get_bind().dialect.name != "postgresql":
        # SQLite: BEGIN IMMEDIATE already holds the single database write lock.
        return
    # Advisory locks, always in the same order (sites, staff, patients; ascending
    # ids) so two requests never wait on each other in a cycle.
    keys = [(1, i) for i in sorted(set(site_ids))]
    keys += [(2, i) for i in sorted(set(staff_ids))]
    keys += [(3, i) for i in sorted(set(patient_ids))]
    if not keys:
        return
    # One round trip: PostgreSQL evaluates a select list left to right, so the locks are still
    # taken in the order above.
    calls = ", ".join(f"pg_advisory_xact_lock(:ns{n}, :key{n})" for n in range(len(keys)))
    params = {}
    for n, (namespace, key) in enumerate(keys):
        params[f"ns{n}"], params[f"key{n}"] = namespace, key
    session.execute(text(f"SELECT {calls}"), params)
    # The locks may have waited for a set-up change to commit: what was read of the configuration
    # before them is read again (SQLite needs none of this: BEGIN IMMEDIATE came before any read).
    from planner.db.reads.config import forget_transaction_config  # reads imports this module

    forget_transaction_config(session)


def defer_overlap_constraints(session: OrmSession) -> None:
    """Check PostgreSQL's no-overlap constraints at commit, not per statement (for swaps within a course)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET CONSTRAINTS ex_sessions_room_id_overlap, ex_sessions_patient_id_overlap DEFERRED"))


def reads_without_transaction(session: OrmSession) -> None:
    """Let a request that only reads run its statements outside a transaction (PostgreSQL only).

    PostgreSQL's READ COMMITTED gives every statement its own snapshot even inside a
    transaction, so a read-only request sees the same data either way, and is spared BEGIN and
    the two round trips that end a transaction (planner/db/pgconnection.py). A use case that
    opens a unit of work starts a real transaction all the same (it rolls back this one first).
    SQLite keeps its transactions: they cost no round trip there.
    """
    # Only at the start of a session's work: one already under way (a test's, a CLI command's) is left as it is.
    own = session() if isinstance(session, scoped_session) else session
    if not own.in_transaction() and own.get_bind().dialect.name == "postgresql":
        own.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
