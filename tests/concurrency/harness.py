"""A real gunicorn server on the test database, a barrier-released burst of requests, and a table diff."""

from __future__ import annotations

import atexit
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import select

from planner import clock
from planner.db.models import ApiToken, User
from planner.extensions import db
from planner.web.access import token_digest

ROOT = Path(__file__).resolve().parents[2]
HOOKS = Path(__file__).with_name("gunicorn_hooks.py")
WORKERS = 4
# Lines in the server's output that mean something went wrong inside a request, even if the
# client got an answer (for example the token bookkeeping swallows its own database errors).
TROUBLE = re.compile(r"Traceback|database is locked|\[ERROR\]|\[CRITICAL\]| ERROR | CRITICAL |WORKER TIMEOUT")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`gunicorn -w 4 wsgi:app` in its own process group, its stdout and stderr in a temporary file."""

    def __init__(self, database_url: str, threads: int = 1) -> None:
        self.database_url = database_url
        self.threads = threads
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(tempfile.mkstemp(prefix="planner-gunicorn-", suffix=".log")[1])
        self.proc: subprocess.Popen | None = None

    def start(self, ready_within: float = 60.0) -> LiveServer:
        env = {**os.environ, "DATABASE_URL": self.database_url, "PLANNER_ENV": "development",
               "SECRET_KEY": "x", "PYTHONUNBUFFERED": "1"}
        env.pop("TEST_DATABASE_URL", None)
        command = [sys.executable, "-m", "gunicorn", "-c", str(HOOKS), "-w", str(WORKERS),
                   "-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "5", "--timeout", "60",
                   # No control socket: its default path is shared by every gunicorn of this user.
                   "--no-control-socket"]
        if self.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(self.threads)]
        command.append("wsgi:app")
        with open(self.log_path, "wb") as log:
            # A new session (process group) so stop() can reach the workers even if the master dies.
            self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        atexit.register(self.stop)  # a safety net if the run is interrupted before the fixture's teardown
        try:
            self._wait_ready(ready_within)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, within: float) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log()}")
            if self.log().count("planner-test worker ready") >= WORKERS:
                try:
                    requests.get(f"{self.url}/api/sessions", timeout=5)  # 401 is an answer
                    return
                except requests.ConnectionError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not get {WORKERS} workers ready within {within}s:\n{self.log()}")

    def stop(self) -> None:
        """Terminate the master (it stops its workers) and wait; kill the group if that does not end it."""
        if self.proc is None:
            return
        clean = False
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
                clean = True
            except subprocess.TimeoutExpired:
                pass
        if not clean:  # the master hung or had died: its workers may be left in our process group
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait(timeout=5)
        self.proc = None
        self.log_path.unlink(missing_ok=True)  # a failing test has already printed what it needs

    def log(self, since: int = 0) -> str:
        """The server's output from a byte offset on."""
        with open(self.log_path, "rb") as log:
            log.seek(since)
            return log.read().decode("utf-8", "replace")

    def mark(self) -> int:
        """A byte offset in the log: what the server writes from now on."""
        return self.log_path.stat().st_size


@dataclass
class Outcome:
    """One request of a burst: its status (None if no answer), body and latency."""

    index: int
    status: int | None
    body: dict
    seconds: float

    @property
    def codes(self) -> set[str]:
        return {c.get("code") for c in self.body.get("conflicts", [])} if isinstance(self.body, dict) else set()


@dataclass
class Burst:
    outcomes: list[Outcome]
    seconds: float
    log: str = ""
    pids: Counter = field(default_factory=Counter)
    peak: int = 0  # most requests inside the application at one moment, from the server's own clock

    def statuses(self) -> Counter:
        return Counter(o.status for o in self.outcomes)

    def winners(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == 201]

    def losers(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != 201]

    def timings(self) -> str:
        latencies = sorted(o.seconds for o in self.outcomes)
        return (f"{len(latencies)} requests in {self.seconds * 1000:.0f} ms wall; latency min "
                f"{latencies[0] * 1000:.0f} / median {latencies[len(latencies) // 2] * 1000:.0f} / max "
                f"{latencies[-1] * 1000:.0f} ms; at most {self.peak} inside the app at once; "
                f"served by worker pids {dict(self.pids)}")

    def explain(self) -> str:
        """Everything needed to diagnose a failed race: each answer and the server's output."""
        lines = [self.timings(), "answers:"]
        lines += [f"  #{o.index}: {o.status} {o.body}" for o in self.outcomes]
        lines += ["server output during the burst:", self.log or "  (nothing)"]
        return "\n".join(lines)

    def trouble(self) -> list[str]:
        return [line for line in self.log.splitlines() if TROUBLE.search(line)]


def race(server: LiveServer, token: str, bodies: list[dict], path: str = "/api/sessions",
         timeout: float = 30.0) -> Burst:
    """POST every body at once: one thread and one HTTP session each, released together by a barrier."""
    barrier = threading.Barrier(len(bodies) + 1)
    outcomes: list[Outcome | None] = [None] * len(bodies)
    since = server.mark()

    def run(index: int, body: dict) -> None:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {token}"
            barrier.wait(timeout=30)
            started = time.perf_counter()
            try:
                response = http.post(f"{server.url}{path}", json=body, timeout=timeout)
                try:
                    answer = response.json()
                except ValueError:
                    answer = {"text": response.text[:500]}
                outcomes[index] = Outcome(index, response.status_code, answer, time.perf_counter() - started)
            except requests.RequestException as error:
                outcomes[index] = Outcome(index, None, {"exception": repr(error)}, time.perf_counter() - started)

    threads = [threading.Thread(target=run, args=(i, b), daemon=True) for i, b in enumerate(bodies)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=30)  # every thread is at the line with its session ready
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout + 10)
    seconds = time.perf_counter() - started
    # The server logs each request after answering it; give the workers a moment to flush those lines.
    time.sleep(0.2)
    log = server.log(since)
    spans = [(m.group(1), float(m.group(2)), float(m.group(3))) for m in re.finditer(
        rf"planner-test request pid=(\d+) POST {re.escape(path)} .* span=([\d.]+)-([\d.]+)", log)]
    pids = Counter(pid for pid, _, _ in spans)
    done = [o or Outcome(i, None, {"exception": "no answer before the join timeout"}, seconds)
            for i, o in enumerate(outcomes)]
    return Burst(done, seconds, log, pids, _peak([(start, end) for _, start, end in spans]))


def _peak(spans: list[tuple[float, float]]) -> int:
    """The most intervals open at one instant (an end at t comes before a start at t)."""
    events = sorted([(start, 1) for start, _ in spans] + [(end, 0) for _, end in spans])
    open_now = peak = 0
    for _, is_start in events:
        open_now += 1 if is_start else -1
        peak = max(peak, open_now)
    return peak


def reception_token() -> str:
    """A bearer token for a new reception account, stored hashed like the real ones."""
    token = secrets.token_urlsafe(24)
    user = User(email=f"reception-{secrets.token_hex(4)}@example.org", name="Reception", role="reception",
                password_hash="not-used-by-token-callers", active=True)
    user.tokens = [ApiToken(name="concurrency", token_hash=token_digest(token),
                            created_at=datetime(2026, 1, 1, tzinfo=timezone.utc))]
    db.session.add(user)
    db.session.commit()
    return token


def clinic_day(zone: str = "America/New_York") -> date:
    """The first weekday 7 to 13 days after the real now in the zone: the server books against the real clock."""
    today = clock.now().astimezone(ZoneInfo(zone)).date()
    return next(d for d in (today + timedelta(days=n) for n in range(7, 14)) if d.weekday() < 5)


Snapshot = dict[str, dict[tuple, dict]]


def snapshot() -> Snapshot:
    """Every row of every table, keyed by primary key, read in a fresh transaction."""
    db.session.rollback()
    tables: Snapshot = {}
    for table in db.metadata.sorted_tables:
        keys = [c.name for c in table.primary_key.columns]
        tables[table.name] = {tuple(row[k] for k in keys): dict(row)
                              for row in db.session.execute(select(table)).mappings()}
    db.session.rollback()
    return tables


# Bookkeeping a request may legitimately write outside any use case: when a token was last used.
BOOKKEEPING = {"api_tokens": {"last_used_at"}}


def changes(before: Snapshot, after: Snapshot) -> dict[str, dict[str, list]]:
    """Per table, the rows added, removed and changed between two snapshots (bookkeeping columns ignored)."""
    found: dict[str, dict[str, list]] = {}
    for name in after:
        old, new = before.get(name, {}), after[name]
        ignored = BOOKKEEPING.get(name, set())

        def bare(row: dict, ignored=ignored) -> dict:
            return {k: v for k, v in row.items() if k not in ignored}

        added = [new[k] for k in new.keys() - old.keys()]
        removed = [old[k] for k in old.keys() - new.keys()]
        changed = [(old[k], new[k]) for k in old.keys() & new.keys() if bare(old[k]) != bare(new[k])]
        if added or removed or changed:
            found[name] = {"added": added, "removed": removed, "changed": changed}
    return found
