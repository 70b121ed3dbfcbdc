#!/usr/bin/env bash
# The README's quick start on a copy of the checkout: ./run.sh on the embedded defaults, then the README's drop and
# look blocks, then docs/observability.md's curl block against the same job; stopped with SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. .ci/doc-blocks.sh
work=$root/target/quickstart-smoke
rm -rf "$work" && mkdir -p "$work"
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$work"
cd "$work"

for port in 9580 9581; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "FAIL: port $port is in use; the quick start runs on the defaults (sandbox 9580, management 9581)"; exit 1
  fi
done

pid=""
cleanup() { if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- console:"; tail -40 "$work/console.out" 2>/dev/null || true; exit 1; }

# docs/observability.md's /admin example reads the login from these, in the job and in this shell alike
export MANAGEMENT_ADMIN_USER=ops MANAGEMENT_ADMIN_PASSWORD="quickstart-$RANDOM-$RANDOM"
echo "== README: ./run.sh"
./run.sh > console.out 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  kill -0 "$pid" 2>/dev/null || fail "./run.sh exited at startup"
  grep -q 'ecpay-einvoice started' work/logs/ecpay-einvoice.log 2>/dev/null && break
  sleep 1
done
grep -q 'ecpay-einvoice started' work/logs/ecpay-einvoice.log 2>/dev/null || fail "no 'ecpay-einvoice started' within 300 s"

run_doc_block README.md quickstart-drop
result=""
for _ in $(seq 1 120); do
  result=$(ls work/intake/archive/*-issue-invoices.result.csv 2>/dev/null || true)
  [ -n "$result" ] && break
  sleep 1
done
[ -n "$result" ] || fail "no result file for the README's drop within 120 s"
look=$(run_doc_block README.md quickstart-look 2>&1) || fail "the README's look block failed: $look"
echo "$look"
[ "$(echo "$look" | grep -c ',SUCCEEDED,')" -ge 4 ] || fail "the result file does not show the 4 invoices SUCCEEDED"
echo "$look" | grep -q ',REJECTED,' || fail "the result file does not show the bad line"
echo "$look" | grep -q '\.json$' || fail "no channel message listed in work/outbox"

observe=$(run_doc_block docs/observability.md observe 2>&1) || fail "docs/observability.md's curl block failed: $observe"
echo "$observe" | grep -v "^ecpay_commands{" | cut -c1-200
echo "$observe" | grep -q '^ecpay_calls_total{' || fail "no ecpay_calls_total in the metrics"
echo "$observe" | grep -q '"status":"UP"' || echo "$observe" | grep -q 'UP' || fail "readiness is not UP"
echo "$observe" | grep -q '"user":"ops"' || fail "/admin/whoami did not answer the login"

kill -TERM "$pid"
for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
kill -0 "$pid" 2>/dev/null && fail "still running 60 s after SIGTERM"
pid=""
echo "quickstart smoke test passed"
