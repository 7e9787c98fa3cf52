#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build, then run dpdk-failover-bench: paired wall-time ratios and the
# multi-queue run (2 lcores), then instruction counts under callgrind.
# Extra arguments go to the wall/multi-queue run (e.g. --runs 5 --ms 8).
# Run as root. See doc/guides/tools/failover_bench.rst.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/devtools/build.sh" >/dev/null
bench="$top/build/app/failover-bench/dpdk-failover-bench"
prefix=fo_bench$$
out=$(mktemp -d)
trap 'rm -rf "$out" /var/run/dpdk/$prefix' EXIT INT TERM
eal="--no-huge -m 1024 --no-pci --file-prefix=$prefix --log-level=*:crit"

"$bench" -l 0-1 $eal -- --wall --mq --switch "$@"
command -v valgrind >/dev/null || { echo "valgrind not installed: no instruction counts"; exit 0; }
valgrind --tool=callgrind --collect-atstart=no --separate-threads=yes \
    --callgrind-out-file="$out/cg.out" \
    "$bench" -l 0 $eal -- --ir --cg-out "$out/cg.out" 2>&1 | grep -v '^==[0-9]*=='
