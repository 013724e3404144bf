#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# The kernel's protections against a broken scx_qmap, each caught as
# SCX_EXIT_ERROR_STALL with the kernel alive afterwards:
# - -t stalls user threads: the watchdog finds a runnable task that has not
#   run for the timeout (30 s);
# - -T stalls kernel threads, kworkers among them: the watchdog finds the
#   stalled one, or, if the watchdog's own kworker is stuck, the tick
#   notices that it stopped checking in;
# - -l loops in dispatch without dispatching anything real: the
#   dispatch-loop limit, then the watchdog.
# -T and -l starve kernel threads, RCU's grace-period kthread among them
# (-l starves every task of the scheduler), and RCU reports a stall once a
# grace period is 21 s old, before the 30 s watchdog ends the scheduler;
# whether it does depends on when the grace period began.  That is expected
# here, so RCU's stall warnings are suppressed for -T and -l, or vm/run.sh
# would fail the whole run on them.  -t starves only user threads.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
qmap=$(sched_bin scx_qmap) || exit 1
tmp=$(mktemp -d)

# expect_stall NAME ARGS...: run scx_qmap under load until it is killed.
expect_stall() {
	local name=$1 rc load start=$SECONDS

	shift
	wait_for 30 state_is disabled || fail "sched_ext busy before $name"
	(cd "$tmp" && exec stress-ng --cpu 2 --fork 1 --timeout 90) >/dev/null 2>&1 &
	load=$!
	timeout 100 "$qmap" "$@" >"$tmp/$name" 2>&1
	rc=$?
	kill "$load" 2>/dev/null
	wait "$load" 2>/dev/null
	echo "$name: scx_qmap $* exited $rc after $((SECONDS - start)) s; $(grep -a '^EXIT' "$tmp/$name")"
	[ "$rc" -eq 1 ] || fail "$name: exit status $rc, expected 1"
	grep -q '^scx_qmap: exit kind 1026$' "$tmp/$name" ||
		fail "$name: not SCX_EXIT_ERROR_STALL: $(grep 'exit kind' "$tmp/$name")"
	grep -Eq '^EXIT: (runnable task stall|watchdog failed to check in)' "$tmp/$name" ||
		fail "$name: no stall message"
}

rcu_suppress=/sys/module/rcupdate/parameters/rcu_cpu_stall_suppress
rcu_was=$(cat "$rcu_suppress" 2>/dev/null) || rcu_was=
cleanup() {
	[ -z "$rcu_was" ] || echo "$rcu_was" >"$rcu_suppress"
	rm -rf "$tmp"
	sched_stop INT >/dev/null
}
at_exit cleanup

[ -n "$rcu_was" ] ||
	{ fail "no $rcu_suppress: cannot run -T and -l without an RCU stall warning"; finish; }

expect_stall user -t 10
echo 1 >"$rcu_suppress"
expect_stall kernel -T 2
expect_stall loop -l 100
echo "$rcu_was" >"$rcu_suppress"
# The loop must not have taken the machine with it.
state_is disabled || fail "sched_ext is '$(cat $SCX_SYSFS/state)' at the end"
timeout 10 true || fail "the system no longer runs commands"

finish
