#!/usr/bin/env bash
# CI smoke test of the Camel JBang runtime: runs the commands of docs/jbang.md as written (the blocks marked
# <!-- ci: NAME -->), in a fresh copy of the project under target/jbang-smoke/project, and checks what they show:
# every route Started or Stopped, no health check DOWN, ecpay/journal with its commands by state, a drop's result file
# with SUCCEEDED lines, the integration gone after `camel stop ecpay-einvoice` - and a sandbox port already in use
# ending the run in one line. Builds the `camel` command (tools/camel-cli) and installs the project jar first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/jbang-smoke
rm -rf "$work" && mkdir -p "$work/project"

echo "== building the camel command and installing the project jar"
mvn -B -q -f tools/camel-cli/pom.xml package -DskipTests
mvn -B -q install -DskipTests
export PATH="$root/tools/bin:$PATH"

# the project's files (tracked, and new ones not ignored): a folder like a fresh clone, with its own work/
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$work/project"
cd "$work/project"

# status files of Camel processes that ended without cleaning up (killed): with a reused PID, `camel cmd send
# ecpay-einvoice` would find two integrations of that name
for f in "$HOME"/.camel/[0-9]*-status.json; do
  [ -e "$f" ] || continue
  p=$(basename "$f" -status.json)
  kill -0 "$p" 2>/dev/null || rm -rf "$HOME/.camel/$p" "$HOME/.camel/$p"-*.json
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# the shell commands of the block marked <!-- ci: NAME --> in docs/jbang.md
. "$root/.ci/doc-blocks.sh"
block() { doc_block "$root/docs/jbang.md" "$1"; }
run_block() { run_doc_block "$root/docs/jbang.md" "$1"; }

running=""
cleanup() {
  if [ -n "$running" ]; then camel stop ecpay-einvoice >/dev/null 2>&1 || true; fi
  if [ -n "${holder:-}" ]; then kill "$holder" 2>/dev/null || true; fi
}
trap cleanup EXIT

# --- a sandbox port already in use: the documented run ends in one line, not a stack trace
port=$(free_port)
python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',$port)); s.listen(); time.sleep(600)" &
holder=$!
sleep 1
echo "== sandbox port $port already in use"
set +e
# in the foreground: `camel run --background` gives up waiting after 20 s (dependency download included) and would
# then print only "state: Starting" - on a busy machine before the process has reached the sandbox bean
busy=$(export SANDBOX_PORT=$port ECPAY_BASE_URL=http://127.0.0.1:$port; block run | sed 's/ --background//' | timeout 180 bash 2>&1)
set -e
kill "$holder" 2>/dev/null || true; holder=""
echo "$busy" | tail -5
echo "$busy" | tail -3 | grep -q "ecpay-einvoice: port $port (sandbox.port) is already in use" \
  || { echo "FAIL: a busy sandbox port did not end in its one line"; exit 1; }
if echo "$busy" | grep -q '^\s*at '; then echo "FAIL: a stack trace for a busy sandbox port"; exit 1; fi

# --- the documented steps (the operations server on a free port: other builds may hold 9581)
port=$(free_port)
export SANDBOX_PORT=$port ECPAY_BASE_URL=http://127.0.0.1:$port
export MANAGEMENT_PORT=$(free_port)
running=yes
run_block run
for _ in $(seq 1 90); do
  if camel get route ecpay-einvoice 2>/dev/null | grep -q ' ecpay-call .* Started'; then break; fi
  sleep 1
done

look=$(run_block look 2>&1)
echo "$look"
echo "$look" | grep -Eq ' ecpay-einvoice .* Running|ecpay-einvoice' || { echo "FAIL: camel ps does not show ecpay-einvoice"; exit 1; }
echo "$look" | grep -Eq ' ecpay-call .* Started ' || { echo "FAIL: ecpay-call is not Started"; exit 1; }
# Stopped: a route switched off by configuration; anything else but Started is a failure
if echo "$look" | grep -E ' ecpay-einvoice +[a-z-]+ ' | grep -E '(direct|timer|file|sql|sftp)[:/]' \
    | grep -Ev ' (Started|Stopped) ' | grep -q .; then echo "FAIL: a route failed"; exit 1; fi
health=$(echo "$look" | grep " ecpay-einvoice " | grep -E ' (UP|DOWN) ' || true)
echo "$health" | grep -q " UP " || { echo "FAIL: no health checks UP"; exit 1; }
if echo "$health" | grep -q ' DOWN '; then echo "FAIL: a health check is DOWN"; exit 1; fi
echo "$health" | grep -Eq 'ecpay/journal .* UP ' || { echo "FAIL: ecpay/journal is not UP"; exit 1; }
echo "$health" | grep -Eq 'ecpay/sftp .* UP ' || { echo "FAIL: ecpay/sftp is not UP"; exit 1; }

# the operations server of docs/observability.md answers under JBang too
curl -fsS "http://127.0.0.1:$MANAGEMENT_PORT/observe/metrics" | grep -q '^ecpay_commands{' \
  || { echo "FAIL: no product metrics on 127.0.0.1:$MANAGEMENT_PORT/observe/metrics"; exit 1; }
echo "$health" | grep -Eq 'ecpay/merchants .* UP ' || { echo "FAIL: ecpay/merchants is not UP"; exit 1; }

drop=$(run_block drop 2>&1)
echo "$drop"
result=""
for _ in $(seq 1 120); do
  result=$(find work/intake/archive -name '*issue-invoices.result.csv' 2>/dev/null | head -1 || true)
  if [ -n "$result" ]; then break; fi
  sleep 1
done
[ -n "$result" ] || { echo "FAIL: no result file for the drop within 120 s"; camel get route ecpay-einvoice; exit 1; }
echo "== result: $result"; cat "$result"
grep -q ",SUCCEEDED," "$result" || { echo "FAIL: no command of the drop succeeded"; exit 1; }
# the documented count by state answered (the body of the reply: a list of rows with STATE and N)
echo "$drop" | grep -Eq '\{STATE=[A-Z_]+, N=[0-9]+' || { echo "FAIL: no commands by state from the journal"; exit 1; }

run_block stop
running=""
for _ in $(seq 1 30); do
  if ! camel ps 2>/dev/null | grep -q ' ecpay-einvoice '; then break; fi
  sleep 1
done
if camel ps 2>/dev/null | grep -q ' ecpay-einvoice '; then echo "FAIL: ecpay-einvoice still runs after camel stop"; exit 1; fi
echo "JBang smoke test passed"
