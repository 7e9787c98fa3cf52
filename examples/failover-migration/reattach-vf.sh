#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# reattach-vf.sh: on the destination hypervisor, once migrate.sh has
# finished, give the migrated DPDK guest a VF of this host again and take
# its virtio-net link down, so that net_failover goes back to the VF. The
# steps are those of the kernel's net_failover document, plus a pause for
# the guest to adopt the VF before the virtio link goes down.
#
# Before the migration this host has the bridge br0 with a VF of its PF
# (VF below) as a port, and FDB entries for MAC on that VF and on the
# guest's tap; this script removes them.
#
# Run as root on the destination host. It also undoes migrate.sh on the
# source host when the migration failed (use that host's vf.xml).

set -eu

PROG=${0##*/}

usage() {
	cat <<EOF
Usage: $PROG [-h]

Attach VF_XML to DOMAIN (live and persistent), then set the virtio-net
link down.

Settings (environment variables, defaults in brackets):
  DOMAIN          libvirt domain [vm-01]
  VF              netdev of the VF of this host's PF that is a port of br0
                  (NOT the one in VF_XML) [ens36v0]
  TAP_IF          host tap of the guest's virtio-net (<target dev>) [vmtap01]
  VF_XML          the VF interface for THIS host: its <source> names a VF
                  of this host; MAC, alias and guest address as on the
                  source [vf.xml]
  MAC             the guest's MAC, on both interfaces [52:54:00:00:12:53]
  VF_SETTLE       seconds between the attach and virtio link down, for the
                  guest to bind and adopt the VF [3]

Steps: remove the FDB entries for MAC; virsh attach-device --config --live;
check that the domain holds the VF; wait VF_SETTLE; virtio link down.
EOF
}


case ${1:-} in
-h|--help) usage; exit 0 ;;
'') ;;
*) usage >&2; exit 2 ;;
esac

DOMAIN=${DOMAIN:-vm-01}
VF=${VF:-ens36v0}
TAP_IF=${TAP_IF:-vmtap01}
VF_XML=${VF_XML:-vf.xml}
MAC=${MAC:-52:54:00:00:12:53}
VF_SETTLE=${VF_SETTLE:-3}

# shellcheck disable=SC1091 # checked on its own by check.sh
. "$(dirname "$0")/vf-lib.sh"

# Remove an FDB entry if it is there (the tap's went away with a failed
# or repeated run, the VF's may never have been added).
fdb_del() {
	if bridge fdb show dev "$1" 2>/dev/null | grep -qi "^$MAC "; then
		bridge fdb del "$MAC" dev "$@"
	fi
}

virsh domstate "$DOMAIN" | grep -qx running || die "domain $DOMAIN is not running here"

# 1. Remove the FDB entries that steered MAC to the guest's tap through the
#    bridge's VF, before the NIC is told that MAC belongs to the new VF.
#    Guest: still on virtio-net; frames for MAC from the wire stop arriving
#    until the VF is back (a short inbound gap); what it sends still goes out.
fdb_del "$VF"
fdb_del "$TAP_IF" master

# 2. Attach a VF of this host (libvirt sets MAC on it through its PF).
#    Guest: the VF is hot-added at the guest address of VF_XML (or at a free
#    root port); the guest kernel assigns its BARs and binds vfio-pci (the
#    new_id of guest-setup.sh); its uevent reaches DPDK as RTE_DEV_EVENT_ADD
#    (testpmd: "The device: <bdf> has been added!"); net_failover probes it
#    once usable ("net_failover: net_failover0: primary device <bdf> added:
#    probed after N attempt(s) in X ms", "(paired by MAC)" when it came back
#    at another address), adopts it ("... port N (<bdf>) joined as primary")
#    and moves TX to it once its link is up ("... active path standby ->
#    primary"). Inbound traffic arrives on the VF again.
if vf_attached; then
	echo "$PROG: VF $VF_ADDR is attached to $DOMAIN already" >&2
else
	virsh attach-device --config --live "$DOMAIN" "$VF_XML"
	vf_attached || die "virsh attach-device returned but $DOMAIN does not hold VF $VF_ADDR"
fi

# 3. The host cannot see when the guest has adopted the VF (about a second:
#    bind, BARs, probe, start). Taking the virtio link down before that would
#    leave the guest without a path for a moment (its bursts return the
#    packets: tx_no_path_packets).
sleep "$VF_SETTLE"

# 4. Bring the virtio-net interface down (by its tap name: the MAC is on
#    both). Guest: link-down event on the virtio port; the standby is no
#    longer ready; TX stays on the VF. The link comes up again at the next
#    migrate.sh.
virsh domif-setlink "$DOMAIN" "$TAP_IF" down

echo "$PROG: VF $VF_ADDR attached to $DOMAIN, virtio link down"
