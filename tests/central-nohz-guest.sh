#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside a VM booted with nohz_full=1-3 (see tests/host/central-nohz.sh):
# count the local timer interrupts (LOC in /proc/interrupts) that CPUs 1-3
# take while six CPU-bound tasks share them, first under the fair class,
# then under scx_central with CPU 0 as the central CPU.  Under fair, two
# tasks per CPU keep the tick on; under scx_central the tasks run with
# infinite slices and the time slicing comes from CPU 0, so the tick should
# stay off.  Passes if CPUs 1-3 take at least RATIO (10) times fewer LOC
# interrupts under scx_central over the same WINDOW (10 s).
#
# The script itself runs as a SCHED_FIFO task on CPU 0: the RT class comes
# before sched_ext, so the measurement keeps time however busy the hogs keep
# the scheduler, and stays off the CPUs it measures.  The hogs and the
# scheduler are started back in SCHED_OTHER.
set -uo pipefail

if [ -z "${CENTRAL_NOHZ_RT:-}" ]; then
	CENTRAL_NOHZ_RT=1 exec taskset -c 0 chrt -f 10 "$0" "$@"
fi

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
test_name=central-nohz
bin=$(sched_bin scx_central) || exit 1
window=${WINDOW:-10}
ratio=${RATIO:-10}
hogs=()

grep -q 'nohz_full=1-3' /proc/cmdline || skip "booted without nohz_full=1-3"
[ "$(cat /sys/devices/system/cpu/nohz_full)" = "1-3" ] ||
	skip "the kernel did not take nohz_full=1-3"

# Sum of the LOC counts of CPUs 1-3 (the columns after "LOC:").
loc_1_3() {
	awk '$1 == "LOC:" { print $3 + $4 + $5 }' /proc/interrupts
}

start_hogs() {
	for _ in 1 2 3 4 5 6; do
		chrt -o 0 taskset -c 1-3 bash -c 'while :; do :; done' &
		hogs+=($!)
	done
}

stop_hogs() {
	[ ${#hogs[@]} -gt 0 ] || return 0
	kill -KILL "${hogs[@]}" 2>/dev/null
	wait "${hogs[@]}" 2>/dev/null
	hogs=()
}

# All six hogs have been on a CPU: the load is in place.
hogs_running() {
	local pid

	for pid in "${hogs[@]}"; do
		[ "$(awk '{ print $14 }' "/proc/$pid/stat" 2>/dev/null)" -gt 0 ] ||
			return 1
	done
}

# measure NAME: LOC of CPUs 1-3 over the window, with the hogs running.
measure() {
	local before after

	start_hogs
	wait_for 30 hogs_running || fail "$1: the hogs did not all run"
	before=$(loc_1_3)
	sleep "$window"	# the measurement window itself, not a wait
	after=$(loc_1_3)
	stop_hogs
	echo $((after - before))
}

at_exit stop_hogs

fair=$(measure fair)
echo "$test_name: fair class: CPUs 1-3 took $fair LOC interrupts in $window s"

log=$(mktemp)
sched_start "$log" chrt -o 0 "$bin" -c 0 -i 5 || finish
scx=$(measure scx_central)
echo "$test_name: scx_central: CPUs 1-3 took $scx LOC interrupts in $window s"
sched_alive || fail "scx_central exited during the measurement"
sched_stop INT || fail "scx_central: exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "scx_central did not exit cleanly: $(grep '^EXIT' "$log")"
grep '^total=' "$log" | tail -n 1

if [ "$fair" -lt $((window * 3 * 10)) ]; then
	fail "only $fair LOC interrupts under fair: the tick was not running"
elif [ $((scx * ratio)) -gt "$fair" ]; then
	fail "scx_central: $scx LOC, not $ratio times fewer than fair's $fair"
else
	echo "$test_name: fair/scx_central = $fair/$scx" \
	     "($((fair / (scx > 0 ? scx : 1)))x fewer)"
fi
finish
