# Sourced (not run) by the scripts that test against a bwvoice-mock process:
# examples/run_example.sh, test/consumer/run_consumer.sh, bench/smoke_peer.sh.
#
#   start_mock MOCK DIR [MOCK OPTIONS...]
#       makes a throw-away CA and server certificate in DIR/pki
#       (scripts/gen-certs.sh), starts MOCK on a free loopback port (--port 0:
#       no probe-and-close race) with them and the options given, and waits
#       until it listens. Sets mock_pid, mock_url (https://127.0.0.1:PORT/api/v2)
#       and mock_ca (the CA file to trust). Its output goes to DIR/mock.out and
#       DIR/mock.err. Returns 1, after printing mock.err, if it did not start.
#   stop_mock
#       stops it (SIGTERM) and waits for it; does nothing if none was started.
#   stop_mock_checked DIR
#       the mock must still be running and stop cleanly on SIGTERM (exit 0):
#       prints why and returns 1 if not (its stderr from DIR/mock.err).

start_mock() {
  local mock=$1 dir=$2
  shift 2
  "$(dirname "${BASH_SOURCE[0]}")/../gen-certs.sh" "$dir/pki" > /dev/null
  "$mock" --port 0 --cert "$dir/pki/server.crt" --key "$dir/pki/server.key" "$@" \
    > "$dir/mock.out" 2> "$dir/mock.err" &
  mock_pid=$!
  mock_ca=$dir/pki/ca.crt
  # Start-up takes milliseconds, seconds under a sanitizer on a busy machine.
  local _
  for _ in $(seq 600); do
    grep -q '^listening on ' "$dir/mock.out" 2> /dev/null && break
    kill -0 "$mock_pid" 2> /dev/null || break
    sleep 0.05
  done
  mock_url=$(sed -n 's|^listening on \(https://.*\)$|\1|p' "$dir/mock.out")
  if [ -z "$mock_url" ]; then
    echo "bwvoice-mock did not start:" >&2
    cat "$dir/mock.err" >&2
    return 1
  fi
}

stop_mock() {
  if [ -n "${mock_pid:-}" ]; then
    kill "$mock_pid" 2> /dev/null || true
    wait "$mock_pid" 2> /dev/null || true
    mock_pid=
  fi
}

stop_mock_checked() {
  local dir=$1 status=0
  if ! kill -0 "${mock_pid:-0}" 2> /dev/null; then
    echo "bwvoice-mock died during the run" >&2
    return 1
  fi
  kill -TERM "$mock_pid"
  wait "$mock_pid" || status=$?
  mock_pid=
  if [ "$status" -ne 0 ]; then
    cat "$dir/mock.err" >&2
    echo "bwvoice-mock exited with $status" >&2
    return 1
  fi
}
