#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# What devtools/build-deb.sh and devtools/check-deb.sh need on Debian 12,
# idempotently: buildtools/setup-deps.sh (DPDK, meson, the driver SDK headers
# and pmdinfogen), debhelper and fakeroot to build the .deb, debootstrap for
# the fresh Debian 12 root the package is tested in.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/buildtools/setup-deps.sh"
missing=""
for p in debhelper fakeroot dpkg-dev debootstrap; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup-pkg: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null
fi
