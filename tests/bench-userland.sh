#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM: hackbench (fork and wake heavy) under the fair class, then
# under scx_userland, in the same boot, and the throughput of scx_userland
# as a ratio to the fair class's.  Each side runs ROUNDS times and keeps
# its median time.  Prints one "bench:" line; exits 1 if a run failed.
#
#   tests/bench-userland.sh [ROUNDS] [LOOPS]   (defaults: 3 rounds, 100 loops)
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/lib/sched.sh"
bin=${BIN:-$PWD/build/bin}/scx_userland
rounds=${1:-3}
loops=${2:-100}
args=(-g 2 -f 5 -l "$loops")

[ -x "$bin" ] || { echo "bench: $bin is not built"; exit 1; }
command -v hackbench >/dev/null || skip "hackbench (rt-tests) is not installed"

# Median of @rounds hackbench times, in seconds.
run() {
	local i t times=()

	for ((i = 0; i < rounds; i++)); do
		t=$(cd "${TMPDIR:-/tmp}" && timeout 300 hackbench "${args[@]}" |
			awk '/^Time:/ { print $2 }')
		[ -n "$t" ] || return 1
		times+=("$t")
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((rounds + 1) / 2))p"
}

fair=$(run) || { echo "bench: hackbench failed under the fair class"; exit 1; }
log=$(mktemp)
sched_start "$log" "$bin" -i 60 || exit 1
scx=$(run) || fail "hackbench failed under scx_userland"
sched_stop INT || fail "scx_userland exit status $?"
[ "$test_failed" -eq 0 ] || exit 1
echo "bench: hackbench ${args[*]}, median of $rounds: fair ${fair} s," \
	"scx_userland ${scx} s, throughput ratio to fair" \
	"$(awk -v f="$fair" -v s="$scx" 'BEGIN { printf "%.3f", f / s }')"
rm -f "$log"
