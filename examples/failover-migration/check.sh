#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# check.sh: the files of examples/failover-migration stay valid. One case a
# file; the last line is "N passed, N failed" (devtools/test-summary.py).
#   dpdk-guest.xml  virt-xml-validate (domain schema) + what the guide relies
#                   on (xmllint): same MAC on both interfaces, no <teaming>,
#                   virtio link down and behind the vIOMMU, q35, intel IOMMU
#                   with caching_mode, split irqchip, hugepages, serial
#   vf.xml          virt-xml-validate inside a minimal domain; no <teaming>;
#                   the same interface as the VF of dpdk-guest.xml
#   *.sh            sh -n, shellcheck -s sh when installed, -h prints usage;
#                   migrate.sh and reattach-vf.sh run against stub virsh,
#                   bridge and ip (the VF leaves after a while / never);
#                   guest-setup.sh -n on a fake /sys tree
#   vf-lib.sh       sh -n, shellcheck; its PCI address lookup on hex, decimal
#                   and domain-less addresses
#   README          names every file of the folder
# virt-xml-validate comes from libvirt-clients, installed with apt-get when
# missing (as root).

set -u

dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
why=

# A case: "check NAME FUNCTION"; FUNCTION sets why= and returns non-zero.
check() {
	why=
	if "$2" > "$tmp/out" 2>&1; then
		pass=$((pass + 1))
		echo "PASS $1"
	else
		fail=$((fail + 1))
		echo "FAIL $1: ${why:-see below}"
		sed 's/^/    /' "$tmp/out" | tail -n 20
	fi
}

have() {
	command -v "$1" > /dev/null 2>&1
}

if ! have virt-xml-validate && [ "$(id -u)" = 0 ] && have apt-get; then
	echo "installing libvirt-clients (virt-xml-validate)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends libvirt-clients > "$tmp/apt" 2>&1 ||
		{ apt-get update -q > /dev/null 2>&1 &&
		  apt-get install -y -q --no-install-recommends libvirt-clients > "$tmp/apt" 2>&1; } ||
		tail -n 5 "$tmp/apt"
fi

# xpath BOOLEAN-EXPR FILE: true when the expression holds.
xp() {
	[ "$(xmllint --xpath "boolean($1)" "$2" 2> /dev/null)" = true ]
}

# xmllint is optional: without it only the schema is checked.
xp_all() {
	file=$1
	shift
	have xmllint || { echo "xmllint missing: content checks skipped"; return 0; }
	while [ $# -ge 2 ]; do
		xp "$1" "$file" || { why="$2"; return 1; }
		shift 2
	done
}

case_guest_xml() {
	f=$dir/dpdk-guest.xml
	virt-xml-validate "$f" domain || { why="virt-xml-validate failed"; return 1; }
	vio="//devices/interface[model/@type='virtio']"
	vf="//devices/interface[@type='hostdev']"
	xp_all "$f" \
		"count($vio) = 1" "not exactly one virtio interface" \
		"count($vf) = 1" "not exactly one hostdev interface" \
		"$vio/mac/@address = $vf/mac/@address" "virtio and VF MAC differ" \
		"count(//teaming) = 0" "<teaming> present (hides the VF from a DPDK guest)" \
		"$vio/link/@state = 'down'" "virtio link not down" \
		"$vio/driver/@iommu = 'on'" "virtio not behind the vIOMMU (driver iommu='on')" \
		"$vio/target/@dev != ''" "virtio has no <target dev> (the scripts' TAP_IF)" \
		"$vf/alias/@name != '' and $vf/address[@type='pci']" "VF lacks alias or guest address" \
		"contains(/domain/os/type/@machine, 'q35')" "machine is not q35" \
		"/domain/devices/iommu[@model='intel']/driver[@caching_mode='on' and @intremap='on']" \
		"no intel IOMMU with caching_mode and intremap" \
		"/domain/features/ioapic/@driver = 'qemu'" "no <ioapic driver='qemu'/>" \
		"/domain/memoryBacking/hugepages" "no hugepage memory backing" \
		"/domain/devices/serial and /domain/devices/console" "no serial console"
}

# An XPath string of what identifies the VF interface at path $1.
vf_key() {
	s="$1/source/address"
	g="$1/address"
	echo "concat($1/mac/@address,'|',$s/@domain,':',$s/@bus,':',$s/@slot,'.',$s/@function,'|',
		$1/alias/@name,'|',$g/@domain,':',$g/@bus,':',$g/@slot,'.',$g/@function)"
}

case_vf_xml() {
	f=$dir/vf.xml
	g=$dir/dpdk-guest.xml
	{
		echo "<domain type='kvm'><name>check</name><memory>1</memory>"
		echo "<os><type>hvm</type></os><devices>"
		cat "$f"
		echo "</devices></domain>"
	} > "$tmp/vf-domain.xml"
	virt-xml-validate "$tmp/vf-domain.xml" domain ||
		{ why="virt-xml-validate failed (inside a minimal domain)"; return 1; }
	xp_all "$f" \
		"/interface[@type='hostdev' and @managed='yes']" \
		"not an <interface type='hostdev' managed='yes'>" \
		"count(//teaming) = 0" "<teaming> present" || return 1
	have xmllint || return 0
	# the same MAC, host source, alias and guest address as in dpdk-guest.xml
	a=$(xmllint --xpath "$(vf_key /interface)" "$f" 2> /dev/null)
	b=$(xmllint --xpath "$(vf_key "//devices/interface[@type='hostdev']")" "$g" 2> /dev/null)
	echo "vf.xml:         $a"
	echo "dpdk-guest.xml: $b"
	if [ -z "$a" ] || [ "$a" != "$b" ]; then
		why="differs from the VF of dpdk-guest.xml"
		return 1
	fi
}

# sh -n, shellcheck, -h
script_basics() {
	sh -n "$1" || { why="sh -n failed"; return 1; }
	if have shellcheck; then
		shellcheck -s sh "$1" || { why="shellcheck"; return 1; }
	else
		echo "shellcheck not installed: skipped"
	fi
	[ "${2:-}" = no-help ] && return 0
	sh "$1" -h > "$tmp/usage" || { why="-h failed"; return 1; }
	grep -q '^Usage:' "$tmp/usage" || { why="-h prints no usage"; return 1; }
}

# Stub virsh, bridge and ip for the hypervisor scripts. The VF (host
# 0000:42:02.5) is in the domain while $tmp/vf holds a count: -1 forever,
# else that many more dumpxml calls. Every call goes to $tmp/calls.
stubs() {
	mkdir -p "$tmp/bin"
	cat > "$tmp/bin/virsh" <<EOF
#!/bin/sh
echo "virsh \$*" >> "$tmp/calls"
st="$tmp/vf"
case \$1 in
domstate) echo running ;;
dumpxml)
	echo "<domain><devices><interface type='bridge'><source bridge='br0'/></interface>"
	if [ -f "\$st" ]; then
		n=\$(cat "\$st")
		if [ "\$n" = 0 ]; then
			rm -f "\$st"
		else
			[ "\$n" -lt 0 ] || echo \$((n - 1)) > "\$st"
			echo "<interface type='hostdev'><source>"
			echo "<address type='pci' domain='0x0000' bus='0x42' slot='0x02' function='0x5'/>"
			echo "</source></interface>"
		fi
	fi
	echo "</devices></domain>" ;;
detach-device) echo "\${VF_LEAVES:-2}" > "\$st" ;;
attach-device) echo -1 > "\$st" ;;
esac
exit 0
EOF
	# shellcheck disable=SC2016 # $* and $2 belong to the stubs
	printf '#!/bin/sh\necho "bridge $*" >> "%s/calls"\n' "$tmp" > "$tmp/bin/bridge"
	# shellcheck disable=SC2016
	printf '#!/bin/sh\necho "ip $*" >> "%s/calls"\n[ "$2" != show ]\n' "$tmp" > "$tmp/bin/ip"
	chmod +x "$tmp/bin/virsh" "$tmp/bin/bridge" "$tmp/bin/ip"
}

# The calls, in order, must contain these lines (grep -n, then sorted).
in_order() {
	prev=0
	for want in "$@"; do
		n=$(grep -n -F -x -- "$want" "$tmp/calls" | head -n 1 | cut -d: -f1)
		if [ -z "$n" ] || [ "$n" -le "$prev" ]; then
			why="missing or out of order: $want"
			return 1
		fi
		prev=$n
	done
}

case_migrate() {
	s=$dir/migrate.sh
	script_basics "$s" || return 1
	stubs
	export VF_XML="$dir/vf.xml" LINK_SETTLE=0 UNPLUG_TIMEOUT=2
	rm -f "$tmp/calls"
	echo -1 > "$tmp/vf"
	PATH="$tmp/bin:$PATH" VF_LEAVES=3 sh "$s" dst || { why="failed with a VF that leaves"; return 1; }
	in_order "virsh domif-setlink vm-01 vmtap01 up" \
		"virsh detach-device --live --config vm-01 $dir/vf.xml" \
		"ip link set ens6np0 vf 1 mac 00:00:00:00:00:00" \
		"bridge fdb add 52:54:00:00:12:53 dev ens6v0" \
		"bridge fdb replace 52:54:00:00:12:53 dev vmtap01 master static" \
		"virsh migrate --live --persistent vm-01 qemu+ssh://dst/system" \
		"bridge fdb del 52:54:00:00:12:53 dev ens6v0" || return 1
	rm -f "$tmp/calls"
	echo -1 > "$tmp/vf"
	if PATH="$tmp/bin:$PATH" VF_LEAVES=-1 sh "$s" dst; then
		why="migrated although the VF never left"
		return 1
	fi
	if grep -q '^virsh migrate' "$tmp/calls"; then
		why="called virsh migrate with the VF still there"
		return 1
	fi
	if grep -q '^ip link set' "$tmp/calls"; then
		why="zeroed the VF MAC with the VF still there"
		return 1
	fi
	return 0
}

case_reattach() {
	s=$dir/reattach-vf.sh
	script_basics "$s" || return 1
	stubs
	rm -f "$tmp/calls" "$tmp/vf"
	PATH="$tmp/bin:$PATH" VF_XML="$dir/vf.xml" VF_SETTLE=0 sh "$s" || { why="failed"; return 1; }
	in_order "virsh attach-device --config --live vm-01 $dir/vf.xml" \
		"virsh domif-setlink vm-01 vmtap01 down"
}

# A fake /sys: a disk, the failover pair (MAC ...12:53) and a management
# virtio NIC with its own MAC.
fake_sys() {
	r=$tmp/sys
	mkdir -p "$r/bus/pci/devices" "$r/bus/pci/drivers"
	while read -r bdf cls ven dev drv mac; do
		d=$r/bus/pci/devices/$bdf
		mkdir -p "$d" "$r/bus/pci/drivers/$drv"
		echo "$cls" > "$d/class"
		echo "0x$ven" > "$d/vendor"
		echo "0x$dev" > "$d/device"
		ln -s "../../drivers/$drv" "$d/driver"
		if [ "$mac" != - ]; then
			mkdir -p "$d/net/eth-$bdf"
			echo "$mac" > "$d/net/eth-$bdf/address"
		fi
	done <<EOF
0000:03:00.0 0x010000 1af4 1042 virtio-pci -
0000:01:00.0 0x020000 1af4 1041 virtio-pci 52:54:00:00:12:53
0000:02:00.0 0x020000 8086 154c iavf 52:54:00:00:12:53
0000:05:00.0 0x020000 1af4 1041 virtio-pci 52:54:00:aa:bb:cc
EOF
}

case_guest_setup() {
	s=$dir/guest-setup.sh
	script_basics "$s" || return 1
	fake_sys
	SYSFS=$tmp/sys sh "$s" -n -d /x/librte_net_failover.so > "$tmp/cmd" ||
		{ why="dry run failed"; return 1; }
	cat "$tmp/cmd"
	grep -qF -- "--vdev 'net_failover0,primary=0000:02:00.0,standby=0000:01:00.0'" "$tmp/cmd" ||
		{ why="wrong pair found"; return 1; }
	grep -qF -- "--hot-plug" "$tmp/cmd" || { why="no --hot-plug"; return 1; }
	# two virtio NICs and only their id: ambiguous, must refuse
	if SYSFS=$tmp/sys sh "$s" -n 1af4:1041; then
		why="took one of two virtio NICs"
		return 1
	fi
	return 0
}

case_check() {
	script_basics "$dir/check.sh" no-help
}

case_vf_lib() {
	script_basics "$dir/vf-lib.sh" no-help || return 1
	# the lookup the scripts rely on: hex, decimal and no domain alike
	printf '%s\n' "<devices><interface type='hostdev'><source><address type='pci' domain='0x0000'" \
		"bus='0x42' slot='0x02' function='0x5'/></source></interface>" \
		"<hostdev><source><address bus='66' slot='3' function='1'/></source></hostdev></devices>" \
		> "$tmp/lookup.xml"
	# shellcheck disable=SC2016 # expanded by the sh -c below
	got=$(PROG=check DOMAIN=x VF_XML="$tmp/lookup.xml" \
	      sh -c '. "$1"; pci_sources < "$VF_XML" | tr "\n" " "' sh "$dir/vf-lib.sh")
	[ "$got" = "0000:42:02.5 0000:42:03.1 " ] || { why="pci_sources gave '$got'"; return 1; }
}

case_readme() {
	for f in "$dir"/*; do
		b=${f##*/}
		[ "$b" = README ] && continue
		grep -qF "$b" "$dir/README" || { why="README does not name $b"; return 1; }
	done
}

check dpdk-guest.xml case_guest_xml
check vf.xml case_vf_xml
check migrate.sh case_migrate
check reattach-vf.sh case_reattach
check vf-lib.sh case_vf_lib
check guest-setup.sh case_guest_setup
check check.sh case_check
check README case_readme

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
