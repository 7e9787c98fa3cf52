#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The main job: build, then rehearse live migrations of a net_failover port
# (tap VF + virtio-user/vhost standby) and check that no packet is lost.
# Run as root. Options go to the rehearsal, e.g.:
#   devtools/run-rehearsal.sh --trigger api --rounds 100
#   devtools/run-rehearsal.sh --rig qemu --guest both     (real hypervisor)
# Exit status: 0 PASS, 1 FAIL, 2 setup or usage error.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "run-rehearsal.sh: run as root (tap interface, AF_PACKET socket)" >&2
	exit 2
fi
# A cold run installs packages and builds for a few minutes: say what it
# does (the installer's own lines and each target linked), not everything.
log=$(mktemp)
echo "run-rehearsal.sh: installing what is missing and building (first run: a few minutes)"
{ "$top/devtools/build.sh" 2>&1; echo "build status $?"; } | tee "$log" |
	grep --line-buffered -E '^setup-deps|^setup-qemu|Linking target' |
	sed -u 's/^/  /'
if ! tail -n 1 "$log" | grep -q '^build status 0$'; then
	cat "$log" >&2
	rm -f "$log"
	exit 2
fi
rm -f "$log"
# --rig qemu: the same flow on a real hypervisor (QEMU), see
# doc/guides/tools/failover_rehearsal_qemu.rst; the other options go to it.
if [ "${1:-}" = "--rig" ] && [ "${2:-}" = "qemu" ]; then
	shift 2
	exec "$top/app/failover-rehearsal/qemu/dpdk-failover-rehearsal-qemu.py" "$@"
fi
# EAL, vhost and driver messages go to a log; the rehearsal's report to stdout.
elog=$top/build/rehearsal.log
prefix=fo_rehearsal_$$
trap 'rm -rf "/var/run/dpdk/$prefix"' EXIT
rc=0
"$top/build/app/failover-rehearsal/dpdk-failover-rehearsal" \
	-l 0-1 --no-huge -m 1024 --no-pci --file-prefix=$prefix -- "$@" 2>"$elog" || rc=$?
if [ $rc -ne 0 ]; then
	echo "--- last lines of $elog:" >&2
	grep -v VHOST_CONFIG "$elog" | tail -n 20 >&2
fi
echo "EAL and driver log: $elog"
exit $rc
