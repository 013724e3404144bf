#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_qmap survives 60 s of stress-ng's cpu, fork, switch and yield mix.
set -uo pipefail

BIN=${BIN:-$PWD/build/bin}
exec "$(dirname "$0")/../../vm/load-test.sh" -d 60 "$BIN/scx_qmap"
