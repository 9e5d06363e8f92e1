"""Test clinics built once per run and put back for each test from the rows they wrote.

Building a clinic through the services (as the factories do) costs dozens of transactions; the
tests that ask for the same clinic on an empty database get the same rows every time (ids
included: the tables are emptied with their counters reset). So the first test builds it for
real and keeps its rows; later tests insert those rows back in one statement per table, which
fires the same triggers (the change marks are raised by the inserts, never copied).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import exists, literal, or_, select, text

from planner.extensions import db

Built = TypeVar("Built")
# Raised by triggers from the other tables' rows; copying them would bring back old versions.
MARK_TABLES = frozenset({"day_marks", "config_marks"})


@dataclass
class _Kept:
    value: object
    rows: list[tuple[object, list[dict]]]  # (table, its rows), parents first
    counters: dict[str, int]  # PostgreSQL: sequence -> its last value, where the real build left it


_kept: dict[tuple[str, str], _Kept] = {}


def built(key: str, build: Callable[[], Built]) -> Built:
    """build()'s result, on an empty database: built the first time, put back from its rows after.

    Anything already in the database (a fixture that wrote first) means a real build: the rows
    kept are only ever those of the build on its own.
    """
    name = (db.engine.url.render_as_string(hide_password=True), key)
    if not _empty():
        return build()
    kept = _kept.get(name)
    if kept is not None:
        _restore(kept)
        return copy.deepcopy(kept.value)  # a test may change its copy (append a patient...)
    value = build()
    _kept[name] = _take(copy.deepcopy(value))
    return value


def _tables() -> list:
    return [t for t in db.metadata.sorted_tables if t.name not in MARK_TABLES]


def _empty() -> bool:
    """True when no table but the marks has a row (one query)."""
    anything = or_(*[exists(select(literal(1)).select_from(t)) for t in _tables()])
    found = db.session.scalar(select(anything))
    db.session.rollback()
    return not found


def _take(value) -> _Kept:
    rows = [(table, [dict(r) for r in db.session.execute(select(table)).mappings()]) for table in _tables()]
    counters = {}
    if db.engine.dialect.name == "postgresql":
        counters = dict(db.session.execute(text(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value FROM pg_sequences "
            "WHERE last_value IS NOT NULL")).all())
    db.session.rollback()
    return _Kept(value, [(table, found) for table, found in rows if found], counters)


def _restore(kept: _Kept) -> None:
    for table, found in kept.rows:
        db.session.execute(table.insert(), found)
    if kept.counters:
        # Explicit ids do not move a sequence; set each where the real build left it.
        calls = ", ".join(f"setval('{name}', {last})" for name, last in kept.counters.items())
        db.session.execute(text(f"SELECT {calls}"))
    db.session.commit()
