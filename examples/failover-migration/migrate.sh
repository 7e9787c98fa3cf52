#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# migrate.sh: live-migrate a DPDK guest that runs net_failover over a
# virtio-net standby and a pass-through VF (dpdk-guest.xml), from this
# (source) hypervisor to REMOTE_HOST. The steps are those of the kernel's
# net_failover document (Documentation/networking/net_failover.rst), with
# the VF unplugged explicitly (a DPDK guest has no <teaming>) and a wait
# until libvirt really removed the VF before migrating.
#
# Run as root on the source host. On the destination, run reattach-vf.sh
# once this script has finished.

set -eu

PROG=${0##*/}

usage() {
	cat <<EOF
Usage: $PROG [-h] REMOTE_HOST

Live-migrate DOMAIN to qemu+ssh://REMOTE_HOST/system after moving its
traffic from the VF to virtio-net and unplugging the VF.

Settings (environment variables, defaults in brackets):
  DOMAIN          libvirt domain [vm-01]
  PF              physical function the guest's VF belongs to [ens6np0]
  VF              netdev of ANOTHER VF of PF, a port of the bridge br0 that
                  carries the guest's traffic meanwhile [ens6v0]
  VF_NUM          number (on PF) of the VF passed through to the guest, the
                  one in VF_XML [1]
  TAP_IF          host tap of the guest's virtio-net (<target dev>) [vmtap01]
  VF_XML          the VF interface, as in dpdk-guest.xml [vf.xml]
  MAC             the guest's MAC, on both interfaces [52:54:00:00:12:53]
  LINK_SETTLE     seconds between virtio link up and the unplug [1]
  UNPLUG_TIMEOUT  seconds to wait for libvirt to remove the VF [30]
  MIGRATE_OPTS    extra options for virsh migrate (e.g. --copy-storage-all) []

Steps: virtio link up; detach the VF; wait until the domain's XML no longer
holds it; zero the VF's MAC; FDB entries so that traffic for MAC reaches
the tap through br0; virsh migrate --live --persistent; remove the FDB
entries. If the guest does not release the VF, nothing is migrated.
EOF
}


case ${1:-} in
-h|--help) usage; exit 0 ;;
-*) usage >&2; exit 2 ;;
'') usage >&2; exit 2 ;;
esac
[ $# -eq 1 ] || { usage >&2; exit 2; }
REMOTE_HOST=$1

DOMAIN=${DOMAIN:-vm-01}
PF=${PF:-ens6np0}
VF=${VF:-ens6v0}
VF_NUM=${VF_NUM:-1}
TAP_IF=${TAP_IF:-vmtap01}
VF_XML=${VF_XML:-vf.xml}
MAC=${MAC:-52:54:00:00:12:53}
ZERO_MAC=00:00:00:00:00:00
LINK_SETTLE=${LINK_SETTLE:-1}
UNPLUG_TIMEOUT=${UNPLUG_TIMEOUT:-30}
MIGRATE_OPTS=${MIGRATE_OPTS:-}

# shellcheck disable=SC1091 # checked on its own by check.sh
. "$(dirname "$0")/vf-lib.sh"

# One FDB entry, left alone if it is there already (a re-run).
fdb_add_self() {
	if bridge fdb show dev "$1" | grep -qi "^$MAC "; then
		return 0
	fi
	bridge fdb add "$MAC" dev "$1"
}

virsh domstate "$DOMAIN" | grep -qx running || die "domain $DOMAIN is not running here"

# 1. Set the virtio-net interface up (by its tap name: the MAC is on both).
#    Guest: QEMU raises a config interrupt; the virtio PMD reports link up
#    (RTE_ETH_EVENT_INTR_LSC, testpmd prints "Port N: link state change
#    event"), net_failover sees it at once or within link_poll_ms (10 ms)
#    and marks the standby ready. TX stays on the VF: the primary is
#    preferred while its link is up.
virsh domif-setlink "$DOMAIN" "$TAP_IF" up
#    Give the guest time to see the link: TX can only move to the standby
#    at the unplug if net_failover knows its link is up.
sleep "$LINK_SETTLE"

# 2. Remove the VF that was passed through to the guest.
#    QEMU asks the guest to eject it; the guest's vfio-pci relays the request
#    ("vfio-pci <bdf>: Relaying device request to user (#0)"), DPDK's PCI bus
#    raises RTE_DEV_EVENT_REMOVE and net_failover moves TX to virtio inside
#    the callback ("failover: net_failover0: primary port 1 (<bdf>) is being
#    removed"), then drains the VF, stops, closes and removes it
#    ("net_failover: net_failover0: primary port 1 (<bdf>) leaving"): vfio
#    lets go and the unplug completes (about 0.2 s).
if vf_attached; then
	virsh detach-device --live --config "$DOMAIN" "$VF_XML"
else
	echo "$PROG: VF $VF_ADDR is not attached to $DOMAIN: nothing to unplug" >&2
fi

# 3. virsh returns after about 5 s even when the guest has not released the
#    device ("Device detach request sent successfully"). Migrating with the
#    VF still in the domain fails, so wait until libvirt really removed it
#    (QEMU's DEVICE_DELETED), at most UNPLUG_TIMEOUT seconds.
deadline=$(($(date +%s) + UNPLUG_TIMEOUT))
while vf_attached; do
	if [ "$(date +%s)" -ge "$deadline" ]; then
		die "VF $VF_ADDR still in $DOMAIN after ${UNPLUG_TIMEOUT}s: the guest did not
release it; NOT migrating. In the guest, 'Relaying device request to user'
in dmesg means the request reached vfio-pci and the DPDK application did not
let the device go: it must run net_failover with this VF as its primary (or
handle RTE_DEV_EVENT_REMOVE itself) and its EAL interrupt thread must not be
blocked. The detach request stays pending: libvirt completes it whenever the
guest releases the VF. To go back to the VF: while it is still there,
virsh domif-setlink $DOMAIN $TAP_IF down; once it went, reattach-vf.sh on
this host (this host's vf.xml)."
	fi
	sleep 0.2 2>/dev/null || sleep 1
done

# 4. The VF no longer belongs to the guest: clear its MAC on the PF, so that
#    the NIC's embedded switch stops steering MAC to it.
#    Guest: nothing; traffic runs on virtio-net.
ip link set "$PF" vf "$VF_NUM" mac "$ZERO_MAC"

# 5. FDB entries for traffic to continue going to the VM via the
#    VF -> br0 -> vnet (tap) path: the other VF accepts MAC (its own
#    unicast filter, "self"), br0 forwards MAC to the tap. "static": without
#    it "bridge fdb" makes a local entry, delivered to the host, not the tap;
#    "replace": br0 may have learnt MAC on the tap already.
fdb_add_self "$VF"
bridge fdb replace "$MAC" dev "$TAP_IF" master static

# 6. Migrate the VM. Guest: paused for the downtime (a fraction of a second), then
#    resumes on the destination with virtio only; QEMU asks it to announce
#    itself and the virtio PMD sends a RARP for MAC (it handles the announce
#    in its LSC interrupt, which net_failover enables on its sub-ports).
# shellcheck disable=SC2086 # MIGRATE_OPTS is a list of options
if ! virsh migrate --live --persistent $MIGRATE_OPTS "$DOMAIN" \
		"qemu+ssh://$REMOTE_HOST/system"; then
	echo "$PROG: migration failed; $DOMAIN still runs here on virtio-net." >&2
	echo "$PROG: to put the VF back: reattach-vf.sh on this host (VF=$VF TAP_IF=$TAP_IF" \
	     "VF_XML=$VF_XML)" >&2
	exit 1
fi

# 7. Clean up FDB entries after migration completes. The tap went away with
#    the source QEMU, and its bridge entries with it.
bridge fdb del "$MAC" dev "$VF" || true
if ip link show dev "$TAP_IF" >/dev/null 2>&1; then
	bridge fdb del "$MAC" dev "$TAP_IF" master || true
fi

echo "$PROG: $DOMAIN migrated to $REMOTE_HOST; run reattach-vf.sh there"
