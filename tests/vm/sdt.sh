#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_sdt keeps task contexts in a BPF arena and gives them back:
# 1. churn: 10000 short-lived tasks (stress-ng --vfork) under scx_sdt;
#    nr_alloc grows by at least 10000, and once the churn is over the live
#    contexts (nr_alloc - nr_free) are back to what they were before, within
#    3: the contexts of the exited tasks were all taken back.  Before the
#    churn, live is the threads on the system (each but the idle tasks has
#    one) plus a few that exited but are not freed yet;
# 2. the arena stays small: freed slots are reused, so the pages in use
#    after the churn exceed those before by no more than the peak of tasks
#    alive at once needs (a few hundred: on 6.12 a dead task gives its
#    context back only when its last reference goes, after an RCU grace
#    period), far from the 10000 / (slots a page) pages of no reuse;
# 3. an arena of one page, with more tasks than it holds: ops.init_task()
#    fails, the loader exits 1 with an "EXIT: ... arena full ... raise -p"
#    line, sched_ext is back to disabled and the kernel logs no oops;
# 4. weights: as many busy loops at nice -5 as there are CPUs, and as many
#    at nice 0, share the CPUs as their weights, 3121 : 1024 (3.05), within
#    15%, over 6 s (schedstat run times of each group).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
bin=$(sched_bin scx_sdt) || exit 1
command -v stress-ng >/dev/null || skip "no stress-ng"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
log=$tmp/run
churn=10000

lines() { grep -c '^nr_local=' "$log"; }
# shellcheck disable=SC2317 # called by wait_for
printed() { [ "$(lines)" -ge "$1" ]; }

# A fresh stats line: one printed after this call.
next_stats() {
	local n

	n=$(lines)
	wait_for 10 printed $((n + 1))
}

# nr_threads: the threads on the system, without a fork, in REPLY.
nr_threads() {
	local t

	shopt -s nullglob
	t=(/proc/[0-9]*/task/[0-9]*)
	shopt -u nullglob
	REPLY=${#t[@]}
}

# A few contexts more than threads belong to tasks that exited but whose
# task_struct is still referenced: ops.exit_task() runs when it is freed.
# settled: a fresh stats line whose live count is within 3 of $1; sets
# live and threads.
live=0 threads=0
# shellcheck disable=SC2317 # called by wait_for
settled() {
	next_stats || return 1
	nr_threads
	threads=$REPLY
	live=$(sched_stat live)
	[ -n "$live" ] && [ $((live - $1)) -le 3 ] && [ $(($1 - live)) -le 3 ]
}

# --- 1 and 2: churn ---
sched_start "$log" "$bin" -i 1 || finish
slots=$(sed -n 's/^scx_sdt: running .*, \([0-9]*\) task contexts each.*/\1/p' "$log")
[ -n "$slots" ] || { fail "no slots per page in: $(head -n 1 "$log")"; slots=64; }
next_stats || fail "no stats line"
nr_threads
live0=$(sched_stat live) threads0=$REPLY
# Every thread has a context, and the excess is a handful of dead tasks.
if [ "${live0:-0}" -lt "$threads0" ] || [ "$live0" -gt $((threads0 + 16)) ]; then
	fail "before the churn: $live0 live contexts for $threads0 threads"
fi
a0=$(sched_stat nr_alloc) pages0=$(sched_stat pages)
echo "before: $(grep '^nr_local=' "$log" | tail -n 1) (threads $threads0)"

stress-ng --temp-path /tmp --vfork 2 --vfork-ops "$churn" -q ||
	fail "stress-ng --vfork failed"
wait_for 30 settled "$live0" ||
	fail "after the churn: $live live contexts for $threads threads (before: $live0 for $threads0)"
a1=$(sched_stat nr_alloc) pages1=$(sched_stat pages)
echo "after:  $(grep '^nr_local=' "$log" | tail -n 1) (threads $threads)"
[ $((a1 - a0)) -ge "$churn" ] ||
	fail "nr_alloc grew by $((a1 - a0)), not the $churn tasks forked"
# A few hundred tasks at once, dead ones awaiting RCU included, at most.
bound=$((pages0 + 512 / slots + 1))
[ "$pages1" -le "$bound" ] ||
	fail "pages in use grew from $pages0 to $pages1 over $churn tasks (bound $bound; no reuse would need $((churn / slots)))"
sched_stop INT || fail "exit status $? after the churn"

# --- 4: weights ---
sched_start "$log" "$bin" -i 1 || finish
light=() heavy=()
for ((i = 0; i < $(nproc); i++)); do
	spawn bash -c 'while :; do :; done'
	light+=("$!")
	spawn nice -n -5 bash -c 'while :; do :; done'
	heavy+=("$!")
done

# group_ms PID...: the time they ran, together (schedstat), in ms, in REPLY.
group_ms() {
	local pid ns rest sum=0

	for pid in "$@"; do
		read -r ns rest <"/proc/$pid/schedstat" || return 1
		sum=$((sum + ns))
	done
	REPLY=$((sum / 1000000))
}
# shellcheck disable=SC2317 # called by wait_for
heavy_ahead() {
	local l

	group_ms "${light[@]}" || return 1
	l=$REPLY
	group_ms "${heavy[@]}" && [ "$REPLY" -gt $((2 * l)) ]
}
# The loops start level with the current vtime: measure once the weights
# have shown.
wait_for 30 heavy_ahead || fail "nice -5 did not pull ahead of nice 0 within 30 s"
group_ms "${light[@]}" && l0=$REPLY
group_ms "${heavy[@]}" && h0=$REPLY
sleep 6
group_ms "${light[@]}" && l1=$REPLY
group_ms "${heavy[@]}" && h1=$REPLY
kill_spawned
echo "$(nproc) loops each, for 6 s: nice 0 ran $((l1 - l0)) ms, nice -5 $((h1 - h0)) ms"
awk -v l="$((l1 - l0))" -v h="$((h1 - h0))" 'BEGIN {
	want = 3121 / 1024
	if (l <= 0) exit 1
	printf "ratio %.2f, weights give %.2f\n", h / l, want
	exit !(h / l >= want * 0.85 && h / l <= want * 1.15)
}' || fail "the CPU time does not follow the weights"
sched_stop INT || fail "exit status $? after the busy loops"

# --- 3: an arena too small for the tasks there are ---
oops0=$(dmesg | grep -cE 'Oops|BUG:|WARNING:')
nr_threads
for ((i = REPLY; i < slots + 16; i++)); do
	spawn sleep 1000
done
timeout 60 "$bin" -p 1 >"$tmp/tiny" 2>&1
status=$?
kill_spawned
exit_line=$(grep '^EXIT:' "$tmp/tiny")
echo "-p 1: exit status $status, $exit_line"
if [ "$status" -eq 0 ] || [ "$status" -eq 124 ]; then
	fail "the loader with -p 1 exited $status, not with an error"
fi
[[ $exit_line == *"arena full"*"raise -p"* ]] ||
	fail "no EXIT line saying the arena is full and to raise -p: $(tail -n 3 "$tmp/tiny")"
wait_for 30 state_is disabled ||
	fail "sched_ext still '$(cat $SCX_SYSFS/state)' after -p 1"
[ "$(dmesg | grep -cE 'Oops|BUG:|WARNING:')" -eq "$oops0" ] ||
	fail "the kernel logged: $(dmesg | grep -E 'Oops|BUG:|WARNING:' | tail -n 3)"
finish
