#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# Under a 30 s stress-ng mix, every task scx_userland's BPF side hands to
# user space comes back: no stall (the watchdog would end the scheduler
# with an error), and at exit the counters balance.  The scheduler prints
# them after it has detached and read what was left in the ring:
#   kernel_enq = user_enq           nothing lost on the way to user space
#   user_enq = user_disp + in_heap  nothing lost in user space
#   drained <= user_disp            BPF took only what user space sent
# and what was still in flight at exit is at most a few batches.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
bin=$(sched_bin scx_userland) || exit 1

command -v stress-ng >/dev/null || skip "stress-ng is not installed"

tmp=$(mktemp -d)
log=$tmp/sched.log

sched_start "$log" "$bin" -i 5 || exit 1
echo "$test_name: stress-ng cpu, fork, switch, yield, sem and poll for 30 s"
(cd "$tmp" && stress-ng --timeout 30 --cpu 2 --fork 2 --switch 2 --yield 2 \
	--sem 1 --poll 1 --metrics-brief 2>&1) | grep -E 'fail|error' || true
sched_alive || fail "the scheduler exited during the load"
state_is enabled || fail "sched_ext is '$(cat $SCX_SYSFS/state)' after the load"
sched_stop INT || fail "exit status $?"

grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "unexpected exit (a stall?): $(grep '^EXIT' "$log")"
line=$(grep '^balance:' "$log")
echo "$test_name: $line"
[ -n "$line" ] || fail "no balance line at exit"

# Field @1 of the balance line.
bal() {
	echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

kernel_enq=$(bal kernel_enq)
user_enq=$(bal user_enq)
user_disp=$(bal user_disp)
drained=$(bal drained)
in_heap=$(bal in_heap)
in_ring=$(bal in_ring)
[ "${kernel_enq:-0}" -ge 1000 ] ||
	fail "only ${kernel_enq:-0} tasks went to user space"
[ "$kernel_enq" = "$user_enq" ] ||
	fail "BPF sent $kernel_enq tasks, user space got $user_enq"
[ "$user_enq" -eq $((user_disp + in_heap)) ] ||
	fail "user space got $user_enq tasks, sent $user_disp, holds $in_heap"
[ "$drained" -le "$user_disp" ] ||
	fail "BPF drained $drained tasks, user space sent only $user_disp"
[ $((in_heap + in_ring)) -le 64 ] ||
	fail "$in_heap tasks in the heap and $in_ring in the ring at exit"
case $line in *' ok') ;; *) fail "the scheduler's own check failed" ;; esac
rm -rf "$tmp"
finish
