#!/usr/bin/env bash
# The test example.metrics_exporter (examples/CMakeLists.txt): scrapes the
# metrics_exporter example over HTTP, as Prometheus would, and has promtool
# judge what it served.
#
#   examples/metrics_exporter/scrape_test.sh --mock PATH/TO/bwvoice-mock -- PATH/TO/metrics_exporter
#
# run_example.sh runs a program to its end and reads what it printed; this
# one has to talk to the program while it runs. It starts a fresh
# bwvoice-mock (scripts/lib/mock.sh), then the exporter (--port 0 --rounds 2
# --requests 1) and, once the exporter printed "lookups done", checks
#   - that another path is answered 404 (and does not end the exporter);
#   - HEAD /metrics: 200 with a Content-Length and no body; HEAD elsewhere:
#     404 without a body; POST /metrics: 405 with Allow: GET, HEAD;
#   - that with MetricsServer::kMaxSessions (16) connections open and idle,
#     one more is closed at once, and scrapes work again once they close;
#   - GET /metrics: status 200, Content-Type text/plain; version=0.0.4; charset=utf-8;
#   - `promtool check metrics` (Debian's package prometheus; scripts/install-deps.sh)
#     on the body: it must exit 0 and print nothing, lint warnings included;
#   - that the `# TYPE` lines are exactly the families expected, and no
#     series comes twice;
#   - what promtool does not check: every histogram series has cumulative
#     buckets in increasing `le` order, a +Inf bucket, and _count equal to it;
#   - that the lookups were counted: 2 rounds of conf-0 conf-1 conf-2 (found)
#     and conf-does-not-exist (not_found) make 6 successes and 2 not_found,
#     taking more than 0 and less than 30 s each on average (_sum in seconds);
#   - that the exporter then exits 0, and the mock survived and stops cleanly.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/lib/mock.sh
. "$here/../../scripts/lib/mock.sh"

mock=
while [ $# -gt 0 ]; do
  case $1 in
    --mock) mock=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "scrape_test: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$mock" ] && [ $# -eq 1 ] || { echo "usage: $0 --mock BWVOICE_MOCK -- METRICS_EXPORTER" >&2; exit 2; }
exporter=$1
promtool=${PROMTOOL:-promtool}

work=$(mktemp -d "${TMPDIR:-/tmp}/bwvoice-metrics.XXXXXX")
exporter_pid=
cleanup() {
  if [ -n "$exporter_pid" ]; then kill "$exporter_pid" 2> /dev/null || true; wait "$exporter_pid" 2> /dev/null || true; fi
  stop_mock
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "scrape_test: $*" >&2
  for f in out err; do [ -s "$work/exporter.$f" ] && { echo "--- exporter std$f:"; cat "$work/exporter.$f"; }; done
  [ -s "$work/metrics.txt" ] && { echo "--- /metrics:"; cat "$work/metrics.txt"; }
  exit 1
}

command -v "$promtool" > /dev/null || fail "no promtool (Debian: apt-get install prometheus, or scripts/install-deps.sh)"
command -v curl > /dev/null || fail "no curl"

password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
start_mock "$mock" "$work" --account 9900000 --user example-user --password "$password" || fail "bwvoice-mock did not start"

# env -u: the caller's own settings (say, OAuth client credentials) must not leak in.
env -u BW_CLIENT_ID -u BW_CLIENT_SECRET -u BW_TOKEN_URL \
  BW_VOICE_BASE_URL="$mock_url" BW_ACCOUNT_ID=9900000 BW_USERNAME=example-user BW_PASSWORD="$password" \
  BW_CA_FILE="$mock_ca" \
  "$exporter" --port 0 --interval-ms 10 --rounds 2 --requests 1 > "$work/exporter.out" 2> "$work/exporter.err" &
exporter_pid=$!

# The lookups take milliseconds, seconds under a sanitizer on a busy machine.
for _ in $(seq 1200); do
  grep -q '^lookups done: ' "$work/exporter.out" 2> /dev/null && break
  kill -0 "$exporter_pid" 2> /dev/null || break
  sleep 0.05
done
grep -q '^lookups done: 2 rounds, 6 found, 2 failed$' "$work/exporter.out" || fail "the exporter did not report its lookups"
url=$(sed -n 's|^listening on \(http://.*/metrics\)$|\1|p' "$work/exporter.out")
[ -n "$url" ] || fail "the exporter did not print the URL it listens at"

# --noproxy: a proxy set in the environment must not answer for loopback.
status=$(curl -sS --noproxy '*' --max-time 30 -o /dev/null -w '%{http_code}' "${url%/metrics}/elsewhere") ||
  fail "curl ${url%/metrics}/elsewhere failed"
[ "$status" = 404 ] || fail "GET /elsewhere: status $status, expected 404"

# Requests curl would not show as sent: over bash's /dev/tcp, with
# Connection: close, so that whatever follows the headers is read to the end.
hostport=${url#http://}
hostport=${hostport%%/*}
host=${hostport%:*}
port=${hostport##*:}
raw() { # METHOD PATH OUTPUT: the response as received, headers and body
  local fd
  exec {fd}<> "/dev/tcp/$host/$port" || fail "cannot connect to $hostport"
  printf '%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$1" "$2" "$hostport" >&"$fd"
  timeout 30 cat <&"$fd" > "$3" || fail "$1 $2: no complete response within 30 s"
  exec {fd}>&-
}
header() { tr -d '\r' < "$1" | sed -n "1,/^\$/s/^$2: *//Ip"; }
body_bytes() { echo $(($(wc -c < "$1") - $(sed -n '1,/^\r$/p' "$1" | wc -c))); }
raw HEAD /metrics "$work/head"
head -n1 "$work/head" | grep -Eq '^HTTP/1\.1 200 ' || fail "HEAD /metrics: $(head -n1 "$work/head")"
[ "$(header "$work/head" content-length)" -gt 0 ] || fail "HEAD /metrics: no Content-Length"
[ "$(body_bytes "$work/head")" -eq 0 ] || fail "HEAD /metrics: a body of $(body_bytes "$work/head") bytes"
raw HEAD /elsewhere "$work/head404"
head -n1 "$work/head404" | grep -Eq '^HTTP/1\.1 404 ' || fail "HEAD /elsewhere: $(head -n1 "$work/head404")"
[ "$(body_bytes "$work/head404")" -eq 0 ] || fail "HEAD /elsewhere: a body of $(body_bytes "$work/head404") bytes"
raw POST /metrics "$work/post"
head -n1 "$work/post" | grep -Eq '^HTTP/1\.1 405 ' || fail "POST /metrics: $(head -n1 "$work/post")"
[ "$(header "$work/post" allow)" = "GET, HEAD" ] || fail "POST /metrics: Allow '$(header "$work/post" allow)'"

# The cap on connections: 16 idle ones, then one more, which the exporter
# must close at once (EOF: read returns 1; a timeout returns more than 128).
held=()
for _ in $(seq 16); do
  exec {fd}<> "/dev/tcp/$host/$port" || fail "cannot connect to $hostport"
  held+=("$fd")
done
exec {fd}<> "/dev/tcp/$host/$port" || fail "cannot connect to $hostport"
read_status=0
read -r -t 5 -u "$fd" _ || read_status=$?
exec {fd}>&-
[ "$read_status" -eq 1 ] || fail "a 17th connection was not closed at once (read: $read_status)"
for fd in "${held[@]}"; do exec {fd}>&-; done
# Those 16 end as the exporter reads their end; until then, it may close more.
for _ in $(seq 200); do
  status=$(curl -sS --noproxy '*' --max-time 30 -o /dev/null -w '%{http_code}' "${url%/metrics}/elsewhere" 2> /dev/null) &&
    break
  sleep 0.05
done
[ "$status" = 404 ] || fail "GET /elsewhere after closing the idle connections: status $status, expected 404"

curl -sS --noproxy '*' --max-time 30 -D "$work/headers" -o "$work/metrics.txt" "$url" || fail "curl $url failed"
tr -d '\r' < "$work/headers" > "$work/headers.txt"
head -n1 "$work/headers.txt" | grep -Eq '^HTTP/1\.1 200 ' || fail "GET /metrics: $(head -n1 "$work/headers.txt")"
grep -iqx 'content-type: text/plain; version=0.0.4; charset=utf-8' "$work/headers.txt" ||
  fail "GET /metrics: wrong Content-Type: $(grep -i '^content-type:' "$work/headers.txt")"

# promtool exits 1 on a parse error and 3 on lint problems; anything it
# prints is a problem too.
promtool_status=0
"$promtool" check metrics < "$work/metrics.txt" > "$work/promtool.out" 2>&1 || promtool_status=$?
if [ "$promtool_status" -ne 0 ] || [ -s "$work/promtool.out" ]; then
  cat "$work/promtool.out" >&2
  fail "promtool check metrics: exit $promtool_status, see above"
fi

# Every family, with its type: a family gone, renamed or retyped, or a TYPE
# line lost, changes the dashboards and alerts built on them.
expected_types=$(sort << 'EOF'
bwvoice_operations_total counter
bwvoice_operation_duration_seconds histogram
bwvoice_operations_in_flight gauge
bwvoice_retries_total counter
bwvoice_stale_resends_total counter
bwvoice_pool_open_connections gauge
bwvoice_pool_idle_connections gauge
bwvoice_pool_waiting_operations gauge
bwvoice_connections_opened_total counter
bwvoice_connections_closed_total counter
bwvoice_connection_reuses_total counter
bwvoice_tls_handshakes_total counter
bwvoice_tls_sessions_resumed_total counter
bwvoice_sent_bytes_total counter
bwvoice_received_bytes_total counter
bwvoice_resolve_duration_seconds histogram
bwvoice_connect_duration_seconds histogram
bwvoice_tls_handshake_duration_seconds histogram
bwvoice_pool_wait_duration_seconds histogram
bwvoice_oauth_tokens_fetched_total counter
bwvoice_oauth_token_failures_total counter
EOF
)
types=$(sed -n 's/^# TYPE //p' "$work/metrics.txt" | sort)
[ "$types" = "$expected_types" ] ||
  fail "the families differ from those expected (<: expected, >: served):
$(diff <(echo "$expected_types") <(echo "$types") || true)"
duplicates=$(grep -v '^#' "$work/metrics.txt" | awk '{ print $1 }' | sort | uniq -d)
[ -z "$duplicates" ] || fail "series served twice: $duplicates"

# Histograms, which promtool takes as they come: per series (the name
# without _bucket/_count, the labels without le), buckets in increasing le
# order with non-decreasing counts, +Inf last, and _count equal to +Inf;
# and _sum in the buckets' unit: between half the least and twice the most
# the bucket counts allow (a sum in milliseconds is a thousand times off).
awk '
  function bad(msg) { print "histogram: " msg > "/dev/stderr"; errors++ }
  /^#/ || NF != 2 { next }
  $1 ~ /_bucket\{/ {
    le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le)
    key = $1; sub(/_bucket\{/, "{", key); sub(/,?le="[^"]*"/, "", key); sub(/\{\}$/, "", key)
    if (key in inf) bad("a bucket after +Inf: " $1)
    if (key in last && $2 + 0 < last[key]) bad("the count decreases at " $1)
    if (le != "+Inf" && key in last_le && le + 0 <= last_le[key]) bad("le out of order at " $1)
    delta = $2 - last[key]
    if (le == "+Inf") { if (delta > 0) unbounded[key] = 1 } else { least[key] += delta * last_le[key]; most[key] += delta * le }
    last[key] = $2 + 0; if (le == "+Inf") inf[key] = $2 + 0; else last_le[key] = le + 0
    next
  }
  $1 ~ /_count(\{|$)/ { key = $1; sub(/_count\{/, "{", key) || sub(/_count$/, "", key); count[key] = $2 + 0 }
  $1 ~ /_sum(\{|$)/ { key = $1; sub(/_sum\{/, "{", key) || sub(/_sum$/, "", key); sum[key] = $2 + 0 }
  END {
    for (k in last) {
      if (!(k in inf)) bad("no +Inf bucket: " k)
      else if (!(k in count)) bad("no _count: " k)
      else if (inf[k] != count[k]) bad("+Inf " inf[k] " but _count " count[k] ": " k)
      else if (!(k in sum)) bad("no _sum: " k)
      else if (sum[k] < least[k] / 2 || (!(k in unbounded) && sum[k] > most[k] * 2))
        bad("_sum " sum[k] " where the buckets say " least[k] " to " (k in unbounded ? "more" : most[k]) ": " k)
    }
    exit errors > 0
  }' "$work/metrics.txt" || fail "malformed histograms, see above"

value() { awk -v s="$1" '$1 == s { print $2 }' "$work/metrics.txt"; }
expect() {
  local got
  got=$(value "$1")
  [ "$got" = "$2" ] || fail "$1 is '${got}', expected $2"
}
expect 'bwvoice_operations_total{operation="get_conference",outcome="success"}' 6
expect 'bwvoice_operations_total{operation="get_conference",outcome="not_found"}' 2
expect 'bwvoice_operation_duration_seconds_count{operation="get_conference"}' 8
expect 'bwvoice_operations_in_flight' 0
# _sum in seconds: a lookup from a loopback mock takes more than 0 and far
# less than 30 s (in milliseconds or nanoseconds, the sum would be off).
duration_sum=$(value 'bwvoice_operation_duration_seconds_sum{operation="get_conference"}')
awk -v s="$duration_sum" 'BEGIN { exit !(s > 0 && s < 8 * 30) }' ||
  fail "get_conference's _sum is '${duration_sum}', expected more than 0 and less than _count (8) * 30 s"
[ "$(value bwvoice_connections_opened_total)" -ge 1 ] || fail "no connection counted as opened"
[ "$(value bwvoice_sent_bytes_total)" -gt 0 ] || fail "no bytes counted as sent"

# --requests 1: the scrape was the last thing it had to do.
for _ in $(seq 600); do
  kill -0 "$exporter_pid" 2> /dev/null || break
  sleep 0.05
done
kill -0 "$exporter_pid" 2> /dev/null && fail "the exporter still runs 30 s after its last scrape (--requests 1)"
exporter_status=0
wait "$exporter_pid" || exporter_status=$?
exporter_pid=
[ "$exporter_status" -eq 0 ] || fail "the exporter exited with $exporter_status after its last scrape"

echo "--- metrics_exporter, stdout:"
cat "$work/exporter.out"
echo "--- $(grep -vc '^#' "$work/metrics.txt") samples in $(grep -c '^# TYPE' "$work/metrics.txt") families; promtool: no complaints"

# The mock must have survived, and stop cleanly on SIGTERM.
stop_mock_checked "$work" || fail "the mock did not survive the run"
echo "scrape_test: ok"
