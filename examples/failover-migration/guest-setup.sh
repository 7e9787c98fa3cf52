#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# guest-setup.sh: inside the DPDK guest of dpdk-guest.xml, as root, at boot
# (before the DPDK application starts): hugepages, vfio-pci, the two NICs
# of the failover pair (virtio-net and the VF, same MAC) bound to vfio-pci
# by vendor:device id, so that a VF hot-added after a migration binds to
# vfio-pci by itself; then it prints the dpdk-testpmd command line to use.

set -eu

PROG=${0##*/}
SYS=${SYSFS:-/sys}	# another root for /sys: tests run the discovery on a fake tree
HUGEDIR=${HUGEDIR:-/dev/hugepages}	# where hugetlbfs is mounted when it is not yet

usage() {
	cat <<EOF
Usage: $PROG [-h] [-n] [-u] [-p PAGES] [-m MAC] [-d PLUGIN] [VENDOR:DEVICE ...]

Prepare this guest for a net_failover port over virtio-net and a VF.

  -p PAGES       2 MB hugepages to reserve [512]
  -m MAC         the failover MAC: only NICs whose kernel interface carries it
                 (or that have none) are taken [found: the MAC a virtio-net
                 NIC shares with another NIC]
  -d PLUGIN      librte_net_failover.so, for the printed command [searched]
  -u             vfio_iommu_type1 allow_unsafe_interrupts=1 (a vIOMMU
                 without interrupt remapping)
  -n             dry run: find the NICs and print, change nothing
  VENDOR:DEVICE  PCI ids to bind (hex, e.g. 1af4:1041 8086:154c); an id given
                 here with no NIC present (the VF model of another host) is
                 registered with vfio-pci too [the ids of the NICs found]

Network controllers (PCI class 02) are considered; the virtio one (vendor
1af4) is the standby, the other the primary. A management NIC is never taken
when its MAC differs; with several candidates and no shared MAC, give -m.
EOF
}

die() {
	echo "$PROG: $*" >&2
	exit 1
}

note() {
	echo "$PROG: $*" >&2
}

PAGES=512
MAC=
PLUGIN=
UNSAFE=0
DRY=0
while getopts hnup:m:d: opt; do
	case $opt in
	h) usage; exit 0 ;;
	n) DRY=1 ;;
	u) UNSAFE=1 ;;
	p) PAGES=$OPTARG ;;
	m) MAC=$(printf '%s' "$OPTARG" | tr 'A-F' 'a-f') ;;
	d) PLUGIN=$OPTARG ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
IDS=
for id in "$@"; do
	case $id in
	[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]:[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]) ;;
	*) die "'$id' is not VENDOR:DEVICE (4 hex digits each)" ;;
	esac
	IDS="$IDS $(printf '%s' "$id" | tr 'A-F' 'a-f')"
done
case $PAGES in ''|*[!0-9]*) die "-p: '$PAGES' is not a number of pages" ;; esac
[ "$DRY" = 1 ] || [ "$(id -u)" = 0 ] || die "run as root (or -n for a dry run)"

PCI=$SYS/bus/pci/devices
VFIO=$SYS/bus/pci/drivers/vfio-pci

# 1. Candidates: "bdf vendor device driver mac" for every network controller;
#    driver and mac are "-" when there is none (no kernel interface).
cands=
for d in "$PCI"/*; do
	[ -r "$d/class" ] || continue
	case $(cat "$d/class") in 0x02*) ;; *) continue ;; esac
	ven=$(cat "$d/vendor")
	dev=$(cat "$d/device")
	drv=-
	if [ -L "$d/driver" ]; then
		drv=$(readlink "$d/driver")
		drv=${drv##*/}
	fi
	mac=-
	for a in "$d"/net/*/address; do
		if [ -r "$a" ]; then
			mac=$(tr 'A-F' 'a-f' < "$a")
			break
		fi
	done
	cands="$cands${d##*/} ${ven#0x} ${dev#0x} $drv $mac
"
done

# 2. The pair: ids given filter; -m MAC keeps the NICs that carry MAC (or
#    have no interface to read it from); else the MAC that a virtio NIC and
#    another NIC share; else the NICs on vfio-pci already (a second run);
#    else every candidate (the roles must then be unique).
sel=$(printf '%s' "$cands" | awk -v ids="$IDS" -v mac="$MAC" '
	ids != "" && index(ids " ", " " $2 ":" $3 " ") == 0 { next }
	{ n++; line[n] = $0; ven[n] = $2; drv[n] = $4; m[n] = $5; nvfio += ($4 == "vfio-pci") }
	END {
		if (mac != "") {
			for (i = 1; i <= n; i++)
				if (m[i] == mac || m[i] == "-")
					print line[i]
			exit
		}
		np = 0
		for (i = 1; i <= n; i++)
			for (j = 1; j <= n; j++)
				if (ven[i] == "1af4" && ven[j] != "1af4" && m[i] != "-" &&
				    m[i] == m[j] && !(m[i] in pair)) {
					pair[m[i]] = 1
					np++
					pm = m[i]
				}
		if (np > 1) {
			print "ambiguous"
			exit
		}
		for (i = 1; i <= n; i++)
			if ((np == 1) ? (m[i] == pm) : (nvfio == 0 || drv[i] == "vfio-pci"))
				print line[i]
	}')
[ "$sel" != ambiguous ] || die "several virtio/VF pairs share a MAC: give -m MAC"

standby=
primary=
nsb=0
npr=0
while read -r bdf ven dev drv mac; do
	[ -n "$bdf" ] || continue
	if [ "$ven" = 1af4 ]; then
		standby="$bdf $ven $dev $drv"
		nsb=$((nsb + 1))
	else
		primary="$bdf $ven $dev $drv"
		npr=$((npr + 1))
	fi
done <<EOF
$sel
EOF
found=$(printf '%s' "$cands" | sed 's/^/  /')
if [ "$nsb" -gt 1 ] || [ "$npr" -gt 1 ]; then
	die "cannot tell the pair apart (give -m MAC or ids); network controllers
(bdf vendor device driver mac):
$found"
fi
[ "$nsb" = 1 ] || die "no virtio-net NIC found (give -m MAC or ids); network controllers:
${found:-  none}"

# shellcheck disable=SC2086 # split the records into fields
set -- $standby
SB_BDF=$1 SB_ID="$2 $3" SB_DRV=$4
PR_BDF='' PR_ID='' PR_DRV=''
if [ -n "$primary" ]; then
	# shellcheck disable=SC2086
	set -- $primary
	PR_BDF=$1 PR_ID="$2 $3" PR_DRV=$4
fi
note "standby (virtio-net): $SB_BDF [${SB_ID% *}:${SB_ID#* }] driver $SB_DRV"
[ -z "$PR_BDF" ] || note "primary (VF):         $PR_BDF [${PR_ID% *}:${PR_ID#* }] driver $PR_DRV"
[ -n "$PR_BDF" ] || note "no VF present now: net_failover pairs it by MAC when it is
plugged (give its VENDOR:DEVICE, so that it binds to vfio-pci)"

# A bifurcated VF (mlx5/mlx4) stays on its kernel driver: DPDK works through it.
bifurcated=0
case $PR_DRV in mlx5_core|mlx4_core) bifurcated=1 ;; esac

# The ids vfio-pci takes: those found plus those given.
ids=$(for i in "$SB_ID" ${PR_ID:+"$PR_ID"} $IDS; do
	case $i in
	*:*) echo "${i%:*} ${i#*:}" ;;
	*) echo "$i" ;;
	esac
done | sort -u)
if [ "$bifurcated" = 1 ]; then
	ids=$(printf '%s\n' "$ids" | grep -v "^${PR_ID}\$" || true)
fi

if [ "$DRY" = 0 ]; then
	# 3. Hugepages for DPDK (2 MB pages) and hugetlbfs.
	hp=$SYS/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	echo "$PAGES" > "$hp"
	got=$(cat "$hp")
	[ "$got" -ge "$PAGES" ] || note "only $got of $PAGES hugepages reserved"
	if ! grep -qs ' hugetlbfs ' /proc/mounts; then
		mkdir -p "$HUGEDIR"
		mount -t hugetlbfs nodev "$HUGEDIR"
	fi

	# 4. vfio-pci with the vIOMMU (dpdk-guest.xml's <iommu>, kernel
	#    intel_iommu=on): no IOMMU groups means no IOMMU, and vfio-pci
	#    would need no-IOMMU mode.
	[ -n "$(ls "$SYS/kernel/iommu_groups" 2>/dev/null)" ] ||
		die "no IOMMU groups: the guest has no IOMMU; give the domain
<iommu model='intel'> and the guest kernel intel_iommu=on"
	if [ "$UNSAFE" = 1 ]; then
		modprobe vfio_iommu_type1 allow_unsafe_interrupts=1
		echo 1 > "$SYS/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"
	else
		modprobe vfio_iommu_type1
	fi
	modprobe vfio-pci

	# 5. Unbind both NICs from their kernel drivers (virtio-pci, the VF's),
	#    register their ids with vfio-pci (new_id binds every unbound device
	#    of that id, now and when one is hot-added), bind what is left.
	for n in "$SB_BDF:$SB_DRV" ${PR_BDF:+"$PR_BDF:$PR_DRV"}; do
		bdf=${n%:*}
		drv=${n##*:}
		[ "$bdf" != "$PR_BDF" ] || [ "$bifurcated" = 0 ] || continue
		case $drv in
		vfio-pci|-) ;;
		*) echo "$bdf" > "$PCI/$bdf/driver/unbind" ;;
		esac
	done
	printf '%s\n' "$ids" | while read -r v d; do
		[ -n "$v" ] || continue
		# EEXIST when the id is registered already (a second run)
		echo "$v $d" > "$VFIO/new_id" 2>/dev/null || true
	done
	for bdf in "$SB_BDF" ${PR_BDF:+"$PR_BDF"}; do
		[ "$bdf" != "$PR_BDF" ] || [ "$bifurcated" = 0 ] || continue
		[ -e "$VFIO/$bdf" ] || echo "$bdf" > "$VFIO/bind"
		[ -e "$VFIO/$bdf" ] || die "$bdf did not bind to vfio-pci"
	done

	# 6. A hot-added device goes to the first registered driver that takes
	#    it: the VF's kernel driver, loaded at boot, would win over vfio-pci.
	#    Unload it once it has no device left (when udev loads it again, it
	#    comes after vfio-pci).
	case $PR_DRV in
	-|vfio-pci|mlx5_core|mlx4_core) ;;
	*)
		busy=0
		for l in "$SYS/bus/pci/drivers/$PR_DRV"/*:*; do
			[ -e "$l" ] && busy=1
		done
		if [ "$busy" = 1 ]; then
			note "$PR_DRV still drives other devices: a VF hot-added later may bind
to it and net_failover give up on it ('bound to kernel driver $PR_DRV, not one
DPDK can use'): blacklist $PR_DRV"
		elif ! modprobe -r "$PR_DRV" 2>/dev/null; then
			note "cannot unload $PR_DRV: a VF hot-added later may bind to it; blacklist it"
		fi
		;;
	esac
	note "bound to vfio-pci: $SB_BDF${PR_BDF:+ $PR_BDF}"
fi

# 7. The command line. Bare PCI names: EAL probes both NICs, net_failover
#    adopts them by name, re-probes the VF by name when it comes back at the
#    same address and pairs it by MAC at another (hotplug=mac, the default).
#    --hot-plug makes testpmd start the device event monitor (the ADD
#    uevents). The INFO log levels show net_failover's steps.
# Installed like a distro PMD (meson install, or the .deb): EAL loads it
# from its own driver directory, no -d. Else the plugin, if found.
dopt=""
if [ -z "$PLUGIN" ]; then
	for p in /usr/lib/*/dpdk/pmds-*/librte_net_failover.so.*; do
		[ -r "$p" ] && dopt=none
	done
fi
if [ -z "$PLUGIN" ] && [ -z "$dopt" ]; then
	for p in /usr/local/lib/x86_64-linux-gnu/librte_net_failover.so \
		 /usr/local/lib64/librte_net_failover.so \
		 /usr/local/lib/librte_net_failover.so \
		 /usr/local/lib/failover/librte_net_failover.so; do
		if [ -r "$p" ]; then
			PLUGIN=$p
			break
		fi
	done
	[ -n "$PLUGIN" ] || PLUGIN='<dir>/librte_net_failover.so'
fi
[ "$dopt" = none ] || dopt="-d $PLUGIN "
vdev="net_failover0,${PR_BDF:+primary=$PR_BDF,}standby=$SB_BDF"
cat <<EOF
dpdk-testpmd -l 0-1 $dopt\\
    --vdev '$vdev' \\
    --log-level=pmd.net.failover:info --log-level=lib.failover:info \\
    -- -i --hot-plug --forward-mode=macswap
EOF
