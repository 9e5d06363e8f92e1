"""A clinic with messages due now, real `flask planner send-outbox` processes, and what the mailbox got.

The senders run on the real clock, so the clinic is booked around it: therapy sessions over the
next three days (the site opens every day, 07:00-21:00 in New York), booked five days ago
through the booking service, so each has its patient's invite and 72 h reminder due now (and
its 24 h reminder when the session is within a day), as a sender back from a long weekend finds
them. Every patient consents to email; staff get invites too when asked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time as wall_time, timedelta
from email.parser import BytesHeaderParser
from pathlib import Path

from sqlalchemy import select

from planner import clock
from planner.db.models import OutboxEvent, OutboxMessage
from planner.domain.calendar import local, to_utc
from planner.extensions import db
from planner.services import Actor
from planner.services.booking import SessionOrder, book_sessions
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
ZONE = "America/New_York"
DESK = Actor("reception@example.org")
EVERY_DAY = [{"weekday": d, "opens": "07:00", "closes": "21:00"} for d in range(7)]
SLOTS = range(8, 20)  # a 50-minute session on each hour from 08:00 to 19:00


@dataclass(frozen=True)
class DueClinic:
    """What was booked, and when the rig's clock said the messages were due."""

    sessions: list[int]
    due_at: datetime  # every message due at or before this instant must reach the mailbox


def due_clinic(rooms: int, sessions: int, staff_email: bool = False, name: str = "Harbour") -> DueClinic:
    """Book `sessions` therapy sessions (rooms at a time, one per room) over the next three days."""
    now = clock.now()
    booked_at = now - timedelta(days=5)
    site = f.make_site(name=name, hours=EVERY_DAY)
    offices = [f.make_room(site, name=f"Room {i}", kind="therapy_office", capabilities=["therapy"])
               for i in range(rooms)]
    therapists = [f.make_staff(f"{name} therapist {i}", ["therapist"], f.credentials("licence"),
                               email=f"{name.lower()}.therapist{i}@example.org" if staff_email else None)
                  for i in range(rooms)]
    integration = f.make_session_type(f.INTEGRATION, key=f"integration-{name.lower()}")
    today = local(now, ZONE).date()
    days = [today + timedelta(days=n) for n in range(4)]
    for therapist in therapists:
        for day in days:
            f.make_shift(therapist, site, day, "07:00", "21:00", ZONE)
    # Late enough that none starts during the test (a started session's messages are dropped), early
    # enough that its 72 h reminder is already due.
    starts = [s for s in (to_utc(day, wall_time(hour), ZONE) for day in days for hour in SLOTS)
              if now + timedelta(hours=3) <= s <= now + timedelta(hours=70)]
    booked: list[int] = []
    for start in starts:
        if len(booked) >= sessions:
            break
        batch = min(rooms, sessions - len(booked))
        patients = [f.make_patient(f"{name}-{len(booked) + i}", consented_channels=["email"]) for i in range(batch)]
        booked += book_sessions([SessionOrder(patients[i], site, integration, start, offices[i],
                                              ((therapists[i], "therapist"),)) for i in range(batch)],
                                DESK, booked_at)
    assert len(booked) == sessions, f"only {len(booked)} slots fit in the next three days"
    return DueClinic(booked, clock.now())


def outbox() -> list[OutboxMessage]:
    """Every outbox row, read in a fresh transaction."""
    db.session.rollback()
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    db.session.rollback()
    return rows


def due_by(moment: datetime) -> list[OutboxMessage]:
    """The email rows that were due at `moment` (whatever their state now)."""
    return [m for m in outbox() if m.channel == "email" and m.due_at <= moment]


def history(message_id: int) -> list[tuple[str, str]]:
    """(state, detail) of each event of a message, oldest first."""
    found = db.session.execute(select(OutboxEvent.state, OutboxEvent.detail)
                               .where(OutboxEvent.message_id == message_id).order_by(OutboxEvent.id)).all()
    db.session.rollback()
    return [tuple(row) for row in found]


def message_ids(received) -> Counter:
    """How many times the mailbox got each Message-ID."""
    parser = BytesHeaderParser()
    return Counter(str(parser.parsebytes(m.data)["Message-ID"]).strip() for m in received)


def wait_until(condition, within: float, what: str, poll: float = 0.002):
    """Poll condition() until it returns something true; fail naming `what` after `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {within}s waiting for {what}")


class Sender:
    """`flask --app wsgi planner send-outbox` in a process of its own, its output in a temporary file."""

    def __init__(self, database_url: str, smtp_port: int, worker: str, *options: str) -> None:
        self.worker = worker
        self.log_path = Path(tempfile.mkstemp(prefix=f"planner-{worker}-", suffix=".log")[1])
        env = {**os.environ, "DATABASE_URL": database_url, "PLANNER_ENV": "development", "SECRET_KEY": "x",
               "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "PYTHONUNBUFFERED": "1"}
        env.pop("TEST_DATABASE_URL", None)
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "planner", "send-outbox", "--worker", worker,
                   *options]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def kill(self) -> None:
        """kill -9: no cleanup of any kind, as when the machine or the process dies."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def finish(self, within: float = 60) -> int:
        """Wait for a sender that runs once to exit; its exit code."""
        return self.proc.wait(timeout=within)

    def stop(self) -> None:
        """Stop it if it still runs (a test's teardown), and remove its log."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log_path.unlink(missing_ok=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")
