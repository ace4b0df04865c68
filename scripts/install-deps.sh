#!/usr/bin/env bash
# Installs everything bwvoice needs to build and test on Debian 12: Debian's
# packages, then Stoplight Prism for the contract tests (test/contract).
# Idempotent and quiet: does nothing when everything is already there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
  build-essential cmake ninja-build pkg-config g++ clang clang-format
  doxygen  # the docs target and its warning check (docs/)
  libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libboost-test1.81-dev libboost-program-options1.81-dev
  libssl-dev openssl
  nginx-light
  gnuplot-nox valgrind  # bench/plots.sh; bench/callgrind.sh and <valgrind/callgrind.h>
  prometheus curl  # promtool, which judges the metrics_exporter example's output, and curl, which scrapes it (example.metrics_exporter)
  doxygen  # the docs target and the test docs.doxygen_warning_free
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
# Node.js and npm run Prism. Any node and npm on the PATH will do (a machine
# may have a newer Node.js than Debian's, with its own npm); else Debian's.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)

# Prism, pinned: the exact tree of test/contract/prism/package-lock.json.
prism_prefix=${BWVOICE_PRISM_PREFIX:-/opt/bwvoice-prism}
prism_src=test/contract/prism
prism_version=$(sed -n 's/.*"@stoplight\/prism-cli": "\([0-9.]*\)".*/\1/p' "$prism_src/package.json")
prism_stamp=$prism_prefix/.bwvoice-installed
prism_want="prism-cli $prism_version, lock $(cat "$prism_src/package.json" "$prism_src/package-lock.json" | sha256sum | cut -d' ' -f1)"
prism_ok() { [ -x "$prism_prefix/node_modules/.bin/prism" ] && [ "$(cat "$prism_stamp" 2>/dev/null)" = "$prism_want" ]; }

[ ${#missing[@]} -eq 0 ] && prism_ok && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "install-deps: not root and no sudo; missing: ${missing[*]:-} $(prism_ok || echo "Prism in $prism_prefix")" >&2; exit 1
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

log=$(mktemp)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
fi

# npm ci installs exactly the lock file's tree (integrity-checked) into the
# prefix, replacing whatever node_modules was there. Every setting that
# matters is given here, so the user's npm configuration (a global prefix,
# global=true, audit, funding notices, lifecycle scripts) changes nothing;
# the registry, proxy and CA settings stay the machine's own.
if ! prism_ok; then
  echo "install-deps: installing Stoplight Prism $prism_version into $prism_prefix" >&2
  if ! { $SUDO mkdir -p "$prism_prefix" &&
         $SUDO rm -f "$prism_stamp" &&
         $SUDO cp "$prism_src/package.json" "$prism_src/package-lock.json" "$prism_prefix/" &&
         (cd "$prism_prefix" && $SUDO npm ci --global=false --package-lock=true --omit=dev --ignore-scripts \
            --no-audit --no-fund --update-notifier=false --loglevel=error) &&
         [ "$("$prism_prefix/node_modules/.bin/prism" --version)" = "$prism_version" ] &&
         echo "$prism_want" | $SUDO tee "$prism_stamp" >/dev/null; } >"$log" 2>&1; then
    echo "install-deps: installing Prism failed:" >&2
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
fi
rm -f "$log"
