#!/usr/bin/env bash
# The one test command: installs what is missing (Debian 12, apt-get), builds
# and runs every test. Usage: scripts/test.sh [PRESET ...]
# First the formatting check (scripts/check-format.sh, clang-format).
# Presets are those of CMakePresets.json. The default runs every test under
# ASan+UBSan (g++), the threaded tests under TSan, and every test again built
# with clang (so both compilers' warnings stay clean under -Werror). The
# contract tests against Stoplight Prism (test/contract) are built by the
# debug and clang presets only, so the default runs them once, under clang.
# The package preset builds what is installed (shared library, Release),
# runs the examples and the consumer tier (find_package, pkg-config,
# add_subdirectory, FetchContent), then scripts/package-test.sh installs and
# removes the Debian package.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
scripts/check-format.sh

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(asan tsan clang package)
jobs=$(nproc 2>/dev/null || echo 2)

for preset in "${presets[@]}"; do
  echo "== $preset: configure" >&2
  cmake --preset "$preset" >/dev/null
  echo "== $preset: build" >&2
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: test" >&2
  ctest --preset "$preset" -j "$jobs"
  if [ "$preset" = package ]; then
    echo "== package: the Debian package" >&2
    scripts/package-test.sh
  fi
done

# Then each libFuzzer target for a bounded time from its seed corpus
# (test/fuzz/README.md); any crash, leak or broken invariant fails the run.
scripts/fuzz.sh 30
