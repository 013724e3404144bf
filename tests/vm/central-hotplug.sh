#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# CPU hotplug under scx_central, which has no cpu_online/cpu_offline: the
# kernel unloads it with SCX_ECODE_ACT_RESTART when a worker CPU goes away
# and again when it comes back.  The loader must report each exit, load
# itself again (pinned to the central CPU again) and keep scheduling, and a
# SIGINT must still end it cleanly afterwards.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
bin=$(sched_bin scx_central) || exit 1
cpu=/sys/devices/system/cpu/cpu3/online

[ -w "$cpu" ] || skip "CPU 3 cannot be hotplugged in this VM"
log=$(mktemp)
at_exit cpu_online "$cpu"

runs() {
	grep -c '^scx_central: running' "$log"
}

restarted() {
	[ "$(runs)" -ge "$1" ] && state_is enabled &&
		[ "$(cat "$SCX_SYSFS"/root/ops)" = central ]
}

# Short tasks that must all finish: the restarted scheduler schedules.
burst() {
	seq 20 | xargs -P 4 -n 1 true
}

sched_start "$log" "$bin" -c 0 -i 1 || finish
echo 0 >"$cpu"
wait_for 60 restarted 2 || fail "no restart after CPU 3 went offline"
timeout 150 bash -c "$(declare -f burst); burst" ||
	fail "the burst did not finish with CPU 3 offline"
echo 1 >"$cpu"
wait_for 60 restarted 3 || fail "no restart after CPU 3 came back"
timeout 150 bash -c "$(declare -f burst); burst" ||
	fail "the burst did not finish with CPU 3 back"
sched_alive || fail "the loader exited instead of restarting"
grep -q '^EXIT: .*cpu 3 going offline' "$log" ||
	fail "no exit line giving CPU 3 going offline as the reason"
grep -q '^EXIT: .*cpu 3 going online' "$log" ||
	fail "no exit line giving CPU 3 going online as the reason"
allowed=$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$SCHED_PID/status")
[ "$allowed" = 0 ] || fail "after the restarts the loader may run on '$allowed'"
sched_stop INT || fail "exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "the last exit is not the SIGINT: $(grep '^EXIT' "$log" | tail -n 1)"
rm -f "$log"
finish
