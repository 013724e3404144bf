#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_central's reason to exist: on nohz_full CPUs its infinite slices let
# the tick stop.  This needs a boot of its own with nohz_full=1-3, so it
# runs on the host and starts that VM; tests/central-nohz-guest.sh does the
# measuring inside and prints both LOC counts.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BIN:-$ROOT/build/bin}

[ -x "$bin/scx_central" ] || { echo "central-nohz: $bin/scx_central is not built"; exit 1; }
cd "$ROOT" || exit 1
"$ROOT"/vm/run.sh -c 4 -t 280 -a 'nohz_full=1-3' -- \
	env BIN="$bin" "$ROOT"/tests/central-nohz-guest.sh
