#!/usr/bin/env bash
# `make run`: migrate, load the demo clinic on first start, then run the web app and the
# reminder scheduler side by side until Ctrl-C (or until either of them stops).
set -euo pipefail
cd "$(dirname "$0")/.."

flask=(.venv/bin/flask --app wsgi)
"${flask[@]}" db upgrade
"${flask[@]}" planner seed-demo   # idempotent: loads scenarios/demo-clinic.json into an empty database only

pids=()
stop() {
    trap - INT TERM EXIT
    ((${#pids[@]})) && kill -TERM "${pids[@]}" 2>/dev/null || true
    wait || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# Exactly one scheduler: its own process; the web process never runs jobs.
"${flask[@]}" planner scheduler &
pids+=($!)
"${flask[@]}" run --host 127.0.0.1 --port 5000 &
pids+=($!)

# Background jobs of a script ignore Ctrl-C, so the traps above stop them. If one of the two
# exits on its own (a crash, a missing command), stop the other too rather than run half a system.
status=0
wait -n || status=$?
echo "planner: a process exited (status $status); stopping the other." >&2
exit "$status"
