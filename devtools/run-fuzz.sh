#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the libFuzzer targets of the devargs parser with clang (the main
# build uses gcc) and run one of them, or the bounded CI run of both.
#
#   devtools/run-fuzz.sh [-o DIR] [-t devargs|devstr] [libFuzzer options...]
#       build into DIR (default ./build-fuzz) and fuzz target TARGET
#       (default devargs) on the seed corpus tests/fuzz/corpus/TARGET, new
#       inputs going to DIR/corpus-TARGET; e.g. the long run:
#       nice -n 19 devtools/run-fuzz.sh -runs=10000000
#   devtools/run-fuzz.sh --ci [DIR]
#       the meson test fuzz_devargs: both targets, a bounded number of runs
#       each (FUZZ_RUNS, default 200000), failing on any crash, sanitizer
#       report, leak or broken invariant, then the corpus under valgrind
#       (failing on any memcheck error); exit 77 ("skipped: ...") when clang
#       or its libFuzzer runtime is missing.
#   devtools/run-fuzz.sh --build [DIR]
#       only build.
# A crash input is left as DIR/crash-<sha1>; replay it with
#   DIR/fuzz_TARGET DIR/crash-<sha1>   (FUZZ_VERBOSE=1 shows the log lines)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build-fuzz"
target=devargs
mode=run
case "${1:-}" in
--ci) mode=ci; shift; [ $# -gt 0 ] && { out=$1; shift; } ;;
--build) mode=build; shift; [ $# -gt 0 ] && { out=$1; shift; } ;;
esac
while [ $# -gt 0 ]; do
	case "$1" in
	-o) out=$2; shift 2 ;;
	-t) target=$2; shift 2 ;;
	*) break ;;
	esac
done
cc=${FUZZ_CC:-clang}

skip() {
	echo "skipped: $*"
	exit 77
}

command -v "$cc" >/dev/null 2>&1 || skip "$cc not installed (apt-get install clang)"
mkdir -p "$out"
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return (int)(d[0] * 0 * n); }' \
	> "$out/probe.c"
"$cc" -fsanitize=fuzzer,address,undefined "$out/probe.c" -o "$out/probe" 2>/dev/null ||
	skip "$cc has no libFuzzer runtime (apt-get install libclang-rt-dev)"
pkg-config --exists libdpdk || skip "libdpdk-dev not installed (buildtools/setup-deps.sh)"

if [ -e /usr/include/dpdk/ethdev_driver.h ]; then
	sdk=""
elif [ -e "$top/build-deps/sdk/include/ethdev_driver.h" ]; then
	sdk="-isystem $top/build-deps/sdk/include"
else
	echo "run-fuzz: DPDK driver SDK headers not found: run buildtools/setup-deps.sh" >&2
	exit 1
fi

drv="$top/drivers/net/failover"
build() {
	t=$1
	src="$top/tests/fuzz/fuzz_$t.c $drv/failover_devargs.c"
	bin="$out/fuzz_$t"
	# rebuilt when a source is newer than the binary
	# shellcheck disable=SC2086
	if [ -e "$bin" ] && [ -e "$out/replay_$t" ] && [ -z "$(find $src "$0" \
			"$top/tests/fuzz/fuzz_common.h" "$top/tests/fuzz/fuzz_replay.c" \
			"$drv/failover_private.h" -newer "$bin")" ]; then
		return 0
	fi
	# shellcheck disable=SC2046,SC2086
	"$cc" -g -O1 -fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
		-DALLOW_INTERNAL_API -DALLOW_EXPERIMENTAL_API \
		-DRTE_LOG_DEFAULT_LOGTYPE=pmd.net.failover \
		$(pkg-config --cflags libdpdk) $sdk -I"$drv" -I"$top/lib/failover" \
		$src -o "$bin" $(pkg-config --libs libdpdk) -lrte_bus_vdev
	# the same target without libFuzzer or sanitizers, for valgrind
	# shellcheck disable=SC2046,SC2086
	"${FUZZ_REPLAY_CC:-cc}" -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
		-Wno-unused-parameter -Wno-missing-field-initializers \
		-DALLOW_INTERNAL_API -DALLOW_EXPERIMENTAL_API \
		-DRTE_LOG_DEFAULT_LOGTYPE=pmd.net.failover \
		$(pkg-config --cflags libdpdk) $sdk -I"$drv" -I"$top/lib/failover" \
		$src "$top/tests/fuzz/fuzz_replay.c" -o "$out/replay_$t" \
		$(pkg-config --libs libdpdk) -lrte_bus_vdev
}

# The corpus of a target under valgrind (reads past our strings inside
# DPDK's uninstrumented libraries, which ASan does not see).
replay() {
	t=$1
	shift
	command -v valgrind >/dev/null 2>&1 || {
		echo "run-fuzz: valgrind not installed: corpus replay skipped"
		return 0
	}
	valgrind -q --error-exitcode=1 --leak-check=no "$out/replay_$t" "$@"
}

# A run of one target: new inputs in $out/corpus-$t, seeds read from git.
fuzz() {
	t=$1
	shift
	mkdir -p "$out/corpus-$t"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$out/fuzz_$t" -dict="$top/tests/fuzz/devargs.dict" -max_len=1024 -timeout=10 \
		-error_exitcode=1 -artifact_prefix="$out/" "$@" \
		"$out/corpus-$t" "$top/tests/fuzz/corpus/$t"
}

case $mode in
build)
	build devargs
	build devstr
	;;
ci)
	build devargs
	build devstr
	runs=${FUZZ_RUNS:-200000}
	for t in devargs devstr; do
		start=$(date +%s)
		log="$out/fuzz_$t.log"
		if ! fuzz "$t" -runs="$runs" -print_final_stats=1 > "$log" 2>&1; then
			tail -n 60 "$log"
			echo "fuzz_$t: FAILED (crash inputs: $out/crash-*; log $log)"
			exit 1
		fi
		cov=$(grep -a -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$log" | tail -n 1)
		if ! replay "$t" "$out/corpus-$t" "$top/tests/fuzz/corpus/$t" > "$log.replay" 2>&1
		then
			tail -n 60 "$log.replay"
			echo "fuzz_$t: FAILED: valgrind on the corpus (FUZZ_VERBOSE=1 names the input)"
			exit 1
		fi
		echo "fuzz_$t: $runs runs ($cov), corpus clean under valgrind," \
			"no finding, $(($(date +%s) - start)) s"
	done
	;;
run)
	build "$target"
	fuzz "$target" "$@"
	;;
esac
