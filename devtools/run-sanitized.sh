#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Build into ./build-asan with AddressSanitizer (+ LeakSanitizer) and
# UndefinedBehaviorSanitizer and run the suites there; any report fails
# the suite. The last line is "N passed, N failed" (suites named asan:NAME).
#
#     ./devtools/run-sanitized.sh [--no-summary] [SUITE...]
#
# Default: every suite but the two below (named ones among them are left
# out too). devtools/run-tests.sh runs it with --no-summary and prints one
# summary over both builds.
#
# Not run here: 'qemu' (a real hypervisor under TCG: timing-bound, and its
# bridge names are fixed, so it cannot run beside another rig) and
# 'bench_guard' (instruction counts under callgrind: instrumented code has
# other counts, and valgrind cannot run an ASan program) and 'install' (the
# layout of an installed PMD, which is never a sanitized one: its staged
# plugin would need the ASan runtime in every program that loads it).
#
# The suites' own programs are built with the sanitizers; the stock
# dpdk-testpmd of the 'testpmd' suite is not: FO_TESTPMD_PRELOAD puts the
# ASan runtime in LD_PRELOAD of dpdk-testpmd only (devtools/testpmd_session.py),
# never of python or sh, whose own leaks LeakSanitizer would report.
# Reports from DPDK itself are suppressed only by the reviewed entries of
# devtools/sanitizer/*.supp (see doc/guides/tools/failover_sanitizers.rst).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="build-asan"
skip="qemu bench_guard install"
summary=1
if [ "${1:-}" = --no-summary ]; then
	summary=0
	shift
fi

"$top/buildtools/setup-deps.sh"
cd "$top"
# b_lundef=false: the sanitizer runtimes come from the program, not from
# each shared object (the plugin is loaded into stock dpdk-testpmd).
[ -e $build/build.ninja ] ||
	meson setup $build -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
ninja -C $build

supp="$top/devtools/sanitizer"
# exitcode: a report makes the process exit with 99 (ASan, LSan) or 98
# (UBSan), which fails its suite; halt_on_error: at the first report.
ASAN_OPTIONS="halt_on_error=1:exitcode=99:detect_leaks=1:print_summary=1"
ASAN_OPTIONS="$ASAN_OPTIONS:detect_stack_use_after_return=1"
ASAN_OPTIONS="$ASAN_OPTIONS:suppressions=$supp/asan.supp"
LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=1"
UBSAN_OPTIONS="halt_on_error=1:exitcode=98:print_stacktrace=1"
UBSAN_OPTIONS="$UBSAN_OPTIONS:suppressions=$supp/ubsan.supp"
FO_TESTPMD_PRELOAD=$(cc -print-file-name=libasan.so)
export ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS FO_TESTPMD_PRELOAD
[ -e "$FO_TESTPMD_PRELOAD" ] || { echo "no libasan.so ($FO_TESTPMD_PRELOAD)" >&2; exit 1; }

# Options (-v ...) pass through to meson test; no suite named: all of them.
named=0
for t in "$@"; do
	case "$t" in -*) ;; *) named=1 ;; esac
done
# shellcheck disable=SC2046
[ $named = 1 ] || set -- "$@" $(meson test -C $build --no-rebuild --list 2>/dev/null)
named=0
for t in "$@"; do
	shift
	case "$t" in
	-*) set -- "$@" "$t"; continue ;;
	esac
	case " $skip " in
	*" $t "*) echo "run-sanitized: $t is not run in the sanitized build" ;;
	*) set -- "$@" "$t"; named=1 ;;
	esac
done
rc=0
rm -f $build/meson-logs/testlog.json
if [ $named = 1 ]; then
	# --timeout-multiplier: instrumented code runs about twice as slowly.
	meson test -C $build --no-rebuild --print-errorlogs --num-processes 1 \
		--timeout-multiplier 2 "$@" || rc=$?
fi
[ $summary = 0 ] && exit $rc
[ -e $build/meson-logs/testlog.json ] || exit $rc
python3 "$top/devtools/test-summary.py" --prefix asan: $build/meson-logs/testlog.json || rc=1
exit $rc
