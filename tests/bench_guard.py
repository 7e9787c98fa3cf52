#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Regression guard on the fast path's instruction count.

Runs dpdk-failover-bench in its deterministic mode (valgrind callgrind,
collection on around each measured loop only) over net_null, and fails when
net_failover's extra instructions over the direct port exceed the limits
below. Instruction counts are exact and repeatable, unlike time.

usage: bench_guard.py <dpdk-failover-bench>
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

# figure: (issue 4 target, limit enforced here): the limits are the targets.
LIMITS = {
    'extra Ir per rx call': (20.0, 20.0),
    'extra Ir per tx call': (20.0, 20.0),
    'extra Ir per packet (rx + tx)': (3.0, 3.0),
    'extra Ir per empty poll (standby incl)': (20.0, 20.0),
}
SKIP = 77


def run_bench(bench, outdir):
    prefix = 'fo_guard%d' % os.getpid()
    cg_out = os.path.join(outdir, 'cg.out')
    cmd = ['valgrind', '--tool=callgrind', '--collect-atstart=no',
           '--separate-threads=yes', '--callgrind-out-file=' + cg_out,
           bench, '-l', '0', '--no-huge', '-m', '1024', '--no-pci',
           '--file-prefix=' + prefix, '--log-level=*:crit',
           '--', '--ir', '--quick', '--cg-out', cg_out]
    try:
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=240)
    finally:
        shutil.rmtree('/var/run/dpdk/' + prefix, ignore_errors=True)
    out = '\n'.join(l for l in res.stdout.splitlines() if not re.match(r'==\d+==', l))
    return res.returncode, out


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    if shutil.which('valgrind') is None:
        print('valgrind not installed: skipped')
        return SKIP
    outdir = tempfile.mkdtemp(prefix='fo_guard')
    try:
        rc, out = run_bench(sys.argv[1], outdir)
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    print(out)
    if rc != 0:
        print('FAIL: the benchmark exited with %d' % rc)
        return 1
    failed = 0
    print('\n%-40s %9s %7s %7s' % ('net_failover', 'measured', 'target', 'limit'))
    for name, (target, limit) in LIMITS.items():
        m = re.search(r'^\s*' + re.escape(name) + r'\s+(-?[0-9.]+)', out, re.M)
        if m is None:
            print('FAIL: no "%s" in the output' % name)
            failed += 1
            continue
        value = float(m.group(1))
        verdict = 'ok' if value <= limit else 'FAIL'
        if value > target:
            verdict += ' (issue target not met)'
        print('%-40s %9.2f %7.2f %7.2f  %s' % (name, value, target, limit, verdict))
        failed += value > limit
    print('%s' % ('FAIL' if failed else 'PASS'))
    print('%d passed, %d failed' % (len(LIMITS) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
