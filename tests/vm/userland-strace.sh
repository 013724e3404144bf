#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_userland makes no bpf() syscall per task.  strace counts the
# scheduler's bpf() calls independently of its own stats while hackbench
# (fork and wake heavy) runs for 20 s; there must be at most 0.01 per task
# dispatched by user space in that window, over a real number of tasks.
# A design with QUEUE maps pays about 2 per task.
#
# It also shows that the tracer is kept in BPF: strace stops the scheduler
# at each of its syscalls, so if strace waited for user space to order it,
# both would wait forever and the watchdog would end the scheduler.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
bin=$(sched_bin scx_userland) || exit 1
window=20

command -v strace >/dev/null || skip "strace is not installed"
command -v hackbench >/dev/null || skip "hackbench (rt-tests) is not installed"

tmp=$(mktemp -d)
log=$tmp/sched.log

# The field @1 (name=value) of the last stats line, 0 before the first.
stat_of() {
	local v

	v=$(grep '^kernel_enq=' "$log" | tail -n 1 | tr ' ' '\n' |
		sed -n "s/^$1=//p")
	echo "${v:-0}"
}

nr_stats_lines() {
	grep -c '^kernel_enq=' "$log"
}

stats_lines_above() {
	[ "$(nr_stats_lines)" -gt "$1" ]
}

disp_above() {
	[ "$(stat_of user_disp)" -gt "$1" ]
}

# Wait for a stats line newer than the one seen so far, then print @1 of it.
fresh_stat() {
	wait_for 15 stats_lines_above "$(nr_stats_lines)" ||
		fail "no stats line for 15 s"
	stat_of "$1"
}

sched_start "$log" "$bin" -i 1 || exit 1

# $load is timeout itself, which passes our SIGTERM on to the loop.
cd "$tmp" || exit 1
timeout $((window + 90)) bash -c \
	'while :; do hackbench -g 2 -f 5 -l 200 >/dev/null 2>&1; done' &
load=$!
wait_for 30 disp_above 200 ||
	fail "the load did not get going: $(grep '^kernel_enq=' "$log" | tail -n 1)"

# The scheduler's other syscalls are counted too, so that the summary shows
# strace saw it working even when it made no bpf() call at all.
strace -f -c -o "$tmp/strace" \
	-e trace=bpf,sched_yield,epoll_wait,epoll_pwait,epoll_pwait2 \
	-p "$SCHED_PID" 2>"$tmp/strace.err" &
tracer=$!
wait_for 60 grep -q attached "$tmp/strace.err" ||
	fail "strace did not attach in 60 s: $(cat "$tmp/strace.err")"
# The window opens and closes with stats lines printed while traced, so
# strace counts over a longer time than the tasks are counted: if
# anything, the ratio is overestimated.
disp0=$(fresh_stat user_disp)
sleep "$window"		# the measurement window itself, not a wait
disp1=$(fresh_stat user_disp)
# SIGTERM, not SIGINT, which background jobs of a script ignore; strace
# detaches and writes its summary on either.
kill -TERM "$tracer"
if ! wait_for 30 eval '! kill -0 '"$tracer"' 2>/dev/null'; then
	fail "strace did not exit"
	kill -KILL "$tracer"
fi
wait "$tracer"
kill "$load" 2>/dev/null
wait "$load" 2>/dev/null
cat "$tmp/strace.err"

echo "--- strace -c over $window s:"
cat "$tmp/strace"
total=$(awk '$NF == "total" { print $4 }' "$tmp/strace")
[ "${total:-0}" -gt 0 ] || fail "strace counted no syscall of the scheduler"

# strace -c prints a row per syscall seen; none at all means 0 calls.
# Columns: % time, seconds, usecs/call, calls, [errors,] syscall.
calls=$(awk '$NF == "bpf" { print $4; exit }' "$tmp/strace")
calls=${calls:-0}
tasks=$((disp1 - disp0))
echo "$test_name: $calls bpf() calls for $tasks tasks dispatched by user space"
sched_alive || fail "the scheduler died under strace"
state_is enabled || fail "sched_ext is '$(cat $SCX_SYSFS/state)' after the load"
[ "$tasks" -ge 500 ] || fail "only $tasks tasks dispatched in $window s"
awk -v c="$calls" -v t="$tasks" 'BEGIN { exit !(t > 0 && c / t <= 0.01) }' ||
	fail "$calls bpf() calls for $tasks tasks: more than 0.01 per task"
[ "$(stat_of tracer)" -gt 0 ] ||
	fail "strace was never enqueued as the scheduler's tracer"

sched_stop INT || fail "exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "unexpected exit: $(grep '^EXIT' "$log")"
cd / && rm -rf "$tmp"
finish
