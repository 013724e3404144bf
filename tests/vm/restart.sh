#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# SCX_ECODE_ACT_RESTART: scx_simple has no cpu_online/cpu_offline, so the
# kernel unloads it on a CPU hotplug with an exit code that asks for a
# restart.  The loader must report the exit and load itself again, once for
# the offline and once for the online.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
bin=$BIN
cpu=/sys/devices/system/cpu/cpu3/online

[ -w "$cpu" ] || skip "CPU 3 cannot be hotplugged in this VM"
log=$(mktemp)
at_exit cpu_online "$cpu"

runs() {
	grep -c '^scx_simple: running' "$log"
}

restarted() {
	[ "$(runs)" -ge "$1" ] && state_is enabled
}

sched_start "$log" "$bin/scx_simple" || finish
echo 0 >"$cpu"
wait_for 60 restarted 2 || fail "no restart after CPU 3 went offline"
echo 1 >"$cpu"
wait_for 60 restarted 3 || fail "no restart after CPU 3 came back"
sched_alive || fail "the loader exited instead of restarting"
grep -q '^EXIT: unregistered from the main kernel (cpu 3 going offline' "$log" ||
	fail "the exit line does not give the hotplug as the reason"
sched_stop INT || fail "exit status $?"
finish
