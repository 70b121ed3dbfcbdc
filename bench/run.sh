#!/usr/bin/env bash
# Reproducible benchmarks: ./bench/run.sh [quick | throughput | backlog]
#   dispatch   two dispatcher instances on one PostgreSQL journal against the local sandbox, ~20% injected faults
#   intake     a 1,000,000-line JSON Lines drop through the shipped file route on a 256 MB heap (H2 file journal)
#   sql        10,000 inbox rows taken by two route instances, on H2, PostgreSQL and MariaDB
#   durability intake lines/s and dispatch commands/s of the main job on H2 as shipped (durable), H2 with a write
#              delay, PostgreSQL and MariaDB; then 10,000 commands with two kill -9, and a kill during a 100,000-line drop
#   throughput dispatch rate of the whole pipeline (file drop -> journal -> ECPay -> channel) against a bare HTTP loop,
#              at concurrency 8 (no added latency), 8/32/128 (100 ms answers) and 32 (500 ms), on PostgreSQL and H2; the
#              JDBC statements per command, intake lines/s, drop -> first call, last answer -> result file (~12 min)
# "quick" runs smaller sizes (2,000 commands, 100,000 lines, 10 s throughput runs). Needs PostgreSQL and MariaDB as
# for the tests. Alone: "throughput" runs only the throughput benchmark; "backlog" only the 200,000-command backlog on
# the embedded journal (dispatch rate at its start and at its end; long: 15 min or more).
set -euo pipefail
cd "$(dirname "$0")/.."
commands=5000; lines=1000000; seconds=20
mode=${1:-all}
case "$mode" in
  all) ;;
  quick) commands=2000; lines=100000; seconds=10 ;;
  throughput | backlog) ;;
  *) echo "usage: bench/run.sh [quick | throughput | backlog]" >&2; exit 2 ;;
esac
log=target/bench.log
mkdir -p target && : > "$log"

run() {  # name, maven arguments...
  local name=$1; shift
  echo "== $name"
  local start=$SECONDS
  mvn -B test -Dsurefire.failIfNoSpecifiedTests=false "$@" >> "$log" 2>&1 || { echo "   FAILED (see $log)"; return 1; }
  echo "   done in $((SECONDS - start)) s"
}

throughput() {
  run "throughput: pipeline vs bare loop, 5 cases x PostgreSQL and H2, ${seconds} s each" -Dtest=ThroughputBench -Dbench=true \
    -Dbench.seconds=$seconds
}

if [ "$mode" = throughput ] || [ "$mode" = backlog ]; then
  if [ "$mode" = throughput ]; then throughput; else
    run "backlog: 200,000 commands on the embedded journal" -Dtest=BacklogBench -Dbench=true
  fi
  echo
  grep -E '^(THROUGHPUT|BACKLOG) ' "$log" | sed -E 's/^(THROUGHPUT|BACKLOG) //' || true
  exit 0
fi

run "dispatch: $commands commands, 2 instances, PostgreSQL" -Dtest=DispatchScaleOutTest -Ddispatch.commands=$commands
run "intake: $lines lines, -Xmx256m" -Dtest=IntakeTortureTest -Dtorture=true -Dtorture.lines=$lines -DargLine=-Xmx256m
run "sql: 10,000 inbox rows, 2 instances" -Dtest=InboxConcurrencyTest
run "durability: what durable commits cost" -Dtest=JournalDurabilityCostBench -Dbench=true
run "crash: $((commands * 2)) commands, 2 x kill -9, 3 journals; kill during a $((lines / 10))-line drop" -Dtest=MainJobCrashTest \
  -Dcrash.commands=$((commands * 2)) -Dcrash.intake-lines=$((lines / 10))
throughput

echo
echo "== figures (also in $log)"
grep -E '^(SCALE-OUT|TORTURE|H2:|POSTGRESQL:|MARIADB:|DURABILITY|CRASH|THROUGHPUT)' "$log" || true
