#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_central under a 60 s stress-ng mix (cpu, fork, switch, yield, and
# tasks pinned to single worker CPUs): it must stay the scheduler, nothing
# may stall (a stall makes the kernel disable it, which the exit line
# would show), and the counters that show the design at work must move
# during the load:
#   dispatch  the central CPU places tasks on the other CPUs;
#   timer     the pinned slice timer preempts CPUs whose slice ran out;
#   local     per-CPU kthreads go straight to their own CPU.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
bin=$(sched_bin scx_central) || exit 1
duration=${DURATION:-60}

command -v stress-ng >/dev/null || skip "stress-ng is not installed"

log=$(mktemp)

# counter NAME: its value on the last stats line.
counter() {
	grep '^total=' "$log" | tail -n 1 | tr ' ' '\n' |
		awk -F= -v k="$1" '$1 == k { print $2 }'
}

stats_lines() {
	grep -c '^total=' "$log"
}

# A stats line newer than the one we saw last.
new_stats() {
	[ "$(stats_lines)" -gt "$1" ]
}

sched_start "$log" "$bin" -i 2 || finish
wait_for 60 new_stats 0 || fail "no stats line"
declare -A before
for k in dispatch timer local total; do
	before[$k]=$(counter "$k")
done
seen=$(stats_lines)

echo "$test_name: stress-ng for $duration s"
(cd "${TMPDIR:-/tmp}" && stress-ng --timeout "$duration" \
	--cpu 3 --fork 1 --switch 1 --yield 1 \
	--taskset 1-3 --metrics-brief 2>&1) | grep -E 'metrc|fail|error' &
stress=$!
# One hog pinned to each worker: these can only go where they fit.
hogs=()
for cpu in 1 2 3; do
	timeout "$duration" taskset -c "$cpu" bash -c 'while :; do :; done' &
	hogs+=($!)
done
wait "$stress" "${hogs[@]}"

sched_alive || fail "scx_central exited during the load"
state_is enabled || fail "sched_ext is '$(cat $SCX_SYSFS/state)' after the load"
wait_for 60 new_stats "$seen" || fail "no stats line after the load"

for k in dispatch timer local total; do
	now=$(counter "$k")
	echo "$test_name: $k ${before[$k]} -> $now"
	[ "${now:-0}" -gt "${before[$k]:-0}" ] || fail "$k did not move"
done

sched_stop INT || fail "exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "unclean exit: $(grep '^EXIT' "$log")"
grep '^total=' "$log" | tail -n 1
rm -f "$log"
finish
