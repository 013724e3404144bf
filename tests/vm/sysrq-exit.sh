#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# SysRq-S under load, as the robustness matrix's sysrq cell does it
# (tests/matrix/cell.sh): the loader reports "EXIT: disabled by sysrq-S"
# and exits 1, sched_ext is disabled, every pinned task runs on and the
# load finishes.  scx_simple stands for every loader: they share
# SCX_OPS_EXIT().
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
KVER_DIR=
[ "${KVER:-6.12}" = 6.12 ] || KVER_DIR=/$KVER
BIN=${BIN:-$root/build$KVER_DIR/bin}
exec "$root/tests/matrix/cell.sh" sysrq "$BIN/scx_simple"
