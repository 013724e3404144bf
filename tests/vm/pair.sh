#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_pair keeps the two CPUs of a pair on one cgroup.  Two cgroups, A and
# B, each run 2 busy loops on the 4-CPU VM for 20 s under scx_pair:
#
# - the BPF side's check never fired during those 20 s: mismatch did not
#   move (ops.running() found the sibling running a task of another cgroup
#   zero times), and both cgroups were counted running.  The baseline is
#   taken once the loops are in their cgroups: a loop moves itself there
#   while it runs, and the kernel restarts it in place in its new cgroup,
#   next to whatever its sibling runs; such clashes are counted too (the
#   stats' moved= counts the moves), but they are the move's, not the
#   scheduler's;
# - both made progress: each got at least a third of what it would get
#   alone.  Alone, a cgroup of 2 busy loops gets min(2 loops, 4 CPUs) = 2
#   CPUs, i.e. 2 x the elapsed time of CPU time (cpu.stat usage_usec);
# - a cgroup created, given a task and removed during the run leaves the
#   scheduler enabled and its stats going;
# - CPU 3 going offline and coming back: scx_pair has no cpu_online/offline,
#   so the kernel stops it with SCX_ECODE_ACT_RESTART each time and the same
#   loader loads it again.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
bin=$(sched_bin scx_pair) || exit 1
cg=/sys/fs/cgroup/pair-test
cpu3=/sys/devices/system/cpu/cpu3/online
secs=20
log=$(mktemp)

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	echo 1 >"$cpu3" 2>/dev/null
	kill_spawned
	rmdir "$cg"/* "$cg" 2>/dev/null
	sched_stop INT >/dev/null
	rm -f "$log"
}
at_exit cleanup

[ "$(nproc)" -eq 4 ] || skip "wants the 4-CPU VM (tests/run.sh), not $(nproc) CPUs"
[ -e /sys/fs/cgroup/cgroup.controllers ] || skip "no cgroup2 at /sys/fs/cgroup"
grep -qw cpu /sys/fs/cgroup/cgroup.controllers || skip "no cpu controller"

if ! { echo +cpu >/sys/fs/cgroup/cgroup.subtree_control &&
	mkdir -p "$cg" && echo +cpu >"$cg/cgroup.subtree_control" &&
	mkdir -p "$cg/A" "$cg/B"; }; then
	fail "cannot create the cgroups under $cg"
	finish
fi

# A busy loop that moves itself into cgroup $1 before it spins.
cg_hog() {
	spawn bash -c "echo \$\$ >$cg/$1/cgroup.procs && while :; do :; done"
}

# usage_of CGROUP VAR: set VAR to the cgroup's usage_usec.  Builtins only,
# so that the window measured is the one between the clock readings.
usage_of() {
	local k v

	while read -r k v; do
		[ "$k" = usage_usec ] && printf -v "$2" %s "$v" && return
	done <"$cg/$1/cpu.stat"
}

lines() { grep -c '^runs:' "$log"; }
# shellcheck disable=SC2317 # called by wait_for
printed() { [ "$(lines)" -ge "$1" ]; }
# shellcheck disable=SC2317 # called by wait_for
two_procs() { [ "$(wc -l <"$cg/$1/cgroup.procs")" -eq 2 ]; }

sched_start "$log" "$bin" -i 1 || finish
pid=$SCHED_PID
for c in A B; do
	cg_hog "$c"
	cg_hog "$c"
done
for c in A B; do
	wait_for 30 two_procs "$c" || fail "the busy loops did not reach $c"
done

# The baseline: a stats line printed after the moves.
n=$(lines)
wait_for 30 printed $((n + 1)) || fail "no stats after the loops started"
m0=$(sched_stat mismatch)
echo "loops placed: $(grep -a '^enq=' "$log" | tail -n 1)"

a0=0 a1=0 b0=0 b1=0
t0=$EPOCHREALTIME
usage_of A a0
usage_of B b0
sleep "$secs"
usage_of A a1
usage_of B b1
t1=$EPOCHREALTIME
# The next stats line covers the whole window.
n=$(lines)
wait_for 30 printed $((n + 1)) || fail "no stats after the measurement"
# The shares below are scx_pair's only if it ran the whole window.
{ [ "$SCHED_PID" = "$pid" ] && sched_alive && state_is enabled &&
	[ "$(grep -c '^scx_pair: running' "$log")" -eq 1 ]; } ||
	fail "scx_pair did not run the whole window: $(grep -a '^EXIT' "$log")"

m1=$(sched_stat mismatch)
echo "after ${secs} s: $(grep -a '^enq=' "$log" | tail -n 1)"
echo "               $(grep -a '^runs:' "$log" | tail -n 1)"
if [ -z "$m0" ] || [ -z "$m1" ]; then
	fail "no mismatch= in the stats"
elif [ "$m1" -ne "$m0" ]; then
	fail "a pair ran two cgroups at once $((m1 - m0)) times in ${secs} s (mismatch $m0 -> $m1)"
fi
for c in A B; do
	id=$(stat -c %i "$cg/$c")
	sched_stat_above "cg$id" 0 || fail "no runs counted for cgroup $c (id $id)"
done

# Each cgroup must get at least 1/3 of its share alone: 2 CPUs.
awk -v a="$((a1 - a0))" -v b="$((b1 - b0))" -v t0="$t0" -v t1="$t1" '
BEGIN {
	alone = (t1 - t0) * 2 * 1e6
	printf "over %.1f s: A %.2f CPU-s, B %.2f CPU-s; alone each would get %.2f\n",
	       t1 - t0, a / 1e6, b / 1e6, alone / 1e6
	exit !(a >= alone / 3 && b >= alone / 3)
}' || fail "a cgroup got less than a third of its share alone"

kill_spawned

# A cgroup comes and goes: ops.cgroup_init() gives it a queue, a sleeping
# task moves in and out, ops.cgroup_exit() takes the queue back.
sleep 1000 &
sleeper=$!
n=$(lines)
if ! { mkdir "$cg/C" && echo "$sleeper" >"$cg/C/cgroup.procs" &&
	echo "$sleeper" >/sys/fs/cgroup/cgroup.procs && rmdir "$cg/C"; }; then
	fail "cannot create, use and remove cgroup C"
fi
kill "$sleeper"
wait_for 30 printed $((n + 2)) || fail "stats stopped after cgroup C came and went"
{ [ "$SCHED_PID" = "$pid" ] && sched_alive && state_is enabled; } ||
	fail "scx_pair did not survive cgroup C (state $(cat $SCX_SYSFS/state))"

# CPU hotplug: the kernel asks for a restart each way, and gets one.
runs() { grep -c '^scx_pair: running' "$log"; }
# shellcheck disable=SC2317 # called by wait_for
restarted() {
	[ "$(runs)" -ge "$1" ] && state_is enabled &&
		[ "$(cat "$SCX_SYSFS"/root/ops)" = pair ]
}
if [ -w "$cpu3" ]; then
	echo 0 >"$cpu3" || fail "cannot offline CPU 3"
	wait_for 60 restarted 2 || fail "no restart after CPU 3 went offline"
	echo 1 >"$cpu3" || fail "cannot online CPU 3"
	wait_for 60 restarted 3 || fail "no restart after CPU 3 came back"
	grep -q '^EXIT: .*cpu 3 going offline' "$log" ||
		fail "no exit line giving CPU 3 going offline as the reason"
	grep -q '^EXIT: .*cpu 3 going online' "$log" ||
		fail "no exit line giving CPU 3 going online as the reason"
	{ [ "$SCHED_PID" = "$pid" ] && sched_alive; } ||
		fail "the loader exited instead of restarting"
	n=$(lines)
	wait_for 30 printed $((n + 2)) || fail "no stats after the restarts"
else
	echo "CPU 3 cannot be hotplugged here: hotplug not tested"
fi

sched_stop INT || fail "exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "the last exit is not the SIGINT: $(grep '^EXIT' "$log" | tail -n 1)"
finish
