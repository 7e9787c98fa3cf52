#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build and run every test suite; the last line is "N passed, N failed".
# Run as root (tap devices, network namespaces, vhost sockets).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/devtools/build.sh"
cd "$top"
rc=0
meson test -C build --no-rebuild --print-errorlogs --num-processes 1 "$@" || rc=$?
python3 "$top/devtools/test-summary.py" build/meson-logs/testlog.json || rc=1
exit $rc
