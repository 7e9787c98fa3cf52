#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build and run every test suite, then the same suites (but qemu,
# bench_guard, install) in the sanitized build of devtools/run-sanitized.sh (ASan,
# LSan, UBSan; suites named asan:NAME); the last line is "N passed,
# N failed" over both. FO_SANITIZED=0 leaves the sanitized run out.
# Then valgrind memcheck (devtools/run-memcheck.sh, suites memcheck:NAME)
# over the EAL unit suites without vdev rigs, when no suite is named:
# FO_MEMCHECK=all runs it over every unit suite, FO_MEMCHECK=0 not at all.
# Run as root (tap devices, network namespaces, vhost sockets).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "run-tests.sh: run as root (tap devices, network namespaces, vhost sockets)" >&2
	echo "0 passed, 1 failed"
	exit 2
fi
"$top/devtools/build.sh"
cd "$top"
rc=0
rm -f build/meson-logs/testlog.json build/meson-logs/testlog-memcheck.json \
	build-asan/meson-logs/testlog.json
meson test -C build --no-rebuild --print-errorlogs --num-processes 1 "$@" || rc=$?
logs=build/meson-logs/testlog.json
if [ "${FO_SANITIZED:-1}" != 0 ]; then
	src=0
	"$top/devtools/run-sanitized.sh" --no-summary "$@" || src=$?
	[ $src = 0 ] || rc=$src
	# No log and a failure: the sanitized build failed (counted as one
	# failure); no log and no failure: no suite named runs there.
	if [ -e build-asan/meson-logs/testlog.json ] || [ $src != 0 ]; then
		logs="$logs --prefix asan: build-asan/meson-logs/testlog.json"
	fi
fi
mc=${FO_MEMCHECK:-ci}
mcs=""
case "$mc" in
all) mcs="fosim lib paths devargs control failover hotplug stress" ;;
0) ;;
*) [ $# -gt 0 ] || mcs="fosim lib paths devargs control" ;;
esac
if [ -n "$mcs" ]; then
	mrc=0
	# shellcheck disable=SC2086
	"$top/devtools/run-memcheck.sh" --no-summary $mcs || mrc=$?
	[ $mrc = 0 ] || rc=$mrc
	logs="$logs --prefix memcheck: build/meson-logs/testlog-memcheck.json"
fi
# shellcheck disable=SC2086
python3 "$top/devtools/test-summary.py" $logs || rc=1
exit $rc
