#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# SIGKILL of scx_userland in the middle of a load: the user-space scheduler
# cannot clean up, and it held tasks that no one else knows about.  Closing
# its file descriptors must disable the BPF scheduler, within the watchdog
# timeout at worst; every task must go back to the fair class, and the load
# and new tasks must run to completion afterwards.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
bin=$(sched_bin scx_userland) || exit 1

command -v stress-ng >/dev/null || skip "stress-ng is not installed"

tmp=$(mktemp -d)
log=$tmp/sched.log

busy() {
	local v

	v=$(grep '^kernel_enq=' "$log" | tail -n 1 | sed 's/ .*//; s/.*=//')
	[ "${v:-0}" -gt 1000 ]
}

load_done() {
	! kill -0 "$load" 2>/dev/null
}

# How many tasks the sched_ext class runs now (/proc/PID/sched ext.enabled).
nr_ext_tasks() {
	cat /proc/[0-9]*/sched 2>/dev/null |
		awk '$1 == "ext.enabled" && $3 == 1 { n++ } END { print n + 0 }'
}

sched_start "$log" "$bin" -i 1 || exit 1

(cd "$tmp" && exec stress-ng --timeout 40 --cpu 2 --fork 2 --switch 2 \
	--yield 2 >"$tmp/stress.log" 2>&1) &
load=$!
wait_for 60 busy || fail "the load did not get going under scx_userland"
state_is enabled || fail "sched_ext is '$(cat $SCX_SYSFS/state)' before the kill"
before=$(nr_ext_tasks)
[ "$before" -gt 0 ] || fail "no task in the ext class before the kill"

echo "$test_name: kill -9 $SCHED_PID in the middle of the load"
killed=$SECONDS
kill -KILL "$SCHED_PID"
wait "$SCHED_PID" 2>/dev/null
SCHED_PID=
# The kernel's default watchdog timeout is 30 s; allow a little for TCG.
if wait_for 40 state_is disabled; then
	echo "$test_name: disabled $((SECONDS - killed)) s after the kill"
else
	fail "sched_ext still '$(cat $SCX_SYSFS/state)' 40 s after the kill"
fi
after=$(nr_ext_tasks)
echo "$test_name: tasks in the ext class: $before before, $after after"
[ "$after" -eq 0 ] || fail "$after tasks still in the ext class"

# New tasks run: a command, and a fork-and-wake load, in bounded time.
timeout 20 true || fail "a trivial command did not complete in 20 s"
timeout 60 hackbench -g 1 -f 4 -l 50 >/dev/null 2>&1 ||
	timeout 30 stress-ng --fork 1 --fork-ops 100 >/dev/null 2>&1 ||
	fail "a fork-and-wake load did not complete after the kill"
# The load that was running when the scheduler died finishes too.
if ! wait_for 60 load_done; then
	fail "stress-ng did not finish 60 s after the kill"
	kill -KILL "$load" 2>/dev/null
fi
wait "$load" || fail "stress-ng failed: $(tail -n 3 "$tmp/stress.log")"
state_is disabled || fail "sched_ext is '$(cat $SCX_SYSFS/state)' at the end"
rm -rf "$tmp"
finish
