"""A real gunicorn server (4 worker processes) on the test database, shared by a module's tests."""

from __future__ import annotations

import pytest

from tests.concurrency.harness import LiveServer


# sync: 4 single-threaded processes, the deployment default. gthread: the same 4 processes with
# 5 threads each, so all 20 requests of a burst are inside the application at the same moment.
@pytest.fixture(scope="module", params=[1, 5], ids=["sync-4x1", "gthread-4x5"])
def live_server(request, _migrated_app, database_url):
    """Started after the schema exists; stopped (and its process group killed) even when a test fails."""
    server = LiveServer(database_url, threads=request.param).start()
    try:
        yield server
    finally:
        server.stop()
