#!/usr/bin/env bash
# Instructions per lookup, counted by valgrind's callgrind: repeatable on a
# noisy machine, for tracking regressions between commits.
#
#   bench/callgrind.sh [BUILD_DIR]      (default build/release)
#
# Runs bwvoice-peer under callgrind twice against a local bwvoice-mock (C=64),
# with N1 and N2 lookups, and prints (I(N2) - I(N1)) / (N2 - N1): the cost of
# one more lookup, with start-up and the TLS handshakes cancelled out. The
# per-library split shows where it goes.
#
# Against the bench-peers nginx instead of the mock: start it with
# ../shared/bench-peers/server.sh start DIR, source DIR/server.env, and run
# with BP_URL, BP_USER, BP_PASSWORD and BP_CA set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build/release}
n1=${N1:-2000} n2=${N2:-10000} c=${CONNECTIONS:-64}
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 1; }
[ -x "$build/bench/bwvoice-peer" ] && [ -x "$build/src/mock/bwvoice-mock" ] ||
  { echo "callgrind.sh: build bwvoice-peer and bwvoice-mock in $build first" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bwvoice-cg.XXXXXX")
mock_pid=
trap '[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$work"' EXIT
if [ -n "${BP_URL:-}" ]; then
  url=$BP_URL user=$BP_USER password=$BP_PASSWORD ca=$BP_CA server=nginx
else
  scripts/gen-certs.sh "$work" >/dev/null
  "$build/src/mock/bwvoice-mock" --port 0 --cert "$work/server.crt" --key "$work/server.key" \
    --user bench --password bench-pw --conferences 1000 > "$work/mock.out" &
  mock_pid=$!
  for _ in $(seq 100); do grep -q listening "$work/mock.out" 2>/dev/null && break; sleep 0.05; done
  url=$(sed -n 's|^listening on \(https://[^/]*\)/api/v2$|\1|p' "$work/mock.out")
  [ -n "$url" ] || { echo "callgrind.sh: bwvoice-mock did not start" >&2; exit 1; }
  user=bench password=bench-pw ca=$work/ca.crt server=bwvoice-mock
fi

run() {
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.$1" "$build/bench/bwvoice-peer" --url "$url" \
    --user "$user" --password "$password" --ca "$ca" --connections "$c" --requests "$1" \
    > /dev/null 2> "$work/err.$1"
  grep -q "ok=$1 failed=0" "$work/err.$1" || { echo "callgrind.sh: run of $1 failed" >&2; tail -n 5 "$work/err.$1" >&2; exit 1; }
}
run "$n1"
run "$n2"

split() {
  callgrind_annotate --threshold=100 "$1" 2>/dev/null | python3 -c '
import collections, re, sys
c = collections.Counter()
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \(.*\)\s+.*\[(.*)\]\s*$", line)
    if m:
        c[m.group(2).split("/")[-1]] += int(m.group(1).replace(",", ""))
for k, v in c.items():
    print(k, v)'
}
split "$work/cg.$n1" | sort > "$work/s1"
split "$work/cg.$n2" | sort > "$work/s2"
total1=$(sed -n 's/^totals: //p' "$work/cg.$n1")
total2=$(sed -n 's/^totals: //p' "$work/cg.$n2")
echo "instructions per lookup against $server (C=$c, N=$n1..$n2): $(( (total2 - total1) / (n2 - n1) ))"
join "$work/s1" "$work/s2" | awk -v d=$((n2 - n1)) '{ printf "  %-32s %8d\n", $1, ($3 - $2) / d }' | sort -k2 -nr | head -8
