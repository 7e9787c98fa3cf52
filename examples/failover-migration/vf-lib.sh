# SPDX-License-Identifier: BSD-3-Clause
#
# Sourced by migrate.sh and reattach-vf.sh: the VF of $VF_XML, found by its
# host PCI address, and whether the running domain $DOMAIN still holds it.
# Reads the XML with xmllint (Debian: libxml2-utils). Needs PROG, DOMAIN,
# VF_XML set; sets VF_ADDR.

die() {
	echo "$PROG: $*" >&2
	exit 1
}

command -v xmllint > /dev/null 2>&1 ||
	die "xmllint not found (Debian: apt install libxml2-utils)"

# The host PCI addresses of the <source><address .../></source> elements of
# the XML on stdin, one a line as dddd:bb:ss.f (hex; libvirt accepts hex or
# decimal values, the domain is optional).
pci_sources() {
	xml=$(cat)
	n=$(printf '%s' "$xml" | xmllint --xpath 'count(//source/address[@bus])' - 2> /dev/null) ||
		return 0
	i=1
	while [ "$i" -le "${n:-0}" ]; do
		set --
		for a in domain bus slot function; do
			v=$(printf '%s' "$xml" |
			    xmllint --xpath "string((//source/address[@bus])[$i]/@$a)" - 2> /dev/null)
			set -- "$@" "$((${v:-0}))"
		done
		printf '%04x:%02x:%02x.%x\n' "$@"
		i=$((i + 1))
	done
}

[ -r "$VF_XML" ] || die "cannot read $VF_XML (set VF_XML)"
VF_ADDR=$(pci_sources < "$VF_XML" | head -n 1)
[ -n "$VF_ADDR" ] || die "$VF_XML: no <source><address .../></source> found"

# Is the VF (by its host address) part of the running domain?
vf_attached() {
	xml=$(virsh dumpxml "$DOMAIN") || die "virsh dumpxml $DOMAIN failed"
	printf '%s\n' "$xml" | pci_sources | grep -qx "$VF_ADDR"
}
