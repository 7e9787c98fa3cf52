#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build a guest initramfs (cpio.gz) for the QEMU rig.
#
#   guest-image.sh dpdk|kernel OUT.cpio.gz [options]
#
#   --bin PATH      a program, put in /usr/local/bin/ with its ldd closure
#                   (repeatable; a static one has an empty closure)
#   --lib PATH      a shared object (e.g. an EAL plugin given with -d), put in
#                   /usr/local/lib/failover/ with its ldd closure (repeatable)
#   --file SRC:DST  any host file SRC, at DST in the guest (repeatable)
#   --pmd NAME      (dpdk) a driver of the PMD directory, e.g. net_virtio;
#                   default: bus_pci net_virtio net_e1000 mempool_ring
#   --pmd-dir DIR   the PMD directory (default: the one EAL was built with)
#   --cmd CMD       the default guest command (sh syntax), baked into
#                   /etc/failover/cmd; the kernel command line parameter
#                   fo.cmd=<base64 of a script> replaces it at boot
#
# Guest kinds:
#   dpdk    busybox, the programs, the PMDs (each PMD directory entry is the
#           host's own symlink chain, so the PMDs EAL loads from the directory
#           are the very files the program links), the vfio modules. /init
#           reserves 256 x 2 MB hugepages, loads vfio_iommu_type1
#           (allow_unsafe_interrupts=1) and vfio-pci and binds e1000e
#           (8086 10d3) and virtio-net (1af4 1041) to vfio-pci by id, so a
#           hot-added device binds by itself.
#   kernel  busybox, the programs, virtio_net + e1000e + net_failover; /init
#           loads them and brings every interface up (failover master and
#           slaves).
#
# Both: proc, sys, devtmpfs, tmpfs on /tmp and /run; a `uevent` listener
# prints every pci and net uevent to the console ("fo-uevent: ..."); the
# command runs with stdin/stdout/stderr on the serial console (ttyS0, as its
# controlling terminal); "fo-init: command exited N" is printed and the guest
# powers off. Lines "fo-init: ..." mark the steps of /init.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
cache="${FO_QEMU_CACHE:-$top/build-deps/qemu}"

usage() {
	sed -n '4,34p' "$0" >&2
	exit 2
}

[ $# -ge 2 ] || usage
kind=$1
out=$2
shift 2
case "$kind" in dpdk|kernel) ;; *) usage ;; esac

bins=()
libs=()
files=()
pmds=()
pmddir=""
cmd=""
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case "$1" in
	--bin) bins+=("$2") ;;
	--lib) libs+=("$2") ;;
	--file) files+=("$2") ;;
	--pmd) pmds+=("$2") ;;
	--pmd-dir) pmddir=$2 ;;
	--cmd) cmd=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[ ${#pmds[@]} -gt 0 ] || pmds=(bus_pci net_virtio net_e1000 mempool_ring)

"$top/buildtools/setup-qemu.sh" >/dev/null
kver=$(cat "$cache/kver")
if [ -z "$pmddir" ]; then
	# the driver directory EAL was built with
	eal=$(ldconfig -p | sed -n 's/.*librte_eal\.so\.[0-9]* .*=> //p' | head -n 1)
	pmddir=$(grep -ao 'DPDK_PLUGIN_PATH=[^[:cntrl:]]*' "$eal" | head -n 1)
	pmddir=${pmddir#DPDK_PLUGIN_PATH=}
	[ -n "$pmddir" ] || { echo "guest-image: no PMD directory, give --pmd-dir" >&2; exit 1; }
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/fo-guest.XXXXXX")
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"

# The host's top-level layout (merged /usr: /lib -> usr/lib ...).
for d in bin sbin lib lib64 lib32 libx32; do
	if [ -L "/$d" ]; then
		mkdir -p "$root/$(readlink -f "/$d")"
		ln -s "$(readlink "/$d")" "$root/$d"
	elif [ -d "/$d" ]; then
		mkdir -p "$root/$d"
	fi
done
mkdir -p "$root"/{dev,proc,sys,tmp,run,etc/failover,usr/local/bin} \
	"$root/usr/local/lib/failover"
mkdir -p "$root/var"
ln -s ../run "$root/var/run"

# Copy a host path into the image at the same path: a symlink is copied as
# a symlink and its target follows, so every name reaches one file.
copy_in() {
	local p=$1 t
	[ -e "$root$p" ] || [ -L "$root$p" ] && return 0
	mkdir -p "$root$(dirname "$p")"
	if [ -L "$p" ]; then
		t=$(readlink "$p")
		ln -s "$t" "$root$p"
		case "$t" in /*) ;; *) t="$(dirname "$p")/$t" ;; esac
		copy_in "$t"
	else
		cp "$p" "$root$p"
	fi
}

# The ldd closure of an ELF file (nothing for a static one).
closure() {
	local f=$1 l out
	out=$(ldd "$f" 2>/dev/null) || return 0  # static: "not a dynamic executable"
	while read -r l; do
		case "$l" in
		*"not found"*) echo "guest-image: $f: $l" >&2; return 1 ;;
		*"=> /"*) l=${l#*=> }; echo "${l%% (*}" ;;
		/*) echo "${l%% (*}" ;;
		esac
	done <<< "$out"
}

# glibc dlopen()s libgcc_s for pthread_cancel() and unwinding: ldd does not
# list it ("libgcc_s.so.1 must be installed for pthread_cancel to work").
gcc_s=$(ldconfig -p | sed -n 's/.*libgcc_s\.so\.1 (libc6,x86-64) => //p' | head -n 1)

add_elf() {  # $1 host file, $2 path in the guest
	local dep deps
	mkdir -p "$root$(dirname "$2")"
	cp -L "$1" "$root$2"
	deps=$(closure "$1")
	[ -z "$deps" ] || [ -z "$gcc_s" ] || deps="$deps $gcc_s"
	for dep in $deps; do
		copy_in "$dep"
	done
}

# busybox and its applets
bb=$(command -v busybox)
copy_in "$(readlink -f "$bb")"
for a in $(busybox --list-full); do
	[ -e "$root/$a" ] || [ -L "$root/$a" ] && continue
	mkdir -p "$root/$(dirname "$a")"
	ln -s "$(readlink -f "$bb")" "$root/$a"
done

for b in ${bins[@]+"${bins[@]}"}; do
	add_elf "$b" "/usr/local/bin/$(basename "$b")"
done
for l in ${libs[@]+"${libs[@]}"}; do
	add_elf "$l" "/usr/local/lib/failover/$(basename "$l")"
done
for f in ${files[@]+"${files[@]}"}; do
	mkdir -p "$root$(dirname "${f#*:}")"
	cp -L "${f%%:*}" "$root${f#*:}"
done

if [ "$kind" = dpdk ]; then
	for p in "${pmds[@]}"; do
		so="$pmddir/librte_$p.so"
		[ -e "$so" ] || { echo "guest-image: no $so" >&2; exit 1; }
		for n in "$so" "$so".*; do
			copy_in "$n"
		done
		deps=$(closure "$so")
		for dep in $deps; do
			copy_in "$dep"
		done
	done
	mods="vfio vfio_iommu_type1 vfio_pci"
else
	mods="virtio_pci failover net_failover virtio_net e1000e"
fi

# The kernel modules (setup-qemu.sh ran depmod on this set).
mkdir -p "$root/lib/modules"
cp -a "$cache/modules/lib/modules/$kver" "$root/lib/modules/"

cat > "$root/etc/failover/cmd" <<EOF
$cmd
EOF

cat > "$root/sbin/fo-uevent" <<'EOF'
#!/bin/sh
# Run by `uevent` for each kernel uevent: print pci and net ones.
case "$SUBSYSTEM" in
pci|net) ;;
*) exit 0 ;;
esac
read -r up _ < /proc/uptime
echo "fo-uevent: $up $ACTION $SUBSYSTEM ${PCI_SLOT_NAME:-}${INTERFACE:-} ${DRIVER:-} ${PCI_ID:-}" > /dev/console
EOF
chmod 755 "$root/sbin/fo-uevent"

cat > "$root/init" <<EOF
#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# /init of the failover QEMU rig's $kind guest (built by guest-image.sh).
kind=$kind
EOF
cat >> "$root/init" <<'EOF'
export PATH=/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm /dev/hugepages
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmp /tmp
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t tmpfs -o mode=755 run /run
exec </dev/console >/dev/console 2>&1

say() {
	read -r up _ < /proc/uptime
	echo "fo-init: $up $*"
}
say "$kind guest up, kernel $(uname -r)"

uevent /sbin/fo-uevent &

if [ "$kind" = dpdk ]; then
	echo 256 > /proc/sys/vm/nr_hugepages
	mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages
	say "hugepages $(cat /proc/sys/vm/nr_hugepages)"
	modprobe vfio_iommu_type1 allow_unsafe_interrupts=1
	modprobe vfio-pci
	# by id: devices present now bind at once, hot-added ones by themselves
	echo "8086 10d3" > /sys/bus/pci/drivers/vfio-pci/new_id
	echo "1af4 1041" > /sys/bus/pci/drivers/vfio-pci/new_id
	for d in /sys/bus/pci/drivers/vfio-pci/0000:*; do
		[ -e "$d" ] && say "vfio-pci ${d##*/} $(cat "$d/vendor") $(cat "$d/device")" \
			"group $(basename "$(readlink "$d/iommu_group")")"
	done
else
	modprobe virtio_pci
	modprobe virtio_net
	modprobe e1000e
	sleep 1
	for n in /sys/class/net/*; do
		ip link set "${n##*/}" up
	done
	sleep 1
	for n in /sys/class/net/*; do
		i=${n##*/}
		[ "$i" = lo ] && continue
		m=""; [ -e "$n/master" ] && m=$(basename "$(readlink "$n/master")")
		dr=""; [ -e "$n/device/driver" ] && dr=$(basename "$(readlink "$n/device/driver")")
		say "net $i $(cat "$n/address") $(cat "$n/operstate") driver=${dr:-none} master=${m:-none}"
	done
fi

b64=$(sed -n 's/.*fo\.cmd=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$b64" ]; then
	echo "$b64" | base64 -d > /run/fo-cmd
else
	cp /etc/failover/cmd /run/fo-cmd
fi
say "running: $(head -n 1 /run/fo-cmd)"
# ttyS0 as the command's controlling terminal
setsid -c sh /run/fo-cmd <>/dev/ttyS0 >&0 2>&0
rc=$?
say "command exited $rc"
sync
poweroff -f
EOF
chmod 755 "$root/init"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
echo "guest-image: $kind $out ($(du -h "$out" | cut -f1))"
