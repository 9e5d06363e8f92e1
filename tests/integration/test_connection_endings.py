"""Ending transactions: a rollback still undoes every write, and on PostgreSQL a transaction that
wrote nothing ends without throwing away the connection's prepared statements."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from planner.db.reads.sql import fetch
from planner.db.models import Patient
from planner.extensions import db
from tests.factories import make_patient, make_site


def _patients() -> int:
    return db.session.scalar(text("SELECT count(*) FROM patients"))


def test_a_rollback_undoes_an_orm_write_and_a_raw_write(app):
    make_site()
    make_patient("KEEP-1")
    db.session.add(Patient(mrn="GONE-1", name="Gone", date_of_birth=date(1980, 1, 1)))
    db.session.flush()
    db.session.execute(text("UPDATE patients SET name = 'Changed' WHERE mrn = 'KEEP-1'"))
    db.session.rollback()
    assert _patients() == 1
    assert db.session.scalar(text("SELECT name FROM patients WHERE mrn = 'KEEP-1'")) != "Changed"
    db.session.rollback()


def test_a_rollback_after_a_failed_statement_leaves_the_connection_usable(app):
    make_site()
    make_patient("KEEP-1")
    with pytest.raises(IntegrityError):
        db.session.execute(text("INSERT INTO patients (id, mrn) VALUES (NULL, NULL)"))
    db.session.rollback()
    assert _patients() == 1
    db.session.rollback()


def test_statements_stay_prepared_across_transactions_that_wrote_nothing(app, dialect):
    make_site()
    make_patient("KEEP-1")
    query = "SELECT count(*) FROM patients WHERE mrn <> ?"
    # One connection in the pool: an earlier test's thread leaves a second, and the pool hands them
    # out in turn, so eight uses would be four on each, under psycopg's threshold for preparing.
    db.session.rollback()
    db.engine.dispose()
    for _ in range(8):  # psycopg prepares a statement on its fifth use
        assert fetch(db.session, query, ["x"]) == [(1,)]
        db.session.rollback()
    dbapi = db.session.connection().connection.dbapi_connection
    if dialect == "postgresql":
        prepared = [row[0] for row in fetch(db.session, "SELECT statement FROM pg_prepared_statements", [])]
        assert query.replace("?", "$1") in prepared
        # A transaction that wrote something is rolled back for real, and psycopg then forgets them.
        db.session.execute(text("UPDATE patients SET name = 'Changed'"))
        db.session.rollback()
        assert fetch(db.session, "SELECT count(*) FROM pg_prepared_statements", []) == [(0,)]
        assert db.session.scalar(text("SELECT count(*) FROM patients WHERE name = 'Changed'")) == 0
    else:
        assert type(dbapi).__module__ == "sqlite3"  # nothing to keep: SQLite plans in the process
    db.session.rollback()
