#!/usr/bin/env bash
# Runs one example against a fresh bwvoice-mock, as CTest does (examples/CMakeLists.txt):
#
#   examples/run_example.sh --mock PATH/TO/bwvoice-mock [--mock-arg ARG]... \
#       [--expect-status N] [--expect REGEX]... -- PATH/TO/EXAMPLE [ARG...]
#
# Writes a throw-away CA and server certificate (scripts/gen-certs.sh), starts
# the mock on a port it picks itself (--port 0, read back from its
# "listening on URL" line, so no other process can take the port between a
# probe and the bind), runs the example in a scratch folder with BW_VOICE_BASE_URL,
# BW_ACCOUNT_ID, BW_USERNAME, BW_PASSWORD and BW_CA_FILE set, and checks its exit
# status (0 unless --expect-status) and that its stdout matches every --expect
# (grep -E, one line each). Stops the mock, which must then exit cleanly.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../scripts/lib/mock.sh
. "$here/../scripts/lib/mock.sh"

mock= expect_status=0
mock_args=() expects=()
while [ $# -gt 0 ]; do
  case $1 in
    --mock) mock=$2; shift 2 ;;
    --mock-arg) mock_args+=("$2"); shift 2 ;;
    --expect-status) expect_status=$2; shift 2 ;;
    --expect) expects+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "run_example: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$mock" ] && [ $# -ge 1 ] || {
  echo "usage: $0 --mock BWVOICE_MOCK [--mock-arg ARG]... [--expect-status N] [--expect REGEX]... -- EXAMPLE [ARG...]" >&2
  exit 2
}
example=$1; shift
name=$(basename "$example")

work=$(mktemp -d "${TMPDIR:-/tmp}/bwvoice-example.XXXXXX")
cleanup() {
  stop_mock
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "run_example: $name: $*" >&2; exit 1; }

# A fresh password per run, so nothing here is a credential worth keeping.
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
start_mock "$mock" "$work" --account 9900000 --user example-user --password "$password" "${mock_args[@]}" ||
  fail "bwvoice-mock did not start"
url=$mock_url

mkdir "$work/run"
status=0
# env -u: the caller's own settings (say, OAuth client credentials) must not leak in.
(cd "$work/run" && env -u BW_CLIENT_ID -u BW_CLIENT_SECRET -u BW_TOKEN_URL \
   BW_VOICE_BASE_URL="$url" BW_ACCOUNT_ID=9900000 BW_USERNAME=example-user BW_PASSWORD="$password" \
   BW_CA_FILE="$mock_ca" \
   timeout 120 "$example" "$@") > "$work/out" 2> "$work/err" || status=$?

# What the example printed, for the CTest log.
echo "--- $name${*:+ $*} (exit $status), stdout:"
cat "$work/out"
if [ -s "$work/err" ]; then echo "--- stderr:"; cat "$work/err"; fi
echo "---"

[ "$status" -eq "$expect_status" ] || fail "exit status $status, expected $expect_status"
for pattern in "${expects[@]}"; do
  grep -Eq -- "$pattern" "$work/out" || fail "no line of its output matches: $pattern"
done

# The mock must have survived, and stop cleanly on SIGTERM.
stop_mock_checked "$work" || fail "the mock did not survive the run"
echo "run_example: $name: ok"
