#!/usr/bin/env bash
# Instructions per lookup, counted by valgrind's callgrind: repeatable on a
# noisy machine, for tracking regressions between commits.
#
#   bench/callgrind.sh [BUILD_DIR]      (default build/release)
#
# Runs bwvoice-bench --callgrind-lookups N under callgrind against a local
# bwvoice-mock process (C=64): it opens the pool's connections and warms up
# uninstrumented (--instr-atstart=no), then zeroes the counters, runs exactly
# N lookups and dumps them as one part ("lookups"). Instructions per lookup =
# that part's total / N: no start-up, no TLS handshake (and so no run-to-run
# noise from whether a session happened to be resumed). The per-library split
# shows where they go.
#
# Against the bench-peers nginx instead of the mock: start it with
# ../shared/bench-peers/server.sh start DIR, source DIR/server.env, and run
# with BP_URL, BP_USER, BP_PASSWORD and BP_CA set. OBSERVER=1 installs an
# observer that counts every event (the cost of observation). CACHE_SIM=1
# also simulates the caches and prints the misses per lookup (D1mr: first
# level data read misses, DLmr: last level), and with TOP_MISSES=K as well
# the K functions with the most last-level misses. CONNECTIONS=C sets C.
# CG_OUT=FILE keeps the measured part for callgrind_annotate (--tree=caller).
set -euo pipefail
cg_out=${CG_OUT:+$(realpath -m -- "$CG_OUT")}  # before the cd: relative to the caller
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build/release}
n=${N:-10000} c=${CONNECTIONS:-64}
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 1; }
[ -x "$build/bench/bwvoice-bench" ] && [ -x "$build/src/mock/bwvoice-mock" ] ||
  { echo "callgrind.sh: build bwvoice-bench and bwvoice-mock in $build first" >&2; exit 1; }

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

valgrind --tool=callgrind --instr-atstart=no ${CACHE_SIM:+--cache-sim=yes} --callgrind-out-file="$work/cg" \
  "$build/bench/bwvoice-bench" --callgrind-lookups "$n" --connections "$c" \
  --url "$url" --user "$user" --password "$password" --ca "$ca" ${OBSERVER:+--observer} > /dev/null 2> "$work/err" ||
  { echo "callgrind.sh: the run failed" >&2; tail -n 5 "$work/err" >&2; exit 1; }
# The part dumped by CALLGRIND_DUMP_STATS_AT("lookups"); the file written at
# exit holds only the shutdown.
part=$(grep -l '^desc: Trigger: Client Request: lookups' "$work"/cg.* 2>/dev/null | head -n 1)
[ -n "$part" ] || { echo "callgrind.sh: no \"lookups\" dump (bwvoice-bench built without valgrind/callgrind.h?)" >&2; exit 1; }

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
[ -n "$cg_out" ] && cp "$part" "$cg_out"
totals=$(sed -n 's/^totals: //p' "$part")
total=${totals%% *}
echo "instructions per lookup against $server (C=$c, N=$n, handshake-free): $(( total / n ))"
if [ -n "${CACHE_SIM:-}" ]; then
  # Simulated caches (valgrind's model of this machine's D1 and last level):
  # the misses per lookup, which grow with C when connections stop fitting.
  events=$(sed -n 's/^events: //p' "$part")
  paste <(tr ' ' '\n' <<< "$events") <(tr ' ' '\n' <<< "$totals") |
    awk -v n="$n" '{ printf "  %-6s per lookup %10.1f\n", $1, $2 / n }'
fi
split "$part" | awk -v n="$n" '{ printf "  %-32s %8d\n", $1, $2 / n }' | sort -k2 -nr | head -8
if [ -n "${CACHE_SIM:-}" ] && [ -n "${TOP_MISSES:-}" ]; then
  # Where the last-level misses are: the functions with the most, per lookup.
  echo "last-level misses (read + write) per lookup, by function:"
  callgrind_annotate --inclusive=no --threshold=100 --show=DLmr,DLmw --sort=DLmr,DLmw "$part" > "$work/annotated" ||
    { echo "callgrind.sh: callgrind_annotate failed" >&2; exit 1; }
  python3 - "$n" "$TOP_MISSES" "$work/annotated" <<'PY'
import re, sys
n, top = int(sys.argv[1]), int(sys.argv[2])
count = r"([\d,]+|\.)(?: \([^)]*\))?"  # "." (or no percentage) when a count is zero
rows = []
for line in open(sys.argv[3]):
    m = re.match(r"\s*" + count + r"\s+" + count + r"\s+(\S.*)$", line)
    if not m or m.group(3).startswith("PROGRAM TOTALS"):
        continue
    r, w = (0 if g == "." else int(g.replace(",", "")) for g in m.group(1, 2))
    rows.append((r + w, r, w, m.group(3)[:110]))
for t, r, w, f in sorted(rows, reverse=True)[:top]:
    print(f"  {t / n:7.1f}  (read {r / n:6.1f}, write {w / n:6.1f})  {f}")
PY
fi
