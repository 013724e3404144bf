#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_cpu0 keeps its promise, and the watchdog ends it when it cannot:
# 1. busy loops allowed on every CPU run on CPU 0 only: /proc/PID/stat
#    field 39 (the CPU it last ran on) of one reads 0 at every sample, and
#    the BPF side counts runs on CPU 0 and none of ours elsewhere
#    (nr_off_cpu0=0 on every stats line);
# 2. a busy loop pinned to CPU 2 still runs there: its CPU time grows;
# 3. overload: with -t 1000 (a 1 s watchdog timeout), -s 250000 and ten
#    busy loops queued on CPU 0 (a round of 250 ms slices longer than 1 s),
#    the watchdog ends the scheduler with SCX_EXIT_ERROR_STALL ("runnable task
#    stall") on 6.12 and 7.3 alike, the loader exits 1, the kernel logs it,
#    sched_ext is back to disabled and CPU 0 runs commands again.
# The test shell stays off CPU 0 throughout, or it would wait in the queue
# it measures.
# Starving CPU 0 starves its kworkers and RCU's grace-period kthread too;
# RCU would report a stall after 21 s, failing the whole VM run, so its
# stall warnings are suppressed for part 3 (it should end well before).
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
cpu0=$(sched_bin scx_cpu0) || exit 1
[ "$(nproc)" -ge 3 ] || skip "needs CPU 2; this VM has $(nproc) CPUs"
all_cpus=0-$(($(nproc) - 1))
tmp=$(mktemp -d)

rcu_suppress=/sys/module/rcupdate/parameters/rcu_cpu_stall_suppress
rcu_was=$(cat "$rcu_suppress" 2>/dev/null) || rcu_was=
cleanup() {
	[ -z "$rcu_was" ] || echo "$rcu_was" >"$rcu_suppress"
	taskset -p -c "$all_cpus" $$ >/dev/null
	sched_cleanup
	rm -rf "$tmp"
}
at_exit cleanup

# stat_field PID N: field N of /proc/PID/stat in REPLY, without a fork
# (this shell is slow enough under TCG).  The fields after "(comm)", which
# may hold spaces, are plain.
stat_field() {
	local s f

	read -r s <"/proc/$1/stat" || return 1
	read -ra f <<<"${s##*) }"
	REPLY=${f[$2 - 3]}
}

# cpu_ticks PID: its user + system time, in clock ticks, in REPLY.
cpu_ticks() {
	local utime

	stat_field "$1" 14 || return 1
	utime=$REPLY
	stat_field "$1" 15 || return 1
	REPLY=$((utime + REPLY))
}

# This shell and what it runs stay off CPU 0, so that they keep up however
# long CPU 0's queue grows; the hogs widen their affinity to every CPU.
taskset -p -c "1-$(($(nproc) - 1))" $$ >/dev/null
free_hog() {
	spawn taskset -c "$all_cpus" bash -c 'while :; do :; done'
}

# --- 1 and 2: where tasks run ---
sched_start "$tmp/run" "$cpu0" || finish
free_hog
free_hog
free_hog
free_hog=${SPAWNED[0]}
spawn taskset -c 2 bash -c 'while :; do :; done'
pinned=$!

# A hog starts on this shell's CPUs and joins CPU 0's queue at the end of
# its first slice; from then on it must never be seen anywhere else.
on_cpu0() { stat_field "$free_hog" 39 && [ "$REPLY" = 0 ]; }
wait_for 10 on_cpu0 || fail "hog $free_hog is still on CPU $REPLY after 10 s"
# Sample where it ran, 10 times over 1 s or more; it must have run meanwhile.
cpu_ticks "$free_hog"
start=$REPLY
cpu_ticks "$pinned"
pinned_start=$REPLY
cpus=
for _ in {1..10}; do
	stat_field "$free_hog" 39
	cpus+=" $REPLY"
	sleep 0.1
done
cpu_ticks "$free_hog"
echo "hog $free_hog: +$((REPLY - start)) ticks, on CPU:$cpus"
[ "$REPLY" -gt "$start" ] || fail "hog $free_hog did not run"
[ -z "${cpus//[ 0]/}" ] || fail "a hog allowed on all CPUs ran elsewhere than CPU 0:$cpus"

# Well within the watchdog's 30 s: after those, the fair class would run it.
pinned_ran() { cpu_ticks "$pinned" && [ "$REPLY" -ge $((pinned_start + 100)) ]; }
wait_for 10 pinned_ran ||
	fail "the task pinned to CPU 2 ran $((REPLY - pinned_start)) ticks in 10 s, not 100"
cpu_ticks "$pinned"
ran=$((REPLY - pinned_start))
stat_field "$pinned" 39
echo "pinned task: CPU $REPLY, +$ran ticks"
[ "$REPLY" = 2 ] || fail "the task pinned to CPU 2 is on CPU $REPLY"

# A stats line printed after all of that.
lines=$(grep -c '^nr_queued=' "$tmp/run")
new_line() { [ "$(grep -c '^nr_queued=' "$tmp/run")" -gt "$lines" ]; }
wait_for 10 new_line ||
	fail "no stats line in 10 s"
tail -n 1 "$tmp/run"
sched_stat_above nr_queued 0 || fail "nr_queued is $(sched_stat nr_queued)"
sched_stat_above nr_on_cpu0 0 || fail "nr_on_cpu0 is $(sched_stat nr_on_cpu0)"
sched_stat_above nr_local 0 || fail "nr_local is $(sched_stat nr_local): the pinned task was not counted"
grep -q 'nr_off_cpu0=[1-9]' "$tmp/run" &&
	fail "the BPF side saw a task allowed on CPU 0 run elsewhere: $(grep -m 1 'nr_off_cpu0=[1-9]' "$tmp/run")"
# All of the above was under scx_cpu0, not after it had died.
if ! sched_alive || ! state_is enabled; then
	fail "scx_cpu0 did not last: $(grep -a '^EXIT' "$tmp/run")"
fi
kill_spawned
sched_stop INT || fail "scx_cpu0 exited with status $?"
grep -q '^EXIT: unregistered from user space' "$tmp/run" ||
	fail "no clean exit: $(grep '^EXIT' "$tmp/run")"

# --- 3: overload ---
if [ -z "$rcu_was" ]; then
	fail "no $rcu_suppress: cannot overload CPU 0 without an RCU stall warning"
	finish
fi
echo 1 >"$rcu_suppress"
# Started under the fair class, where forks are quick: under scx_cpu0 each
# would wait a whole round of CPU 0's queue.  With 250 ms slices, the tenth
# waits 2.25 s for its turn, over the 1 s timeout.
for _ in {1..10}; do
	free_hog
done
start=$SECONDS
# Not sched_start: the scheduler may be gone before it would see enabled.
"$cpu0" -s 250000 -t 1000 >"$tmp/over" 2>&1 &
SCHED_PID=$!
wait_for 90 eval '! sched_alive' || fail "scx_cpu0 survived 10 hogs for 90 s"
echo "scx_cpu0 -s 250000 -t 1000 ended after $((SECONDS - start)) s, with 10 hogs"
kill_spawned
sched_stop INT
rc=$?
echo "$rcu_was" >"$rcu_suppress"
grep -a '^EXIT\|running' "$tmp/over"
grep -q '^scx_cpu0: running' "$tmp/over" || fail "scx_cpu0 never ran: $(tail -n 3 "$tmp/over")"
[ "$rc" -eq 1 ] || fail "exit status $rc, expected 1"
grep -Eq '^EXIT: runnable task stall \((.*\[[0-9]+\] failed to run|watchdog failed to check in) for [0-9.]+s\)$' "$tmp/over" ||
	fail "not a watchdog stall exit: $(grep -a '^EXIT' "$tmp/over")"
# Not dmesg | grep -q: under pipefail, dmesg killed by SIGPIPE when grep
# quits early (the task dump after the line is long) fails the pipe.
grep -q 'sched_ext: BPF scheduler "cpu0" disabled (runnable task stall)' <(dmesg) ||
	fail "the kernel did not log the stall"
state_is disabled || fail "sched_ext is '$(cat "$SCX_SYSFS/state")' at the end"
taskset -p -c "$all_cpus" $$ >/dev/null
timeout 10 taskset -c 0 true || fail "the system no longer runs commands on CPU 0"

finish
