#!/usr/bin/env bash
# CI smoke test of the Camel JBang runtime: build the `camel` command (tools/camel-cli), install this project's jar
# into the local Maven repository, run the shipped routes with `camel run` in the background (with the local ECPay
# sandbox inside, tools/jbang/sandbox.camel.yaml), then prove they work: `camel get route` / `camel get health`, and
# a file dropped into the inbox produces its result file (or, without file intake, a command sent to
# direct:ecpay-call gets the sandbox's reply). Always ends with `camel stop`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/jbang-smoke
rm -rf "$work" && mkdir -p "$work"

echo "== building the camel command and installing the project jar"
mvn -B -q -f tools/camel-cli/pom.xml package -DskipTests
mvn -B -q install -DskipTests
export PATH="$root/tools/bin:$PATH"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sandbox_port=$(free_port)
# the project's own <version>: the first one in pom.xml (the parent-less project's)
version=$(grep -m1 -o '<version>[^<]*</version>' pom.xml | sed 's/<[^>]*>//g')

# route files in load order, beans files first (a route may refer to a bean declared in another file)
files=(routes/beans*.camel.yaml $(ls routes/*.camel.yaml | grep -v '^routes/beans') tools/jbang/sandbox.camel.yaml)
pattern=$(printf 'file:%s,' "${files[@]}"); pattern=${pattern%,}

args=("${files[@]}" config/application.properties
  --dep="tw.einvoice:ecpay-einvoice-camel:$version" --kamelets-version=4.16.0 --background
  # application.properties names the route files itself (and wins over the list above): name them in order
  --prop="camel.main.routes-include-pattern=$pattern"
  --prop="camel.main.name=ecpay-jbang-smoke"
  --prop="sandbox.port=$sandbox_port" --prop="ecpay.base-url=http://127.0.0.1:$sandbox_port"
  --prop="journal.url=jdbc:h2:file:$work/journal/ecpay"
  --prop="intake.file.inbox=$work/inbox" --prop="intake.file.archive-dir=$work/archive")

pid=""
stop() {
  if [ -n "$pid" ]; then camel stop "$pid" >/dev/null 2>&1 || true; fi
}
trap stop EXIT

echo "== camel run ${args[*]}"
camel run "${args[@]}"
for _ in $(seq 1 90); do
  pid=$(camel ps 2>/dev/null | awk '$2 == "ecpay-jbang-smoke" {print $1; exit}')
  if [ -n "$pid" ] && camel get route "$pid" 2>/dev/null | grep -q 'ecpay-call .* Started'; then break; fi
  sleep 1
done
[ -n "$pid" ] || { echo "FAIL: the integration did not start; log:"; tail -50 ~/.camel/*.log 2>/dev/null; exit 1; }

echo "== camel get route"
camel get route "$pid"
# Stopped: a route switched off by configuration (autoStartup false); anything else but Started is a failure
if camel get route "$pid" | awk 'NR>1' | grep -Ev ' (Started|Stopped) ' | grep -q .; then echo "FAIL: a route failed"; exit 1; fi
camel get route "$pid" | grep -Eq ' ecpay-call .* Started ' || { echo "FAIL: ecpay-call is not Started"; exit 1; }
echo "== camel get health --level=full"
health=$(camel get health --level=full)  # this command takes no name: keep our integration's lines
echo "$health"
echo "$health" | grep -q "ecpay-jbang-smoke .* UP " || { echo "FAIL: no health checks UP"; exit 1; }
if echo "$health" | grep "ecpay-jbang-smoke" | grep -q ' DOWN '; then echo "FAIL: a health check is DOWN"; exit 1; fi
echo "$health" | grep "ecpay-jbang-smoke" | grep -q "ecpay/journal .* UP " || { echo "FAIL: the journal health check is not UP"; exit 1; }

if [ -f routes/intake-file.camel.yaml ] && ls examples/*.jsonl >/dev/null 2>&1; then
  sample=$(ls examples/*.jsonl | head -1)
  echo "== dropping $sample into $work/inbox"
  mkdir -p "$work/inbox" && cp "$sample" "$work/inbox/"
  for _ in $(seq 1 120); do
    result=$(find "$work/archive" -name '*.result.csv' 2>/dev/null | head -1 || true)
    if [ -n "$result" ]; then break; fi
    sleep 1
  done
  [ -n "$result" ] || { echo "FAIL: no result file for $sample within 120 s"; camel get route "$pid"; exit 1; }
  echo "== result: $result"; cat "$result"
  grep -q ",SUCCEEDED," "$result" || { echo "FAIL: no command of $sample succeeded"; exit 1; }
else
  echo "== no file intake in routes/: sending one command to direct:ecpay-call"
  reply=$(camel cmd send "$pid" --endpoint=direct:ecpay-call --reply --logging-color=false \
    --body='{"id":"smoke-1","operation":"B2CInvoice/GetIssue","merchantId":"2000132","data":{"RelateNumber":"SMOKE1"}}' 2>&1)
  echo "$reply"
  # TransCode 1: the sandbox decrypted the envelope the route built and answered with an RtnCode
  echo "$reply" | grep -Eq 'EcpayTransCode +1 ' && echo "$reply" | grep -Eq 'EcpayRtnCode +[0-9]+' \
    || { echo "FAIL: no ECPay reply from the sandbox"; exit 1; }
fi

echo "== camel stop"
camel stop "$pid"
pid=""
echo "JBang smoke test passed"
