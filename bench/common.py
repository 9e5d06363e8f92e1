"""Shared bits of the benchmarks: databases to run on, percentiles, the machine."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy

DATABASES = ("sqlite", "postgresql")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(seconds: list[float]) -> dict:
    """n, p50, p95, p99 and max of timings, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "max": max(ms) if ms else float("nan")}


def load() -> str:
    """The 1-minute load average against the core count: other work on the machine skews timings."""
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def machine() -> str:
    """A line describing the machine and the software under test."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pg = subprocess.run(["bash", "-c", "ls /usr/lib/postgresql | sort -n | tail -1"], capture_output=True,
                            text=True).stdout.strip()
    except OSError:
        pg = "?"
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"PostgreSQL {pg or '?'}, SQLAlchemy {sqlalchemy.__version__}")


@contextmanager
def databases(kinds=DATABASES):
    """Yields a function kind, name -> URL of a new empty database; cleans everything up afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="planner-bench-"))
    server = None

    def make(kind: str, name: str) -> str:
        nonlocal server
        if kind == "sqlite":
            return f"sqlite:///{folder / (name + '.sqlite3')}"
        if server is None:
            from tests.pgserver import PostgresServer

            server = PostgresServer().start()
        engine = sqlalchemy.create_engine(server.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return server.url.rsplit("/", 1)[0] + "/" + name

    try:
        yield make
    finally:
        if server is not None:
            server.stop()
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


def migrated_app(url: str):
    """The app on the database at url with every migration applied (Alembic's chatter silenced); no context pushed."""
    import logging

    from flask_migrate import upgrade

    from planner import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        logging.disable(logging.INFO)
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
    return app


def every_run(dbs: str, scales: str, name: str) -> Iterator[tuple[str, int, str]]:
    """(kind, scale, URL of a new empty database) for each database and scale asked ("sqlite,postgresql", "1,2")."""
    kinds = dbs.split(",")
    with databases(kinds) as make:
        for kind in kinds:
            for scale in (int(s) for s in scales.split(",")):
                url = make(kind, f"{name}_{scale}")
                print(f"-- {kind} at scale {scale}", flush=True)
                yield kind, scale, url


def in_child(module: str, url: str, scale: int, *args: str) -> dict:
    """One measurement in a fresh process (`python -m module --one URL --scales scale ...`): the JSON it prints last."""
    child = subprocess.run([sys.executable, "-m", module, "--one", url, "--scales", str(scale), *args],
                           capture_output=True, text=True)
    if child.returncode != 0:
        sys.stderr.write(child.stderr)
        raise SystemExit(f"{module} on {url} at scale {scale} failed")
    return json.loads(child.stdout.strip().splitlines()[-1])
