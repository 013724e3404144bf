#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_pair -S on the 4-CPU VM: strides 1 (pairs 0+1, 2+3) and 2 (0+2, 1+3)
# load, say which pairs they made and unload cleanly; 0, 3 and 4 are
# refused with one line on stderr that says what to use instead, exit
# status 1, and no scheduler loaded.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
bin=$(sched_bin scx_pair) || exit 1
log=$(mktemp)
at_exit rm -f "$log"

[ "$(nproc)" -eq 4 ] || skip "wants the 4-CPU VM (tests/run.sh), not $(nproc) CPUs"

# refused STRIDE PATTERN: one line matching PATTERN, exit 1, nothing loaded.
refused() {
	local err status

	err=$(timeout 20 "$bin" -S "$1" 2>&1 >/dev/null)
	status=$?
	echo "-S $1: exit $status: $err"
	[ "$status" -eq 1 ] || fail "-S $1: exit $status, expected 1"
	[ "$(wc -l <<<"$err")" -eq 1 ] || fail "-S $1: not one line: $err"
	grep -qE "$2" <<<"$err" || fail "-S $1: '$err' does not match '$2'"
	state_is disabled || fail "-S $1: sched_ext is $(cat $SCX_SYSFS/state)"
}

refused 0 '^scx_pair: -S wants a number from 1 to 3'
refused 4 '^scx_pair: -S wants a number from 1 to 3'
refused 3 '^scx_pair: -S 3 does not pair up the 4 CPUs .*use -S 1, -S 2$'

for s in 1 2; do
	sched_start "$log" "$bin" -S "$s" -i 1 || continue
	grep -q "^scx_pair: running (4 CPUs, pairs of CPU c and c+$s)" "$log" ||
		fail "-S $s: $(head -n 1 "$log")"
	wait_for 30 grep -q '^runs:' "$log" || fail "-S $s: no stats"
	sched_stop INT || fail "-S $s: exit status $?"
	grep -q '^EXIT: unregistered from user space' "$log" ||
		fail "-S $s: $(grep '^EXIT' "$log")"
done
finish
