#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# Tracing a running scheduler, as DEVELOPER_GUIDE.md and its bpftrace
# scripts do, must not crash the guest.  Each kprobe, ftrace filter or
# tracepoint the kernel turns on or off rewrites kernel text under the
# CPUs' feet; under multi-threaded TCG a CPU then runs the old bytes and
# the guest oopses within a round or two (measured with QEMU 7.2: vm/run.sh
# -T multi).  Twenty rounds of kprobes on the sched_ext class's hot
# functions, with scx_simple loaded, and twenty of the sched tracepoints;
# every round must see its probes fire.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
simple=$(sched_bin scx_simple) || exit 1
tr=/sys/kernel/tracing
log=$(mktemp)
rounds=20
fns="select_task_rq_scx enqueue_task_scx dequeue_task_scx balance_scx
     set_next_task_scx put_prev_task_scx task_tick_scx"

[ -w "$tr"/kprobe_events ] || skip "no $tr/kprobe_events (CONFIG_KPROBE_EVENTS)"

cleanup() {
	[ -e "$tr"/events/kprobes ] && echo 0 >"$tr"/events/kprobes/enable
	echo >"$tr"/kprobe_events
	echo 0 >"$tr"/events/sched/enable
	echo >"$tr"/trace
	sched_cleanup
}
at_exit cleanup

# The kprobes' hits, summed from kprobe_profile ("name hits misses").
hits() {
	awk '{ n += $2 } END { print n + 0 }' "$tr"/kprobe_profile
}
hits_seen() {
	[ "$(hits)" -gt 0 ]
}
wakeup_traced() {
	grep -q 'sched_wakeup:' "$tr"/trace
}

# The load is a loop of short sleeps: wakeups and forks keep the probed
# functions busy on every CPU while their text changes.  (Under tracing and
# a stress-ng switch pair, scx_simple once let ksoftirqd wait 37 s, past
# the watchdog's 30 s.)
sched_start "$log" "$simple" || finish
spawn bash -c 'while :; do sleep 0.01; done'

for ((i = 1; i <= rounds; i++)); do
	for f in $fns; do
		echo "p:scx_$f $f" >>"$tr"/kprobe_events || fail "cannot probe $f"
	done
	echo 1 >"$tr"/events/kprobes/enable
	wait_for 10 hits_seen || fail "round $i: the kprobes never fired"
	echo 0 >"$tr"/events/kprobes/enable
	echo >"$tr"/kprobe_events

	echo >"$tr"/trace
	echo 1 >"$tr"/events/sched/enable
	wait_for 10 wakeup_traced || fail "round $i: no sched_wakeup traced"
	echo 0 >"$tr"/events/sched/enable
	state_is enabled || { fail "round $i: scx_simple is gone"; break; }
done
echo "$rounds rounds of kprobes and sched tracepoints under scx_simple"

kill_spawned
sched_stop INT || fail "scx_simple exited with status $?"
finish
