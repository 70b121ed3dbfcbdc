#!/usr/bin/env bash
# CI smoke test of the runnable archive, as docs/running-in-production.md deploys it: builds
# target/ecpay-einvoice-<version>.tar.gz, unpacks it into a temporary folder, starts bin/ecpay-einvoice from another
# folder with a bare environment (Java on PATH, nothing else: embedded journal and local sandbox), drops an example
# file into its inbox, waits for the result file with its invoices, checks the log file, stops it with SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

. .ci/doc-blocks.sh
mkdir -p target
run_doc_block docs/running-in-production.md build-archive > target/build-archive.log 2>&1 \
  || { tail -40 target/build-archive.log; echo "FAIL: building the archive as docs/running-in-production.md shows"; exit 1; }
archive=$(ls target/ecpay-einvoice-*.tar.gz)
tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- console:"; tail -40 "$tmp/console.out" 2>/dev/null || true; exit 1; }

tar -xzf "$archive" -C "$tmp"
dist=$(ls -d "$tmp"/ecpay-einvoice-*)
for part in bin/ecpay-einvoice lib routes config/application.properties config/logback.xml examples/issue-invoices.jsonl; do
  [ -e "$dist/$part" ] || fail "the archive has no $part"
done
jars=$(ls "$dist/lib" | wc -l)
echo "== unpacked $(basename "$archive") into $tmp: $jars jars in lib/"
ls "$dist/lib" | grep -q '^ecpay-einvoice-camel-.*\.jar$' || fail "lib/ lacks the project jar"
ls "$dist/lib" | grep -q '^logback-classic-' || fail "lib/ lacks Logback"
if ls "$dist/lib" | grep -Eq '^(slf4j-simple|junit|camel-test|sshd)'; then fail "lib/ holds a test or retired jar"; fi

echo "== the env file beside bin/ is read (a profile that does not exist: one line, exit 2) and named when others may read it"
printf 'ECPAY_PROFILE=nosuch\n' > "$dist/ecpay-einvoice.env"
chmod 644 "$dist/ecpay-einvoice.env"
set +e; out=$(cd / && env -i PATH="$PATH" HOME="$tmp" "$dist/bin/ecpay-einvoice" 2>&1); code=$?; set -e
echo "$out"
[ "$code" = 2 ] || fail "exit code $code with an unknown profile from the env file"
echo "$out" | grep -q "unknown profile 'nosuch'" || fail "the env file was not read"
echo "$out" | grep -q "chmod 600" || fail "no warning for an env file others may read"
rm "$dist/ecpay-einvoice.env"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "== starting bin/ecpay-einvoice from / (sandbox on port $port)"
(cd / && exec env -i PATH="$PATH" HOME="$tmp" SANDBOX_PORT="$port" "$dist/bin/ecpay-einvoice") >"$tmp/console.out" 2>&1 &
pid=$!
log=$dist/work/logs/ecpay-einvoice.log
for _ in $(seq 1 120); do
  kill -0 "$pid" 2>/dev/null || fail "the main job exited at startup"
  if grep -q 'ecpay-einvoice started' "$log" 2>/dev/null; then break; fi
  sleep 1
done
grep -q 'ecpay-einvoice started' "$log" 2>/dev/null || fail "no 'ecpay-einvoice started' in $log within 120 s"
grep -m1 'ecpay-einvoice started' "$log"

echo "== dropping examples/issue-invoices.jsonl into work/intake/inbox"
mkdir -p "$dist/work/intake/inbox"
cp "$dist/examples/issue-invoices.jsonl" "$dist/work/intake/inbox/.issue-invoices.jsonl.part"
mv "$dist/work/intake/inbox/.issue-invoices.jsonl.part" "$dist/work/intake/inbox/issue-invoices.jsonl"
result=""
for _ in $(seq 1 120); do
  result=$(ls "$dist"/work/intake/archive/*-issue-invoices.result.csv 2>/dev/null || true)
  [ -n "$result" ] && break
  kill -0 "$pid" 2>/dev/null || fail "the main job died while processing the drop"
  sleep 1
done
[ -n "$result" ] || fail "no result file for the drop within 120 s"
cat "$result"
succeeded=$(grep -c 'SUCCEEDED' "$result" || true)
[ "$succeeded" -ge 3 ] || fail "expected at least 3 SUCCEEDED lines in the result file, found $succeeded"
grep -Eq '[A-Z]{2}[0-9]{8}' "$result" || fail "the result file names no invoice number"

echo "== stopping it (SIGTERM)"
kill -TERM "$pid"
for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
kill -0 "$pid" 2>/dev/null && fail "still running 60 s after SIGTERM"
set +e; wait "$pid"; code=$?; set -e
pid=""
# 143: the JVM ended by SIGTERM after its shutdown hook stopped Camel
[ "$code" = 0 ] || [ "$code" = 143 ] || fail "exit code $code after SIGTERM"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+([+-][0-9]{2}:[0-9]{2}|Z) \[' "$log" || fail "the log file lines carry no date and time"
echo "distribution smoke test passed: $succeeded commands SUCCEEDED, stopped with exit code $code"
