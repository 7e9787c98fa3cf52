#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Where the installed DPDK loads its drivers from, and its ABI version.

Usage: dpdk-pmd-dir.py LIBDIR   (LIBDIR: pkg-config --variable=libdir libdpdk)

Prints "ABI_VERSION SO_VERSION PMD_DIR", e.g. "23.0 23
/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0": the ABI version is the suffix of
the file librte_eal.so resolves to (librte_eal.so.23.0), as DPDK names its
libraries; PMD_DIR is the directory compiled into that EAL (RTE_EAL_PMD_PATH,
which EAL marks with "DPDK_PLUGIN_PATH=" for tools), the one it loads every
driver from without -d.
"""

import os
import re
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    eal = os.path.realpath(os.path.join(sys.argv[1], 'librte_eal.so'))
    m = re.fullmatch(r'librte_eal\.so\.((\d+)\.\d+)', os.path.basename(eal))
    if not m:
        sys.exit('dpdk-pmd-dir: %s: not a versioned librte_eal.so' % eal)
    abi, so = m.group(1), m.group(2)
    with open(eal, 'rb') as f:
        found = re.findall(rb'DPDK_PLUGIN_PATH=([^\0]+)\0', f.read())
    if len(found) != 1:
        sys.exit('dpdk-pmd-dir: %s: no single DPDK_PLUGIN_PATH= string' % eal)
    print(abi, so, found[0].decode())


if __name__ == '__main__':
    main()
