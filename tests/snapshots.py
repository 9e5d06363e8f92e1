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
    added: list[tuple[object, list[dict]]]  # (table, the rows the build added), parents first
    state: dict[str, list[dict]]  # every non-empty table's rows once built, in primary key order
    counters: dict[str, int]  # PostgreSQL: sequence -> its last value, where the real build left it


_kept: dict[tuple[str, str], _Kept] = {}


def built(key: str, build: Callable[[], Built], on: str | None = None) -> Built:
    """build()'s result: built for real the first time, put back from the rows it added after.

    on: the key of the clinic build() adds to (None: an empty database). The rows are put back
    only when the database holds exactly that clinic's rows (or nothing), as when they were
    kept; anything else (a fixture that wrote first) means a real build.
    """
    url = db.engine.url.render_as_string(hide_password=True)
    if on is None:
        base_state = {} if _empty() else None
    else:
        base = _kept.get((url, on))
        base_state = base.state if base is not None and _rows() == base.state else None
    if base_state is None:
        return build()
    kept = _kept.get((url, key))
    if kept is not None:
        _restore(kept)
        return copy.deepcopy(kept.value)  # a test may change its copy (append a patient...)
    value = build()
    after = _rows()
    added = _added(base_state, after)
    if added is not None:
        _kept[(url, key)] = _Kept(copy.deepcopy(value), added, after, _counters())
    return value


def _tables() -> list:
    return [t for t in db.metadata.sorted_tables if t.name not in MARK_TABLES]


def _empty() -> bool:
    """True when no table but the marks has a row (one query)."""
    found = db.session.scalar(select(or_(*[exists(select(literal(1)).select_from(t)) for t in _tables()])))
    db.session.rollback()
    return not found


def _rows() -> dict[str, list[dict]]:
    """Every non-empty table's rows (but the marks'), in primary key order."""
    found = {}
    for table in _tables():
        rows = [dict(r) for r in db.session.execute(select(table).order_by(*table.primary_key.columns)).mappings()]
        if rows:
            found[table.name] = rows
    db.session.rollback()
    return found


def _added(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> list | None:
    """The rows after has and before lacks, per table; None if the build changed or removed a row."""
    added = []
    for table in _tables():
        old, new = before.get(table.name, []), after.get(table.name, [])
        if any(row not in new for row in old):
            return None
        fresh = [row for row in new if row not in old]
        if fresh:
            added.append((table, fresh))
    return added


def _counters() -> dict[str, int]:
    if db.engine.dialect.name != "postgresql":
        return {}  # SQLite gives max(id) + 1, as after the real build
    found = dict(db.session.execute(text(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value FROM pg_sequences "
        "WHERE last_value IS NOT NULL")).all())
    db.session.rollback()
    return found


def _restore(kept: _Kept) -> None:
    for table, rows in kept.added:
        db.session.execute(table.insert(), rows)
    if kept.counters:
        # Explicit ids do not move a sequence; set each where the real build left it.
        calls = ", ".join(f"setval('{name}', {last})" for name, last in kept.counters.items())
        db.session.execute(text(f"SELECT {calls}"))
    db.session.commit()
