#!/usr/bin/env bash
# Smoke test of bwvoice-peer (the bench-peers client contract): 300 lookups
# over 8 connections against a bwvoice-mock process; checks the exit status,
# the final "ok=300 failed=0" line and 300 result lines without an error.
#
#   bench/smoke_peer.sh PATH/TO/bwvoice-peer PATH/TO/bwvoice-mock
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BWVOICE_PEER BWVOICE_MOCK" >&2; exit 2; }
peer=$1 mock=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
n=300

work=$(mktemp -d "${TMPDIR:-/tmp}/bwvoice-smoke-peer.XXXXXX")
mock_pid=
cleanup() {
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$here/../scripts/gen-certs.sh" "$work"
"$mock" --port 0 --cert "$work/server.crt" --key "$work/server.key" \
  --user bench --password bench-pw --conferences 1000 > "$work/mock.out" 2> "$work/mock.err" &
mock_pid=$!
# Under ASan on a loaded machine start-up can take a few seconds.
for _ in $(seq 300); do
  grep -q '^listening on ' "$work/mock.out" 2>/dev/null && break
  kill -0 "$mock_pid" 2>/dev/null || break
  sleep 0.05
done
url=$(sed -n 's|^listening on \(https://[^/]*\)/api/v2$|\1|p' "$work/mock.out")
[ -n "$url" ] || { echo "smoke_peer: bwvoice-mock did not start" >&2; cat "$work/mock.err" >&2; exit 1; }

status=0
"$peer" --url "$url" --user bench --password bench-pw --ca "$work/ca.crt" \
  --connections 8 --requests "$n" > "$work/out" 2> "$work/err" || status=$?
fail() { echo "smoke_peer: $*" >&2; tail -n 5 "$work/err" >&2; exit 1; }
[ "$status" -eq 0 ] || fail "bwvoice-peer exited with $status"
[ "$(tail -n 1 "$work/err")" = "ok=$n failed=0" ] || fail "last stderr line is not ok=$n failed=0"
lines=$(wc -l < "$work/out")
[ "$lines" -eq "$n" ] || fail "$lines result lines, expected $n"
! grep -q '"error"' "$work/out" || fail "error lines in the output"
# Every i from 0 to n-1 exactly once.
[ "$(sed -n 's/^{"i":\([0-9]*\),.*/\1/p' "$work/out" | sort -n | uniq | wc -l)" -eq "$n" ] || fail "duplicate or missing i"
echo "smoke_peer: ok ($n lookups over 8 connections against $url)"
