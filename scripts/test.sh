#!/usr/bin/env bash
# The one test command: installs what is missing (Debian 12, apt-get), builds
# and runs every test. Usage: scripts/test.sh [PRESET ...]
# Presets are those of CMakePresets.json. The default runs every test under
# ASan+UBSan (g++), the threaded tests under TSan, and every test again built
# with clang (so both compilers' warnings stay clean under -Werror). The
# contract tests against Stoplight Prism (test/contract) are built by the
# debug and clang presets only, so the default runs them once, under clang.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(asan tsan clang)
jobs=$(nproc 2>/dev/null || echo 2)

for preset in "${presets[@]}"; do
  echo "== $preset: configure" >&2
  cmake --preset "$preset" >/dev/null
  echo "== $preset: build" >&2
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: test" >&2
  ctest --preset "$preset" -j "$jobs"
done

# Then each libFuzzer target for a bounded time from its seed corpus
# (test/fuzz/README.md); any crash, leak or broken invariant fails the run.
scripts/fuzz.sh 30
