#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Install what net_failover needs to build and test on Debian 12, idempotently:
# the distro DPDK 22.11 and build tools (clang and its libFuzzer runtime for
# the fuzz_devargs suite), and the driver SDK headers that
# libdpdk-dev does not ship (ethdev_driver.h ...) and DPDK's PMD info
# generator (buildtools/pmdinfogen.py, which writes the PMD_INFO_STRING that
# dpdk-pmdinfo.py reads), taken from the Debian source package of the exact
# installed libdpdk-dev version and extracted into build-deps/sdk/include and
# build-deps/sdk/buildtools (ignored by git, never committed).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sdk="$top/build-deps/sdk"
pkgs="dpdk dpdk-dev libdpdk-dev meson ninja-build libnuma-dev libpcap-dev
pkg-config gcc iproute2 valgrind python3 dpkg-dev xz-utils nftables
clang libclang-rt-dev python3-pyelftools tcpdump"
headers="drivers/bus/vdev/bus_vdev_driver.h drivers/bus/pci/bus_pci_driver.h
lib/ethdev/ethdev_vdev.h lib/ethdev/ethdev_driver.h lib/eal/include/bus_driver.h
lib/eal/include/dev_driver.h"
tools="buildtools/gen-pmdinfo-cfile.py buildtools/pmdinfogen.py buildtools/coff.py"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup-deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null
fi

if [ -e /usr/include/dpdk/ethdev_driver.h ]; then
	echo "setup-deps: system DPDK ships the driver SDK headers"
	headers=""
fi

ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)
missing=""
for h in $headers; do
	[ -e "$sdk/include/$(basename "$h")" ] || missing="$missing $h"
done
for t in $tools; do
	[ -e "$sdk/buildtools/$(basename "$t")" ] || missing="$missing $t"
done
if [ -z "$missing" ] && [ "$(cat "$sdk/version" 2>/dev/null)" = "$ver" ]; then
	echo "setup-deps: SDK headers and tools for dpdk $ver present"
	exit 0
fi

echo "setup-deps: fetching dpdk $ver source package for the SDK headers"
# Another version's headers go; missing ones are added beside the others
# (a build reading them meanwhile sees each file whole).
[ "$(cat "$sdk/version" 2>/dev/null)" = "$ver" ] || rm -rf "$sdk"
rm -rf "$sdk/apt" "$sdk/src"
mkdir -p "$sdk/apt/lists/partial" "$sdk/apt/parts" "$sdk/include" "$sdk/buildtools"
# Source entries for the archives the machine's own apt configuration uses
# for this release (no host is named here): same URIs, deb-src.
. /etc/os-release
apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
	'Created-By: Packages' | sort -u | while read -r uri rel comp; do
	case "$rel" in
	"$VERSION_CODENAME"|"$VERSION_CODENAME"-updates|"$VERSION_CODENAME"-security) ;;
	*) continue ;;
	esac
	printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n' "$uri" "$rel" "$comp"
	printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n'
done > "$sdk/apt/parts/src.sources"
if [ ! -s "$sdk/apt/parts/src.sources" ]; then
	echo "setup-deps: no $VERSION_CODENAME archive in the apt configuration" >&2
	exit 1
fi
# A private apt state: the machine's own sources are left untouched.
aptopt="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$sdk/apt/parts
-o Dir::State::Lists=$sdk/apt/lists -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $aptopt update -qq
# shellcheck disable=SC2086
(cd "$sdk" && apt-get $aptopt source --download-only -qq "dpdk=$ver")
orig=$(ls "$sdk"/dpdk_*.orig.tar.xz)
members=""
for h in $headers $tools; do
	members="$members --wildcards */$h"
done
mkdir -p "$sdk/src"
# shellcheck disable=SC2086
tar -xJf "$orig" -C "$sdk/src" $members
find "$sdk/src" -name '*.h' -exec mv -f {} "$sdk/include/" \;
find "$sdk/src" -name '*.py' -exec mv -f {} "$sdk/buildtools/" \;
rm -rf "$sdk/apt" "$sdk/src" "$sdk"/dpdk_*
for h in $headers; do
	[ -e "$sdk/include/$(basename "$h")" ] || {
		echo "setup-deps: $h missing from the dpdk $ver source package" >&2
		exit 1
	}
done
for t in $tools; do
	[ -e "$sdk/buildtools/$(basename "$t")" ] || {
		echo "setup-deps: $t missing from the dpdk $ver source package" >&2
		exit 1
	}
done
echo "$ver" > "$sdk/version"
echo "setup-deps: SDK headers in $sdk/include, tools in $sdk/buildtools"
