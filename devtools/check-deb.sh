#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The .deb on a fresh Debian 12: debootstrap a minimal bookworm root (from the
# archives of the machine's own apt configuration; kept in build-deb/root for
# the next run, FO_DEB_FRESH=1 makes it again), install the distribution's
# dpdk there, then `apt install ./librte-net-failover23_<version>_<arch>.deb`,
# and check that stock dpdk-testpmd probes
#     --vdev 'net_failover0,primary=net_null0,standby=net_null1'
# with no -d, that dpdk-pmdinfo.py lists the driver in the DPDK driver
# directory, and that removing the package takes the driver away. The machine
# itself is not changed (but for debhelper/debootstrap, buildtools/setup-pkg.sh).
# Builds the packages first (devtools/build-deb.sh) when build-deb/ has none.
# Last line: "check-deb: PASS" or "check-deb: FAIL (<what>)".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "check-deb: run as root (debootstrap, chroot)" >&2
	exit 2
fi
"$top/buildtools/setup-pkg.sh"
out="$top/build-deb"
ls "$out"/librte-net-failover23_*.deb >/dev/null 2>&1 || "$top/devtools/build-deb.sh"
deb=$(ls "$out"/librte-net-failover23_*.deb | head -n 1)
root="$out/root"

. /etc/os-release
# The machine's archives for this release: URI and suite (no host named here).
sources=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
	'Created-By: Packages' | sort -u | while read -r uri rel comp; do
	case "$rel" in
	"$VERSION_CODENAME"|"$VERSION_CODENAME"-updates|"$VERSION_CODENAME"-security)
		echo "$uri $rel $comp" ;;
	esac
done)
mirror=$(echo "$sources" | awk -v r="$VERSION_CODENAME" '$2 == r { print $1; exit }')
[ -n "$mirror" ] || { echo "check-deb: no $VERSION_CODENAME archive in the apt configuration" >&2; exit 1; }

fail() {
	echo "check-deb: FAIL ($1)"
	exit 1
}

mounted=""
cleanup() {
	for m in $mounted; do umount "$root/$m" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

t0=$(date +%s)
[ "${FO_DEB_FRESH:-0}" = 0 ] || rm -rf "$root"
if [ ! -e "$root/.complete" ]; then
	rm -rf "$root"
	echo "check-deb: debootstrap $VERSION_CODENAME from $mirror into $root"
	debootstrap --variant=minbase "$VERSION_CODENAME" "$root" "$mirror" >"$out/debootstrap.log" 2>&1 ||
		{ tail -20 "$out/debootstrap.log"; fail "debootstrap"; }
	echo "$sources" | while read -r uri rel comp; do
		printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: %s\n' "$uri" "$rel" "$comp"
		printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n'
	done > "$root/etc/apt/sources.list.d/debian.sources"
	rm -f "$root/etc/apt/sources.list"
	touch "$root/.complete"
fi
echo "check-deb: root ready ($(($(date +%s) - t0)) s, $(du -sh "$root" | cut -f1))"

for m in proc sys dev; do
	mount --bind "/$m" "$root/$m"
	mounted="$m $mounted"
done
in_root() {
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"
}
t1=$(date +%s)
in_root apt-get update -qq
# The distribution's DPDK (the libraries and its PMDs; dpdk-testpmd is in
# Debian 12's dpdk-dev) and what dpdk-pmdinfo.py imports; nothing of
# net_failover yet.
in_root apt-get install -y -qq --no-install-recommends dpdk dpdk-dev python3-pyelftools >"$out/apt-dpdk.log" 2>&1 ||
	{ tail -20 "$out/apt-dpdk.log"; fail "apt-get install dpdk"; }
in_root dpkg-query -W dpdk dpdk-dev librte-eal23
echo "check-deb: dpdk installed in the root ($(($(date +%s) - t1)) s)"

# The driver dir: where the root's own librte_net_null.so.<ABI> resolves.
pmd_dir=$(in_root sh -c 'dirname "$(readlink -f "$(ls /usr/lib/*/librte_net_null.so.* | head -n 1)")"')
testpmd() {
	printf 'show port info 2\nquit\n' | in_root timeout 60 dpdk-testpmd --no-huge -m 512 \
		--no-pci --file-prefix check-deb --vdev net_null0 --vdev net_null1 \
		--vdev 'net_failover0,primary=net_null0,standby=net_null1' -- -i \
		--total-num-mbufs=2048 2>&1
}

# Before (a kept root may hold a previous run's package): stock testpmd
# does not know net_failover.
in_root dpkg --purge librte-net-failover-dev librte-net-failover23 >/dev/null 2>&1 || true
in_root test -x /usr/bin/dpdk-testpmd || fail "no dpdk-testpmd in the root"
testpmd > "$out/testpmd-before.log" || true
grep -q 'failed to parse device "net_failover0"' "$out/testpmd-before.log" ||
	{ cat "$out/testpmd-before.log"; fail "before the package, EAL knew net_failover"; }
echo "check-deb: before the package: $(grep -m1 'failed to parse' "$out/testpmd-before.log")"

cp "$deb" "$root/tmp/"
name=$(basename "$deb")
echo "check-deb: apt install ./$name"
in_root sh -c "cd /tmp && apt-get install -y -qq ./$name" >"$out/apt-deb.log" 2>&1 ||
	{ tail -20 "$out/apt-deb.log"; fail "apt install ./$name"; }
in_root dpkg -L librte-net-failover23 | grep librte_net_failover

# After: no -d.
testpmd > "$out/testpmd-after.log" || true
grep -E "Driver name|Device name|Bye" "$out/testpmd-after.log" || true
grep -q "Driver name: net_failover" "$out/testpmd-after.log" ||
	{ cat "$out/testpmd-after.log"; fail "stock dpdk-testpmd did not probe net_failover0"; }
grep -q -- " -d " "$out/testpmd-after.log" && fail "-d used"
echo "check-deb: stock dpdk-testpmd (no -d) probes net_failover0"

in_root dpdk-pmdinfo.py "$pmd_dir/librte_net_failover.so.23.0" > "$out/pmdinfo.log" 2>&1 ||
	{ cat "$out/pmdinfo.log"; fail "dpdk-pmdinfo.py"; }
cat "$out/pmdinfo.log"
grep -q '"name": "net_failover"' "$out/pmdinfo.log" || fail "dpdk-pmdinfo.py does not list net_failover"

in_root apt-get remove -y -qq librte-net-failover23 >/dev/null 2>&1 || fail "apt-get remove"
testpmd > "$out/testpmd-removed.log" || true
grep -q 'failed to parse device "net_failover0"' "$out/testpmd-removed.log" ||
	{ cat "$out/testpmd-removed.log"; fail "net_failover still known after removal"; }
echo "check-deb: removed, stock dpdk-testpmd no longer knows net_failover"
echo "check-deb: PASS ($(($(date +%s) - t0)) s)"
