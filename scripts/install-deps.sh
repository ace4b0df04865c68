#!/usr/bin/env bash
# Installs everything bwvoice needs to build and test on Debian 12.
# Idempotent and quiet: does nothing when every package is already there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config g++ clang
  libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libboost-test1.81-dev libboost-program-options1.81-dev
  libssl-dev openssl
  nginx-light
  gnuplot-nox valgrind  # bench/plots.sh; bench/callgrind.sh and <valgrind/callgrind.h>
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "install-deps: missing packages: ${missing[*]} (run as root)" >&2; exit 1
  fi
else
  SUDO=
fi

# Keep package post-install scripts (nginx) from starting system services.
policy=/usr/sbin/policy-rc.d made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod 755 "$policy" && made_policy=1
fi
trap '[ $made_policy = 1 ] && $SUDO rm -f "$policy"' EXIT

echo "install-deps: installing ${missing[*]}" >&2
log=$(mktemp)
if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
       $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; exit 1
fi
rm -f "$log"
