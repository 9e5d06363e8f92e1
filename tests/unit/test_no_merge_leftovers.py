"""No file the repository tracks keeps a merge's conflict markers (a browser silently drops CSS after one)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKERS = ("<<<<<<< ", ">>>>>>> ")


def test_no_tracked_file_holds_conflict_markers():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert len(tracked) > 100  # the listing worked: there is something to check
    leftovers = []
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".png", ".sqlite3"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        leftovers += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if line.startswith(MARKERS)]
    assert leftovers == []
