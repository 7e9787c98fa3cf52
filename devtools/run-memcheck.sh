#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# valgrind memcheck over the unit suites of the plain build (./build), with
# the meson test setup 'memcheck' (tests/meson.build: --error-exitcode, any
# error or leak definitely/possibly lost fails the suite, --fair-sched=yes
# for the busy-polling lcores, FT_STRESS_CYCLES=20) and the reviewed
# suppressions of DPDK's own reports (devtools/sanitizer/memcheck.supp).
# EAL runs with --no-huge (the test library's EAL arguments).
#
#     ./devtools/run-memcheck.sh [--no-summary] [SUITE...]
#
# Default: fosim lib paths devargs control failover hotplug stress (about
# 3.5 minutes on 2 busy cores). devtools/run-tests.sh runs the EAL suites
# without vdev rigs (fosim lib paths devargs control, about 1 minute) with
# --no-summary; FO_MEMCHECK=all there runs them all. The last line is
# "N passed, N failed" (suites named memcheck:NAME). Not for the python
# suites (valgrind would trace python) nor for ASan builds.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
summary=1
if [ "${1:-}" = --no-summary ]; then
	summary=0
	shift
fi
[ $# -gt 0 ] || set -- fosim lib paths devargs control failover hotplug stress
"$top/devtools/build.sh"
cd "$top"
log=build/meson-logs/testlog-memcheck.json
rm -f $log
rc=0
meson test -C build --no-rebuild --setup memcheck --print-errorlogs --num-processes 1 \
	"$@" || rc=$?
[ $summary = 0 ] && exit $rc
python3 "$top/devtools/test-summary.py" --prefix memcheck: $log || rc=1
exit $rc
