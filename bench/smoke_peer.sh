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
# shellcheck source=../scripts/lib/mock.sh
. "$here/../scripts/lib/mock.sh"
n=300

work=$(mktemp -d "${TMPDIR:-/tmp}/bwvoice-smoke-peer.XXXXXX")
cleanup() {
  stop_mock
  rm -rf "$work"
}
trap cleanup EXIT

start_mock "$mock" "$work" --user bench --password bench-pw --conferences 1000 ||
  { echo "smoke_peer: bwvoice-mock did not start" >&2; exit 1; }
url=${mock_url%/api/v2}  # bwvoice-peer takes the origin

status=0
"$peer" --url "$url" --user bench --password bench-pw --ca "$mock_ca" \
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
