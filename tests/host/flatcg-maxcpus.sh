#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_flatcg on a VM with more possible than online CPUs, as VMs often
# have: 4 possible, 2 brought up at boot (maxcpus=2).  QEMU's -smp
# 2,maxcpus=4 would say the same, but a guest under TCG does not count
# QEMU's absent CPUs as hotpluggable (it sees no hypervisor it knows).
# Needs a boot of its own, so it runs from the host; the checks are in
# tests/flatcg-maxcpus-guest.sh.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/build/bin}

[ -x "$BIN/scx_flatcg" ] || { echo "scx_flatcg is not built"; exit 4; }
cd "$ROOT" || exit 1
"$ROOT"/vm/run.sh -c 4 -a maxcpus=2 -t 240 -- env BIN="$BIN" \
	"$ROOT"/tests/flatcg-maxcpus-guest.sh
