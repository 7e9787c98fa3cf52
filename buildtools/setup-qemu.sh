#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Prepare the QEMU rig, idempotently (Debian 12, as root):
# - install the host packages it needs (QEMU, busybox, cpio, kmod, ...);
# - fetch Debian's guest kernel package linux-image-6.1.0-<N>-amd64, the
#   newest the machine's apt sources offer, with `apt-get download` (it is
#   never installed on the host), into build-deps/qemu/ (ignored by git);
# - unpack vmlinuz and the modules the guests load, with their dependencies
#   (modules.dep), into build-deps/qemu/modules/lib/modules/<kver>/.
#
# The cache is complete when build-deps/qemu/complete holds the package name
# and the module list; then the script exits at once. --refresh looks for a
# newer kernel package in the apt lists even then.
#
# Layout: build-deps/qemu/{vmlinuz,kver,complete,modules/lib/modules/<kver>/}
# and the .deb itself (kept, so a longer module list needs no download).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache="${FO_QEMU_CACHE:-$top/build-deps/qemu}"
pkgs="qemu-system-x86 busybox-static cpio kmod gzip iproute2 dpkg xz-utils
python3 python3-matplotlib procps"
# Modules the guests load; their dependencies come from modules.dep.
mods="vfio vfio_pci vfio_iommu_type1 virtio_pci virtio_net e1000e failover
net_failover af_packet"

refresh=0
for a in "$@"; do
	case "$a" in
	--refresh) refresh=1 ;;
	-h|--help) sed -n '3,17p' "$0"; exit 0 ;;
	*) echo "setup-qemu: unknown option $a" >&2; exit 2 ;;
	esac
done

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
updated=0
if [ -n "$missing" ]; then
	echo "setup-qemu: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	updated=1
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

modlist=$(echo $mods)
if [ "$refresh" = 0 ] && [ -s "$cache/complete" ] &&
		[ "$(sed -n 2p "$cache/complete")" = "$modlist" ] &&
		[ -s "$cache/vmlinuz" ] && [ -s "$cache/kver" ]; then
	echo "setup-qemu: guest kernel $(cat "$cache/kver") in $cache"
	exit 0
fi

newest() {
	apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null |
		sed 's/ .*//' | sort -V | tail -n 1
}
pkg=$(newest)
if [ -z "$pkg" ] && [ "$updated" = 0 ]; then
	apt-get update -qq
	pkg=$(newest)
fi
[ -n "$pkg" ] || {
	echo "setup-qemu: no linux-image-6.1.0-*-amd64 in the apt sources" >&2
	exit 1
}
kver=${pkg#linux-image-}

if [ -s "$cache/complete" ] && [ "$(sed -n 1p "$cache/complete")" = "$pkg" ] &&
		[ "$(sed -n 2p "$cache/complete")" = "$modlist" ]; then
	echo "setup-qemu: guest kernel $kver in $cache (newest)"
	exit 0
fi

mkdir -p "$cache"
rm -f "$cache/complete"
deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | tail -n 1 || true)
if [ -z "$deb" ]; then
	echo "setup-qemu: downloading $pkg"
	rm -f "$cache"/linux-image-*.deb "$cache"/linux-image-*.deb.part
	(cd "$cache" && apt-get download -qq -o APT::Sandbox::User=root "$pkg")
	deb=$(ls "$cache/${pkg}_"*.deb | tail -n 1)
fi

echo "setup-qemu: unpacking $(basename "$deb")"
tmp="$cache/unpack.tmp"
rm -rf "$tmp" "$cache/modules"
mkdir -p "$tmp"
dpkg-deb -x "$deb" "$tmp"
# merged /usr or not, depending on the package version
mdir=$(ls -d "$tmp"/lib/modules/"$kver" "$tmp"/usr/lib/modules/"$kver" 2>/dev/null |
	head -n 1)
[ -n "$mdir" ] && [ -e "$tmp/boot/vmlinuz-$kver" ] || {
	echo "setup-qemu: $deb has no vmlinuz or modules for $kver" >&2
	exit 1
}
root="$tmp/root"
mkdir -p "$root/lib/modules"
mv "$mdir" "$root/lib/modules/$kver"
depmod -b "$root" "$kver"

# The requested modules and their dependency closure, from modules.dep.
out="$cache/modules/lib/modules/$kver"
mkdir -p "$out"
need=""
for m in $mods; do
	if grep -q "/$m\.ko" "$root/lib/modules/$kver/modules.builtin"; then
		continue  # built into the kernel
	fi
	line=$(modprobe -d "$root" -S "$kver" --show-depends "$m" 2>/dev/null) || {
		echo "setup-qemu: module $m not found in $kver" >&2
		exit 1
	}
	need="$need $(echo "$line" | awk '$1 == "insmod" { print $2 }')"
done
for f in $need; do
	rel=${f#"$root/lib/modules/$kver/"}
	mkdir -p "$out/$(dirname "$rel")"
	cp -f "$f" "$out/$rel"
done
cp "$root/lib/modules/$kver/modules.builtin" "$root/lib/modules/$kver/modules.order" \
	"$out/"
[ -e "$root/lib/modules/$kver/modules.builtin.modinfo" ] &&
	cp "$root/lib/modules/$kver/modules.builtin.modinfo" "$out/"
depmod -b "$cache/modules" "$kver"
cp "$tmp/boot/vmlinuz-$kver" "$cache/vmlinuz"
cp "$tmp/boot/config-$kver" "$cache/config" 2>/dev/null || true
rm -rf "$tmp"
echo "$kver" > "$cache/kver"
printf '%s\n%s\n' "$pkg" "$modlist" > "$cache/complete"
echo "setup-qemu: guest kernel $kver in $cache ($(find "$out" -name "*.ko*" | wc -l) modules)"
