#!/usr/bin/env bash
# The Debian package, as a user installs it: builds it from the "package"
# preset's tree (cpack -G DEB), installs it with dpkg, checks the installed
# bwconf and bwvoice-mock run, builds and runs the consumer project against
# /usr with find_package, then removes the package and checks that none of its
# files is left. Needs root (or sudo); refuses to touch an existing install.
#
#   scripts/package-test.sh        (after: cmake --preset package && cmake --build --preset package)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=build/package
[ -f "$build/CPackConfig.cmake" ] || { echo "package-test: build the package preset first" >&2; exit 2; }

if [ "$(id -u)" -eq 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; else
  echo "package-test: needs root or sudo to install the package" >&2; exit 1
fi
if dpkg-query -W -f='${Status}' bwvoice 2>/dev/null | grep -q 'install ok installed'; then
  echo "package-test: a bwvoice package is already installed; remove it first (dpkg -r bwvoice)" >&2; exit 1
fi

(cd "$build" && rm -f bwvoice_*.deb && cpack -G DEB > cpack.log) || { cat "$build/cpack.log" >&2; exit 1; }
deb=$(ls "$build"/bwvoice_*.deb)
echo "package-test: $(dpkg-deb --field "$deb" Package Version Architecture Depends | tr '\n' ' ')" >&2

removed=0
remove() { [ $removed = 1 ] || $SUDO dpkg -r bwvoice > /dev/null 2>&1 || true; }
trap remove EXIT
$SUDO dpkg -i "$deb" > /dev/null
files=$(dpkg -L bwvoice | while read -r f; do if [ -f "$f" ] || [ -L "$f" ]; then echo "$f"; fi; done)
for f in /usr/bin/bwconf /usr/bin/bwvoice-mock /usr/include/bwvoice/bwvoice.hpp /usr/include/bwvoice/export.hpp; do
  grep -qx "$f" <<< "$files" || { echo "package-test: $f not installed" >&2; exit 1; }
done
grep -q 'lib/.*/libbwvoice.so.0.3$' <<< "$files" || { echo "package-test: no libbwvoice.so.0.3" >&2; exit 1; }
grep -q 'cmake/bwvoice/bwvoiceConfig.cmake$' <<< "$files" || { echo "package-test: no CMake package" >&2; exit 1; }
grep -q 'pkgconfig/bwvoice.pc$' <<< "$files" || { echo "package-test: no pkg-config file" >&2; exit 1; }
version=$(bwconf --version)
[ "$version" = "bwconf $(dpkg-deb --field "$deb" Version)" ] || { echo "package-test: bwconf --version says '$version'" >&2; exit 1; }

BWVOICE_LIBRARY_KIND=shared test/consumer/run_consumer.sh installed . "$build" /usr/bin/bwvoice-mock /usr

$SUDO dpkg -r bwvoice > /dev/null
removed=1
left=$(while read -r f; do if [ -e "$f" ] || [ -L "$f" ]; then echo "$f"; fi; done <<< "$files")
# Directories of ours only (the shared ones, /usr/include and the like, stay).
for d in /usr/include/bwvoice /usr/lib/*/cmake/bwvoice /usr/lib/cmake/bwvoice; do [ ! -e "$d" ] || left+=" $d"; done
[ -z "$left" ] || { echo "package-test: left after dpkg -r: $left" >&2; exit 1; }
! dpkg-query -W -f='${Status}' bwvoice 2>/dev/null | grep -q 'install ok installed' || { echo "package-test: still installed" >&2; exit 1; }
echo "package-test: ok: $(basename "$deb") installed (bwconf, bwvoice-mock, library, headers, CMake and pkg-config files: $(wc -l <<< "$files") files), consumed with find_package from /usr, removed without a trace"
