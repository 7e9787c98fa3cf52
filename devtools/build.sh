#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install what is needed (idempotent) and build into ./build.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/buildtools/setup-deps.sh"
cd "$top"
[ -e build/build.ninja ] || meson setup build >/dev/null
ninja -C build
