#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_qmap's ops.cpu_offline() and ops.cpu_online(): CPU 3 goes away and
# comes back while qmap runs hogs; both callbacks are counted and the same
# scheduler stays enabled (no exit, no restart).
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
qmap=$(sched_bin scx_qmap) || exit 1
log=$(mktemp)
cpu3=/sys/devices/system/cpu/cpu3/online

[ -w "$cpu3" ] || skip "CPU 3 cannot be hotplugged"

printed() { [ "$(grep -c '^hotplug: ' "$log")" -ge "$1" ]; }

cleanup() {
	echo 1 >"$cpu3" 2>/dev/null
	sched_cleanup
}
at_exit cleanup

sched_start "$log" "$qmap" -i 1 || exit 1
pid=$SCHED_PID

# More hogs than CPUs, so CPU 3 has work queued when it goes.  At nice 19
# they sit in qmap's lightest queue: under TCG on a busy host, hogs of equal
# weight starve this script and the loader for seconds at a time.
for _ in 1 2 3 4 5 6; do
	hog 19
done

echo 0 >"$cpu3" || fail "cannot offline CPU 3"
wait_for 60 sched_stat_above offline 0 || fail "cpu_offline: not called"
echo 1 >"$cpu3" || fail "cannot online CPU 3"
wait_for 60 sched_stat_above online 0 || fail "cpu_online: not called"
echo "after hotplug: offline=$(sched_stat offline) online=$(sched_stat online)"
# Give a broken scheduler time to show it: two more stats intervals.
lines=$(grep -c '^hotplug: ' "$log")
wait_for 30 printed $((lines + 2)) ||
	fail "stats stopped after hotplug ($(tail -n 1 "$log"))"
{ [ "$SCHED_PID" = "$pid" ] && sched_alive; } ||
	fail "hotplug: the scheduler exited"
state_is enabled || fail "hotplug: sched_ext is $(cat $SCX_SYSFS/state)"

kill_spawned
sched_stop INT || fail "exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "exit: $(grep -a '^EXIT' "$log")"
finish
