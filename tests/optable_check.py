#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""optable suite: the NIC guide's table of ethdev ops is complete and true.

    optable_check.py SOURCE_ROOT

Reads the members of `struct eth_dev_ops` (and the fast-path queries of
`struct rte_eth_dev`) from the ethdev_driver.h the build uses
(build-deps/sdk/include, else DPDK's include directory), the table of the
guide's "Ethdev ops" section (doc/guides/nics/failover.rst), the op table
`fo_ops` of drivers/net/failover/failover_ops.c and the fast-path queries
the probe sets (failover_ethdev.c), and checks:
  - every member has a row, and every row is a member;
  - every kind is forwarded, failover-only, active path, ethdev or refused;
  - forwarded, failover-only and active path ops are set in fo_ops (or, for
    the fast-path queries, at probe); ethdev and refused ones are not.
Prints the counts per kind.
"""

import os
import re
import subprocess
import sys

GUIDE = "doc/guides/nics/failover.rst"
OPS = "drivers/net/failover/failover_ops.c"
PROBE = "drivers/net/failover/failover_ethdev.c"
SECTION = "Ethdev ops"
KINDS = ("forwarded", "failover-only", "active path", "ethdev", "refused")
SET_KINDS = ("forwarded", "failover-only", "active path")
# Members of struct rte_eth_dev the PMD sets for ethdev's fast path, beside
# the bursts, that take the failover queue.
FAST_PATH = ("rx_queue_count", "rx_descriptor_status", "tx_descriptor_status")


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def find_header(root):
    cands = [os.path.join(root, "build-deps/sdk/include/ethdev_driver.h")]
    try:
        inc = subprocess.run(["pkg-config", "--variable=includedir", "libdpdk"],
                             capture_output=True, text=True).stdout.strip()
        if inc:
            cands += [os.path.join(inc, "ethdev_driver.h"),
                      os.path.join(inc, "dpdk", "ethdev_driver.h")]
    except OSError:
        pass
    cands.append("/usr/include/dpdk/ethdev_driver.h")
    for c in cands:
        if os.path.exists(c):
            return c
    return None


def struct_members(text, name):
    """Member names of `struct name { ... };` (function pointers and fields)."""
    m = re.search(r"\bstruct\s+%s\s*\{(.*?)\n\};" % name, strip_comments(text), re.S)
    if m is None:
        return None
    body = re.sub(r"\s+", " ", m.group(1))
    members = []
    for decl in body.split(";"):
        decl = re.sub(r"RTE_STD_C11|__rte_\w+(\([^)]*\))?", " ", decl).strip()
        if not decl:
            continue
        # the member's name: the last identifier, before any array bound
        names = re.findall(r"([A-Za-z_]\w*)\s*(?:\[[^\]]*\])*\s*$", decl)
        if names:
            members.append(names[0])
    return members


def guide_rows(text):
    """(op, kind) of the rows of the table in the SECTION section."""
    m = re.search(r"^%s\n~+\n(.*?)(?=^\S[^\n]*\n[-~=^]{3,}\n|\Z)" % re.escape(SECTION), text,
                  re.S | re.M)
    if m is None:
        return None
    rows = []
    for line in m.group(1).splitlines():
        r = re.match(r"^\s+``(\w+)``\s+(%s)(\s|$)" % "|".join(re.escape(k) for k in KINDS),
                     line)
        if r:
            rows.append((r.group(1), r.group(2)))
        elif re.match(r"^\s+``\w+``\s", line):
            rows.append((re.match(r"^\s+``(\w+)``", line).group(1), "?"))
    return rows


def fo_ops_set(text):
    m = re.search(r"const\s+struct\s+eth_dev_ops\s+fo_ops\s*=\s*\{(.*?)\n\};",
                  strip_comments(text), re.S)
    if m is None:
        return None
    return {n for n, v in re.findall(r"\.(\w+)\s*=\s*([^,\n]+)", m.group(1))
            if v.strip() != "NULL"}


def probe_set(text):
    return set(re.findall(r"\bdev->(\w+)\s*=\s*\w+", strip_comments(text)))


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    passed = failed = 0

    def check(ok, what, why=""):
        nonlocal passed, failed
        print(" + %s %s%s" % (what, "succeeded" if ok else "failed",
                               "" if ok or not why else ": " + why))
        passed, failed = passed + bool(ok), failed + (not ok)

    def done():
        print("%d passed, %d failed, 0 skipped" % (passed, failed))
        return 1 if failed else 0

    header = find_header(root)
    check(header is not None, "ethdev_driver.h is found")
    if header is None:
        return done()
    htext = open(header).read()
    members = struct_members(htext, "eth_dev_ops")
    dev_members = struct_members(htext, "rte_eth_dev") or []
    check(members, "struct eth_dev_ops is read from %s" % header)
    rows = guide_rows(open(os.path.join(root, GUIDE)).read())
    check(rows, "the table of the guide's '%s' section is read" % SECTION)
    ops = fo_ops_set(open(os.path.join(root, OPS)).read())
    check(ops, "the op table fo_ops is read")
    if not members or not rows or not ops:
        return done()
    probe = probe_set(open(os.path.join(root, PROBE)).read())
    print("    %d members of struct eth_dev_ops, %d rows" % (len(members), len(rows)))

    fast = [f for f in FAST_PATH if f in dev_members]
    check(len(fast) == len(FAST_PATH), "the fast-path queries are members of struct rte_eth_dev",
          "missing %s" % ", ".join(f for f in FAST_PATH if f not in fast))
    want = set(members) | set(FAST_PATH)
    named = [op for op, _ in rows]
    missing = sorted(want - set(named))
    check(not missing, "every op has a row", "no row for %s" % ", ".join(missing))
    extra = sorted(set(named) - want)
    check(not extra, "every row is an op of ethdev_driver.h", "unknown: %s" % ", ".join(extra))
    dup = sorted({op for op in named if named.count(op) > 1})
    check(not dup, "no op has two rows", ", ".join(dup))
    bad = ["%s (%s)" % (op, k) for op, k in rows if k not in KINDS]
    check(not bad, "every kind is one of %s" % ", ".join(KINDS), ", ".join(bad))
    wrong = []
    for op, kind in rows:
        is_set = op in probe if op in FAST_PATH else op in ops
        if kind in KINDS and is_set != (kind in SET_KINDS):
            wrong.append("%s is %s but %s" % (op, kind, "set" if is_set else "not set"))
    check(not wrong, "every kind agrees with fo_ops (and the probe)", "; ".join(wrong))
    for k in KINDS:
        print("    %-14s %d" % (k, sum(1 for _, kk in rows if kk == k)))
    return done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
