#!/usr/bin/env bash
# Builds test/consumer/app against bwvoice one way and runs it against a
# bwvoice-mock process (one lookup over TLS).
#
#   run_consumer.sh MODE SOURCE_DIR BUILD_DIR MOCK [PREFIX]
#
# MODE is package (cmake --install BUILD_DIR into a temporary prefix, then
# find_package; also a pkg-config build and, for a shared library, its SONAME
# and exported symbols), installed (find_package from PREFIX, installed by
# someone else, e.g. the .deb), subdirectory or fetchcontent (from SOURCE_DIR,
# building the library inside the consumer's build).
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 MODE SOURCE_DIR BUILD_DIR MOCK [PREFIX]" >&2; exit 2; }
mode=$1 src=$(cd "$2" && pwd) build=$3 mock=$4 prefix=${5:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../scripts/lib/mock.sh
. "$here/../../scripts/lib/mock.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/bwvoice-consumer-$mode.XXXXXX")
cleanup() {
  stop_mock
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "consumer($mode): $*" >&2; exit 1; }

configure_args=(-S "$here/app" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE= "-DBWVOICE_CONSUMER_MODE=$mode")
case $mode in
  package)
    prefix=$work/prefix
    cmake --install "$build" --prefix "$prefix" > "$work/install.log" || { cat "$work/install.log" >&2; fail "cmake --install failed"; }
    configure_args+=("-DCMAKE_PREFIX_PATH=$prefix" -DBWVOICE_CONSUMER_MODE=package)
    ;;
  installed)
    [ -n "$prefix" ] || fail "installed needs PREFIX"
    configure_args+=("-DCMAKE_PREFIX_PATH=$prefix" -DBWVOICE_CONSUMER_MODE=package)
    ;;
  subdirectory | fetchcontent)
    # Our warnings as errors, for our targets: were they to leak, the
    # consumer's own narrowing conversion (app/main.cpp) would fail its build.
    configure_args+=("-DBWVOICE_SOURCE_DIR=$src" -DBWVOICE_WERROR=ON)
    ;;
  *) fail "unknown mode" ;;
esac

cmake "${configure_args[@]}" > "$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; fail "configure failed"; }
cmake --build "$work/build" -j "$(nproc)" > "$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; fail "build failed"; }

if [ "$mode" = subdirectory ] || [ "$mode" = fetchcontent ]; then
  # Nothing but the library was built: no test, tool, example or benchmark.
  built=$(find "$work/build" -type f -perm -u+x -name 'bw*' ! -name '*.so*' | sed "s|$work/build/||")
  [ -z "$built" ] || fail "built more than the library: $built"
fi

if [ "$mode" = package ] || [ "$mode" = installed ]; then
  # pkg-config: a one-file build with the flags it gives (the C++ standard is
  # the consumer's own).
  pc=$(find "$prefix" -name bwvoice.pc -path '*pkgconfig*' | head -n 1)
  [ -n "$pc" ] || fail "no bwvoice.pc under $prefix"
  export PKG_CONFIG_PATH=$(dirname "$pc")
  c++ -std=c++20 -o "$work/pc-consumer" "$here/app/main.cpp" $(pkg-config --cflags --libs bwvoice) \
    -Wl,-rpath,"$(pkg-config --variable=libdir bwvoice)" > "$work/pc.log" 2>&1 || { cat "$work/pc.log" >&2; fail "pkg-config build failed"; }
  libdir=$(pkg-config --variable=libdir bwvoice)
  if [ "${BWVOICE_LIBRARY_KIND:-shared}" = shared ]; then
    lib=$(find "$libdir/" -maxdepth 1 -name 'libbwvoice.so.*.*.*' | head -n 1)
    [ -n "$lib" ] || fail "no shared libbwvoice in $libdir"
    soname=$(objdump -p "$lib" | sed -n 's/^ *SONAME *//p')
    [ "$soname" = "libbwvoice.so.0.3" ] || fail "SONAME is '$soname', expected libbwvoice.so.0.3"
    # Hidden by default: of our own functions, only the public API, the
    # operations' entry points (bwvoice::detail::start_*) and the operation
    # memory the public templates take and give back are exported. (The
    # symbols go to a file first: grep -q ends a pipe early, and pipefail
    # would take the writer's SIGPIPE for a failure.)
    nm -D --defined-only "$lib" | c++filt | awk '{ $1 = ""; $2 = ""; sub(/^  /, ""); print }' > "$work/exported.txt"
    if grep -E '^bwvoice::detail::' "$work/exported.txt" | grep -v -E '^bwvoice::detail::(start_|take_operation_block\(|give_operation_block\()'; then
      fail "internal symbols exported from $lib"
    fi
    grep -q '^bwvoice::ConferenceClient::ConferenceClient' "$work/exported.txt" || fail "ConferenceClient not exported"
  else
    [ -f "$libdir/libbwvoice.a" ] || fail "no static libbwvoice.a in $libdir"
  fi
fi

# Run it against the mock, with the library from the prefix when installed.
start_mock "$mock" "$work" --user consumer --password consumer-pw --conferences 10 || fail "bwvoice-mock did not start"
url=$mock_url

run() {
  BW_VOICE_BASE_URL=$url BW_ACCOUNT_ID=9900000 BW_USERNAME=consumer BW_PASSWORD=consumer-pw BW_CA_FILE=$mock_ca \
    "$@" > "$work/run.out" 2> "$work/run.err" || { cat "$work/run.err" >&2; fail "$1 failed"; }
  grep -q '^bwvoice [0-9.]*: conf-0 ' "$work/run.out" || { cat "$work/run.out" >&2; fail "$1 printed no lookup"; }
}
run "$work/build/consumer"
[ "$mode" != package ] || run "$work/pc-consumer"
echo "consumer($mode): ok: $(cat "$work/run.out")"
