#!/usr/bin/env bash
# Every benchmark, one after the other, printing its figures (`make bench`). About 30 minutes on
# 2 cores. Each run generates its own synthetic clinic in a temporary SQLite file or on a throwaway
# PostgreSQL server (Debian's postgresql package, as the tests use), and removes it afterwards.
#
#   BENCH_DBS=sqlite bench/run_all.sh         only SQLite
#   BENCH_SECONDS=30 bench/run_all.sh         a longer HTTP run
#
# Timings are wall-clock: run on an otherwise idle machine. Each section prints the 1-minute
# load average it ran under, and the booking table a CPU-time column, to show when it was not.
set -euo pipefail
cd "$(dirname "$0")/.."

python=.venv/bin/python
[[ -x $python ]] || python=python3
dbs=${BENCH_DBS:-sqlite,postgresql}
seconds=${BENCH_SECONDS:-15}

echo "== planner benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "== 1. Booking decision and free-window search, 15k and 150k sessions"
"$python" -m bench.bench_booking --dbs "$dbs" --scales 1,10 --book 400 --search 60
echo
echo "== 2. Booking throughput through the HTTP API (gunicorn -w 4)"
"$python" -m bench.bench_http --dbs "$dbs" --seconds "$seconds"
echo
echo "== 3. Planning whole courses (IV induction, esketamine TRD, KAP), 15k and 150k sessions"
"$python" -m bench.bench_planning --dbs "$dbs" --scales 1,10 --runs 20
echo
echo "== 4. An authenticated API read against Flask's hello world (gunicorn -w 4 each)"
"$python" -m bench.bench_reads --dbs "$dbs"
echo
echo "== 5. 10,000 due reminders through the outbox beside a plain smtplib loop (one local SMTP server)"
"$python" -m bench.bench_outbox --dbs "$dbs"
echo
echo "== 6. A clinician's one-year calendar feed over HTTP (gunicorn -w 4), and its conditional GET"
"$python" -m bench.bench_feed --dbs "$dbs"
echo
echo "== 7. The today board: the page, its live part and the 304, busiest day of the busy clinic"
"$python" -m bench.bench_board --dbs "$dbs"
echo
echo "== 8. Reception's patient search and patient page (issue 11)"
"$python" -m bench.bench_patients --dbs "$dbs"
echo
echo "== 9. Offers for one day: bookable times with room and team (issue 11)"
"$python" -m bench.bench_offers --dbs "$dbs"
echo
echo "== 10. The course wizard's plan step (issue 11)"
"$python" -m bench.bench_wizard --dbs "$dbs"
echo
echo "== 11. Offers to move a booked session on its own day (issue 11)"
"$python" -m bench.bench_move_offers --dbs "$dbs"
