#!/usr/bin/env bash
# Fails when a C++ file of ours differs from what clang-format (Debian 12's,
# version 14) makes of it under .clang-format. Fix with: scripts/check-format.sh --fix
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' | grep -v '^test/contract/openapi/')
if [ "${1:-}" = --fix ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
command -v clang-format > /dev/null || { echo "check-format: no clang-format (Debian: apt-get install clang-format)" >&2; exit 1; }
report=$(mktemp)
trap 'rm -f "$report"' EXIT
if ! clang-format --dry-run --Werror "${files[@]}" 2> "$report"; then
  findings=$(grep -c -E 'code should be clang-formatted' "$report" || true)
  if [ "$findings" -gt 0 ]; then
    echo "check-format: $findings places differ from .clang-format; run scripts/check-format.sh --fix" >&2
  else
    echo "check-format: clang-format failed:" >&2
  fi
  head -n 30 "$report" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files match .clang-format" >&2
