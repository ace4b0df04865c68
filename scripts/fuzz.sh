#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz": clang, ASan+UBSan) and fuzzes
# each for SECONDS (default 30), starting from a scratch copy of its seed
# corpus (test/fuzz/corpus/<target>) plus test/fuzz/regressions/<target>.
# Fails on any crash, sanitizer report, leak, broken invariant or hang; the
# input is saved as build/fuzz/findings/<target>/crash-* (or leak-, timeout-),
# to be added under test/fuzz/regressions/<target>/ once understood.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-30}
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2; }

scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
echo "== fuzz: configure" >&2
cmake --preset fuzz >/dev/null
echo "== fuzz: build" >&2
cmake --build --preset fuzz -j "$jobs"

bin=build/fuzz/test/fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
# Every target that test/fuzz/CMakeLists.txt builds (one fuzz_*.cpp each).
for source in test/fuzz/fuzz_*.cpp; do
  target=$(basename "$source" .cpp)
  # New inputs go into the first directory; the repository's stay as they are.
  mkdir -p "$work/$target" "build/fuzz/findings/$target"
  cp test/fuzz/corpus/"$target"/* "$work/$target/"
  # A target's regressions folder appears with its first finding.
  regressions=()
  [ -d "test/fuzz/regressions/$target" ] && regressions=("test/fuzz/regressions/$target")
  log=build/fuzz/findings/$target/fuzz.log
  echo "== fuzz: $target for ${seconds}s" >&2
  # -timeout: one input may take 10 s (a lookup is bounded by 500 ms);
  # -max_len: a response of 16 KiB crosses the client's 8 KiB header limit.
  if ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     "$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
       -dict="test/fuzz/$target.dict" -artifact_prefix="build/fuzz/findings/$target/" \
       -print_final_stats=1 "$work/$target" "${regressions[@]}" >"$log" 2>&1; then
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec)' "$log" >&2 || true
  else
    # The report without Asio's kilobyte-long template names; the full one is in the log.
    echo "fuzz: $target FAILED (full report: $log):" >&2
    grep -E -A 25 'ERROR|runtime error|ALARM|deadly signal' "$log" | cut -c1-240 | head -n 60 >&2 || tail -n 30 "$log" >&2
    ls build/fuzz/findings/"$target"/ >&2
    status=1
  fi
done
exit $status
