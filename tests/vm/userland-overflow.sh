#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_userland with its user-space scheduler stopped (SIGSTOP) and rings of
# one page (-r 1: 170 records):
#   - 250 unpinned tasks blocked on a FIFO all wake at once while user space
#     is stopped: the ring to user space fills, the rest go to the fallback
#     DSQ and run, and so does an unpinned probe task started after them;
#   - tasks that cannot run on every CPU never wait for user space: this
#     shell pins itself to all CPUs but one and keeps working meanwhile;
#   - after SIGCONT nothing was lost: the fallbacks are counted, the
#     counters balance at exit, and there was no stall.
# The stop lasts well under the 30 s watchdog timeout: the tasks that did
# get into the ring wait for user space all that time.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
bin=$(sched_bin scx_userland) || exit 1
ncpu=$(nproc)

[ "$ncpu" -ge 2 ] || skip "needs 2 CPUs to pin this shell to fewer than all"

tmp=$(mktemp -d)
log=$tmp/sched.log
all=0-$((ncpu - 1))

stat_of() {
	local v

	v=$(grep '^kernel_enq=' "$log" | tail -n 1 | tr ' ' '\n' |
		sed -n "s/^$1=//p")
	echo "${v:-0}"
}

stat_above() {
	[ "$(stat_of "$1")" -gt "$2" ]
}

stats_lines_above() {
	[ "$(grep -c '^kernel_enq=' "$log")" -gt "$1" ]
}

exists() {
	[ -s "$1" ]
}

sched_start "$log" "$bin" -r 1 -i 1 || exit 1
grep -q 'rings of 4 KiB' "$log" || fail "-r 1: rings are not one page"

# 250 unpinned tasks, each blocked opening the FIFO for reading.
mkfifo "$tmp/fifo"
pids=()
for ((i = 0; i < 250; i++)); do
	(read -r _ <"$tmp/fifo") &
	pids+=($!)
done
wait_for 15 stats_lines_above 1 || fail "no stats line"

# From here on this shell and what it starts are kept in BPF.
taskset -pc "0-$((ncpu - 2))" $$ >/dev/null || fail "cannot pin this shell"
kept0=$(stat_of kept)
fb0=$(stat_of fallback)

echo "$test_name: SIGSTOP the user-space scheduler"
kill -STOP "$SCHED_PID"
stopped=$SECONDS
# Opening the FIFO for writing wakes all 250; they read EOF and exit.
: >"$tmp/fifo"
# The probe needs the scheduler three times: for its child "sleep", when
# that wakes, and when the child's exit wakes it.
taskset -c "$all" sh -c "sleep 0.5; echo ran >$tmp/probe" &
pids+=($!)
wait_for 20 exists "$tmp/probe" ||
	fail "an unpinned task did not run while user space was stopped"
echo "$test_name: the probe ran $((SECONDS - stopped)) s after SIGSTOP"
timeout 5 true || fail "this pinned shell could not run a command"
kill -CONT "$SCHED_PID"
wait "${pids[@]}"

wait_for 15 stat_above fallback "$fb0" ||
	fail "no fallback counted after the ring filled"
[ "$(stat_of kept)" -gt "$kept0" ] || fail "pinned tasks were not kept in BPF"
grep '^kernel_enq=' "$log" | tail -n 1
sched_alive || fail "the scheduler died"
state_is enabled || fail "sched_ext is '$(cat $SCX_SYSFS/state)'"

sched_stop INT || fail "exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "unexpected exit (a stall?): $(grep '^EXIT' "$log")"
line=$(grep '^balance:' "$log")
echo "$test_name: $line"
case $line in *' ok') ;; *) fail "the counters do not balance at exit" ;; esac
rm -rf "$tmp"
finish
