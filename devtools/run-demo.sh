#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The main job: build, then a scripted stock dpdk-testpmd session over
# net_failover showing TX move from the primary to the standby and back.
# Run as root.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/devtools/build.sh" >/dev/null
exec python3 "$top/devtools/testpmd-demo.py" \
	--plugin "$top/build/drivers/net/failover/librte_net_failover.so" "$@"
