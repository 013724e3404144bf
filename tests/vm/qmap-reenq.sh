#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_qmap's ops.cpu_release(): an RT task that wakes up on CPU 1 preempts
# one of two qmap spinners pinned there.  The kernel leaves the preempted
# task at the head of CPU 1's local DSQ and calls ops.cpu_release(), whose
# scx_bpf_reenqueue_local() sends it back through ops.enqueue() with
# SCX_ENQ_REENQ: the reenq counter must grow.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
qmap=$(sched_bin scx_qmap) || exit 1
log=$(mktemp)

sched_start "$log" "$qmap" -i 1 || exit 1

for _ in 1 2; do
	spawn taskset -c 1 bash -c 'while :; do :; done'
done

# SCHED_FIFO on CPU 1: sleep 100 ms, hog 50 ms, 30 times.  Each wakeup
# preempts whichever spinner is running there with slice left.
spawn chrt -f 10 taskset -c 1 python3 -c '
import time
for _ in range(30):
    time.sleep(0.1)
    end = time.monotonic() + 0.05
    while time.monotonic() < end:
        pass
'
rt=${SPAWNED[-1]}
wait_for 40 sched_stat_above reenq 0 || fail "cpu_release: nothing reenqueued"
echo "reenq=$(sched_stat reenq)"
wait "$rt" 2>/dev/null

kill_spawned
state_is enabled || fail "sched_ext is $(cat $SCX_SYSFS/state)"
sched_stop INT || fail "exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "exit: $(grep -a '^EXIT' "$log")"
finish
