"""PostgreSQL connections that keep their prepared statements across transactions that wrote nothing.

psycopg forgets every prepared statement (DEALLOCATE ALL) whenever a transaction is rolled
back, and every search, every refused booking and every request's teardown ends its
transaction with a rollback. So each statement was parsed anew on each use, and the next use
paid for a DEALLOCATE ALL first. A transaction that holds no transaction id has written
nothing, so a COMMIT ends it exactly as a ROLLBACK would, and the statements stay prepared.
(Two things would differ, a session-level SET and a NOTIFY issued inside such a
transaction; the app uses neither.)
"""

from __future__ import annotations

import psycopg
from psycopg import pq
from sqlalchemy import event
from sqlalchemy.engine import Engine


class PlanKeepingConnection(psycopg.Connection):
    """A psycopg connection whose rollback of a transaction that wrote nothing is a commit."""

    def rollback(self) -> None:
        """End the transaction: COMMIT when it wrote nothing (statements stay prepared), else ROLLBACK."""
        if self.info.transaction_status == pq.TransactionStatus.INTRANS and not self._wrote_anything():
            self.commit()
            return
        super().rollback()

    def _wrote_anything(self) -> bool:
        # PostgreSQL gives a transaction an id on its first write (or row lock), never before.
        with self.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")
            return cursor.fetchone()[0]


def install_plan_keeping_connections(engine: Engine) -> None:
    """Make the engine's new PostgreSQL connections PlanKeepingConnection (other databases untouched)."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect, _record, cargs, cparams):
        return PlanKeepingConnection.connect(*cargs, **cparams)
