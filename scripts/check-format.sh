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
if ! clang-format --dry-run --Werror "${files[@]}" 2> /tmp/bwvoice-format.$$; then
  grep -c -E '(warning|error):' /tmp/bwvoice-format.$$ | xargs -I{} echo "check-format: {} lines differ from .clang-format; run scripts/check-format.sh --fix" >&2
  head -n 30 /tmp/bwvoice-format.$$ >&2
  rm -f /tmp/bwvoice-format.$$
  exit 1
fi
rm -f /tmp/bwvoice-format.$$
echo "check-format: ${#files[@]} files match .clang-format" >&2
