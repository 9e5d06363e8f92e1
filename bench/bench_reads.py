"""An authenticated API read against Flask's hello world, side by side under the same gunicorn.

Both run as `gunicorn -w 4` (sync workers) on this machine; THREADS client threads each open a
connection per request (sync workers close it after every answer) for the same time. The read
is GET /api/sites with a reception bearer token, on the demo clinic (scenarios/demo-clinic.json:
2 sites, 13 rooms, 21 staff, 64 sessions), on SQLite and PostgreSQL. The two are measured in
alternating rounds, hello then read, so other work on the machine weighs on both alike. Every
answer must be a 200; the target is a read rate of at least half the hello world's. Beside the
rates it prints the CPU each request cost the server (gunicorn's processes, and on PostgreSQL
the database server's too) and the client, and then the app's own CPU per request with no server
around it (WSGI calls in this process), which tell the code's cost apart from a busy machine.

    python -m bench.bench_reads                          # both databases, 3 rounds of 5 s each
    python -m bench.bench_reads --dbs sqlite --rounds 2 --seconds 3
    python -m bench.bench_reads --path /api/staff        # another list
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time as timer
from pathlib import Path

from bench.bench_http import ROOT, WORKERS, _port
from bench.common import DATABASES, databases, load, machine, migrated_app, summary

THREADS, ROUNDS, SECONDS, WARM_UP, IN_PROCESS = 8, 3, 5.0, 1.0, 2000
DEMO = ROOT / "scenarios" / "demo-clinic.json"


def prepare(url: str) -> str:
    """Migrate the database, load the demo clinic into this week, and return a reception API token."""
    from planner import clock
    from planner.extensions import db
    from planner.services import SYSTEM, accounts
    from planner.services.scenario import load_scenario

    app = migrated_app(url)
    with app.app_context():
        moment = clock.now()
        load_scenario(json.loads(DEMO.read_text()), SYSTEM, moment, rebase_to=moment.date())
        token = accounts.create_api_token("reception@demo.clinic", "bench", moment)
        db.engine.dispose()
    return token


def serve(target: str, port: int, log, env: dict | None = None, probe: str = "/") -> subprocess.Popen:
    """gunicorn -w WORKERS serving target (module:app); returns once every worker has answered."""
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", str(WORKERS), "-b",
                               f"127.0.0.1:{port}", "--log-level", "warning", target],
                              cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=log,
                              start_new_session=True)
    deadline = timer.monotonic() + 60
    while timer.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log.name}")
        try:
            if _get(port, probe, {})[0] < 500:
                timer.sleep(2)  # every worker imports the app before it answers
                return server
        except OSError:
            pass
        timer.sleep(0.2)
    stop(server)
    raise SystemExit(f"gunicorn for {target} did not answer within 60 s")


def stop(server: subprocess.Popen) -> None:
    """Stop a gunicorn started by serve (its whole process group)."""
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)


def _get(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def hammer(port: int, path: str, headers: dict, seconds: float) -> tuple[list[tuple[int, float]], float, bytes]:
    """GET path from THREADS threads for seconds; returns (status, seconds) pairs, the time taken, one body."""
    results: list[tuple[int, float]] = []
    sample: list[bytes] = []
    lock = threading.Lock()
    began = timer.perf_counter()

    def worker():
        mine = []
        while timer.perf_counter() - began < seconds:
            start = timer.perf_counter()
            try:
                status, body = _get(port, path, headers)
            except OSError:
                status, body = 599, b""
            mine.append((status, timer.perf_counter() - start))
            if not sample:
                sample.append(body)
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, timer.perf_counter() - began, sample[0] if sample else b""


def family(pid: int) -> list[int]:
    """pid and every process below it (gunicorn's workers, a PostgreSQL server's backends)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, ()))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU the processes have used so far (those gone meanwhile count nothing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def postmaster(url: str) -> int | None:
    """The pid of the PostgreSQL server a URL points at (its backends do the database's share of the work)."""
    if not url.startswith("postgresql"):
        return None
    port = url.rsplit(":", 1)[1].split("/", 1)[0]
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if command and command[0].endswith(b"/postgres") and f"-p {port}".encode() in b" ".join(command):
            return int(entry.name)
    return None


def measured(port: int, path: str, headers: dict, seconds: float, servers: list[int]) -> tuple[list, float, dict]:
    """hammer(), plus the CPU seconds the client, the app's processes and the database used meanwhile."""
    pids = [pid for server in servers for pid in family(server)]
    before, client_before = cpu_seconds(pids), timer.process_time()
    results, elapsed, _ = hammer(port, path, headers, seconds)
    return results, elapsed, {"server": cpu_seconds(pids) - before, "client": timer.process_time() - client_before}


def _figures(name: str, results: list[tuple[int, float]], seconds: float, cpu: dict) -> dict:
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    n = max(len(results), 1)
    return {"name": name, "requests": len(results), "seconds": seconds, "per_second": len(results) / seconds,
            "latency": summary([took for _, took in results]), "statuses": statuses,
            "server_cpu_ms": cpu["server"] / n * 1000, "client_cpu_ms": cpu["client"] / n * 1000}


def in_process(url: str, token: str, path: str, count: int = IN_PROCESS) -> dict:
    """CPU per request of hello and of the read with no server or client around them (WSGI calls in this process).

    The app's own cost, apart from gunicorn, sockets and whatever else the machine is doing.
    """
    from werkzeug.test import EnvironBuilder

    from bench.hello_app import app as hello
    from planner import create_app
    from planner.extensions import db

    app = create_app("production", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=secrets.token_hex(16))
    costs = {}
    for name, wsgi, asked, headers in (("hello", hello, "/", {}), (path, app, path, {"Authorization": f"Bearer {token}"})):
        environ = EnvironBuilder(path=asked, headers=headers).get_environ()
        seconds: list[float] = []
        statuses: set[str] = set()
        noted = statuses.add
        for n in range(count + count // 5):  # the first fifth warms up
            began = timer.process_time()
            answer = wsgi(dict(environ), lambda status, headers, exc_info=None, noted=noted: noted(status))
            b"".join(answer)
            answer.close()
            if n >= count // 5:
                seconds.append(timer.process_time() - began)
        if statuses != {"200 OK"}:
            raise SystemExit(f"{name} answered {statuses} in process")
        costs[name] = summary(seconds)
    with app.app_context():
        db.engine.dispose()
    return costs


def run(kind: str, url: str, hello_port: int, hello_pid: int, path: str, rounds: int, seconds: float) -> dict:
    """Prepare the demo clinic, serve planner on it, and measure hello and the read in alternating rounds."""
    token = prepare(url)
    alone = in_process(url, token, path)
    headers = {"Authorization": f"Bearer {token}"}
    port = _port()
    log_path = Path(tempfile.gettempdir()) / f"bench_reads_{kind}_gunicorn.log"
    env = {"DATABASE_URL": url, "PLANNER_ENV": "production", "SECRET_KEY": secrets.token_hex(16)}
    results: dict[str, list[tuple[int, float]]] = {"hello": [], "read": []}
    took = {"hello": 0.0, "read": 0.0}
    cpu = {side: {"server": 0.0, "client": 0.0} for side in took}
    database = [pid for pid in [postmaster(url)] if pid]
    with open(log_path, "w") as log:
        server = serve("wsgi:app", port, log, env, probe="/login")
        try:
            hammer(hello_port, "/", {}, WARM_UP)
            _, _, body = hammer(port, path, headers, WARM_UP)
            for _ in range(rounds):
                for side, (where, asked, sent, servers) in {"hello": (hello_port, "/", {}, [hello_pid]),
                                                            "read": (port, path, headers, [server.pid, *database])
                                                            }.items():
                    answers, elapsed, used = measured(where, asked, sent, seconds, servers)
                    results[side] += answers
                    took[side] += elapsed
                    for key in used:
                        cpu[side][key] += used[key]
            machine_load = load()
        finally:
            stop(server)
    shown = json.loads(body) if body.startswith(b"[") else None
    return {"db": kind, "path": path, "hello": _figures("hello", results["hello"], took["hello"], cpu["hello"]),
            "read": _figures(path, results["read"], took["read"], cpu["read"]),
            "rows": len(shown) if shown is not None else None, "in_process": alone,
            "load": machine_load, "server_log": str(log_path) if log_path.read_text().strip() else None}


def report(results: list[dict], rounds: int, seconds: float) -> None:
    print()
    print(f"Reads against hello world: gunicorn -w {WORKERS} (sync workers) each, {THREADS} client threads, "
          f"{rounds} alternating rounds of {seconds:g} s each")
    print()
    print("| database   | app            | requests | requests/s | p50 ms | p95 ms | non-200 | read / hello "
          "| server CPU ms/req | client CPU ms/req |")
    print("|------------|----------------|---------:|-----------:|-------:|-------:|--------:|-------------:"
          "|------------------:|------------------:|")
    for r in results:
        for figures in (r["hello"], r["read"]):
            bad = sum(n for code, n in figures["statuses"].items() if code != 200)
            ratio = f"{r['read']['per_second'] / r['hello']['per_second']:.2f}" if figures is r["read"] else ""
            print(f"| {r['db']:<10} | {figures['name']:<14} | {figures['requests']:>8,} | "
                  f"{figures['per_second']:10.1f} | {figures['latency']['p50']:6.1f} | {figures['latency']['p95']:6.1f} "
                  f"| {bad:>7} | {ratio:>12} | {figures['server_cpu_ms']:17.2f} | {figures['client_cpu_ms']:17.2f} |")
    print()
    print(f"The app alone, called in this process ({IN_PROCESS:,} requests each): CPU ms per request")
    print()
    print("| database   | app            | p50 ms | p95 ms |")
    print("|------------|----------------|-------:|-------:|")
    for r in results:
        for name, cost in r["in_process"].items():
            print(f"| {r['db']:<10} | {name:<14} | {cost['p50']:6.3f} | {cost['p95']:6.3f} |")
    print()
    for r in results:
        print(f"{r['db']}: {r['path']} listed {r['rows']} rows; {r['load']}"
              + (f"; server log {r['server_log']}" if r["server_log"] else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--path", default="/api/sites")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="per round and app")
    args = parser.parse_args()
    print(machine(), flush=True)
    results = []
    hello_port = _port()
    log_path = Path(tempfile.gettempdir()) / "bench_reads_hello_gunicorn.log"
    with open(log_path, "w") as log, databases(args.dbs.split(",")) as make:
        hello = serve("bench.hello_app:app", hello_port, log)
        try:
            for kind in args.dbs.split(","):
                print(f"-- {kind}", flush=True)
                results.append(run(kind, make(kind, "bench_reads"), hello_port, hello.pid, args.path, args.rounds,
                                   args.seconds))
        finally:
            stop(hello)
    report(results, args.rounds, args.seconds)
    if any(code != 200 for r in results for side in ("hello", "read") for code in r[side]["statuses"]):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
