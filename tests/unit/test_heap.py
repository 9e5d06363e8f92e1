"""The server's entry point keeps its start-up heap out of the collector's full passes (planner/heap.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_server_entry_point_freezes_what_it_built_before_the_first_request():
    # A process of its own: freezing is once per process, and this one runs the whole suite.
    shown = subprocess.run([sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count())"], cwd=ROOT,
                           env={**os.environ, "DATABASE_URL": "sqlite://"}, capture_output=True, text=True,
                           check=True, timeout=60)
    assert int(shown.stdout.split()[-1]) > 50_000  # the app, its modules and SQLAlchemy's metadata
