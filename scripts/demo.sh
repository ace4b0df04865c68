#!/usr/bin/env bash
# One-command demo on a fresh Debian 12 machine: installs what is missing,
# builds, starts bwvoice-mock on loopback with freshly generated certificates,
# and looks up a few thousand conferences concurrently with bwconf.
#   scripts/demo.sh [LOOKUPS]     (default 20000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

lookups=${1:-20000}
[[ "$lookups" =~ ^[0-9]+$ && "$lookups" -gt 0 ]] || { echo "usage: scripts/demo.sh [LOOKUPS]" >&2; exit 2; }

scripts/install-deps.sh
echo "== building (release)" >&2
cmake --preset release >/dev/null
cmake --build --preset release --target bwconf bwvoice-mock -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/bwvoice-demo.XXXXXX")
mock_pid=
cleanup() {
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== generating a throw-away CA and a localhost certificate" >&2
scripts/gen-certs.sh "$work" >/dev/null

password=$(openssl rand -hex 12)
build/release/src/mock/bwvoice-mock --port 0 --cert "$work/server.crt" --key "$work/server.key" \
  --user demo --password "$password" --conferences 1000 > "$work/mock.out" &
mock_pid=$!
for _ in $(seq 100); do grep -q listening "$work/mock.out" 2>/dev/null && break; sleep 0.05; done
base_url=$(sed -n 's/^listening on //p' "$work/mock.out")
[ -n "$base_url" ] || { echo "bwvoice-mock did not start" >&2; exit 1; }
echo "== bwvoice-mock is serving $base_url" >&2

# conf-0 .. conf-999 exist; every 500th ID does not, to show an error line.
for ((i = 0; i < lookups; i++)); do
  if ((i % 500 == 499)); then echo "conf-missing-$i"; else echo "conf-$((i % 1000))"; fi
done > "$work/ids.txt"

echo "== bwconf get: $lookups lookups, 64 in flight over a pool of 16 TLS connections" >&2
status=0
BW_VOICE_BASE_URL=$base_url BW_ACCOUNT_ID=9900000 BW_USERNAME=demo BW_PASSWORD=$password \
  build/release/src/cli/bwconf get --ca-file "$work/ca.crt" --ids-from "$work/ids.txt" \
  --concurrency 64 --pool-size 16 --progress > "$work/results.jsonl" || status=$?

echo "== first lines of output (one JSON line per ID, in input order):" >&2
head -n 2 "$work/results.jsonl"
grep -m 1 '"error"' "$work/results.jsonl" || true
echo "== $(wc -l < "$work/results.jsonl") result lines; bwconf exit status $status (1: some lookups failed, as planned)" >&2
