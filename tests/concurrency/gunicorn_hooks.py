"""Gunicorn config for the concurrency tests: readiness and per-request timing lines in the log.

The fixture waits for one "worker ready" line per worker, so a race starts only when every worker
can take a request. Each request logs when it entered and left the application on the monotonic
clock, which Linux shares between processes, so a test can show how many requests were inside the
application at the same moment (its proof that the race really happened).
"""

import time


def post_worker_init(worker):
    worker.log.info("planner-test worker ready: pid %s", worker.pid)


def pre_request(worker, req):
    req.planner_test_started = time.monotonic()


def post_request(worker, req, environ, resp):
    started = getattr(req, "planner_test_started", None)
    if started is None:
        return
    ended = time.monotonic()
    status = str(getattr(resp, "status", "?")).split(" ")[0]
    worker.log.info("planner-test request pid=%s %s %s -> %s in %.0f ms span=%.6f-%.6f", worker.pid, req.method,
                    req.path, status, (ended - started) * 1000, started, ended)
