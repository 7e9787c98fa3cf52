#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the Debian packages of the PMD (debian/: debhelper + meson) with the
# distribution's toolchain, from a copy of the tree's files (tracked and
# untracked, not ignored) in build-deb/dpdk-net-failover-<version>/, so that
# neither the tree nor its parent directory receives build products. The packages land in build-deb/:
#   librte-net-failover23_<version>_<arch>.deb     the PMD (driver directory)
#   librte-net-failover-dev_<version>_<arch>.deb   header, .pc, link names
# Install with: apt install ./build-deb/librte-net-failover23_*.deb
# DEB_BUILD_OPTIONS=nocheck leaves the package's test run out.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/buildtools/setup-pkg.sh"
out="$top/build-deb"
ver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src="$out/dpdk-net-failover-$ver"
rm -rf "$src" "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mkdir -p "$src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	tar -c --null --ignore-failed-read -T - --exclude=build-deps) | tar -x -C "$src"
# The driver SDK headers and pmdinfogen (buildtools/setup-deps.sh).
ln -s "$(readlink -f "$top/build-deps")" "$src/build-deps"
(cd "$src" && dpkg-buildpackage -us -uc -b)
ls -l "$out"/*.deb
