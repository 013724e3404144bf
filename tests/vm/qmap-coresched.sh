#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_qmap's ops.core_sched_before(): two groups of three workers, each
# group sharing a core-scheduling cookie (prctl PR_SCHED_CORE), run on SMT
# siblings.  Enqueues of cookied tasks and core-wide picks compare tasks
# through ops.core_sched_before(): the core counter must grow.  Core-wide
# picks also call ops.dispatch() for the SMT sibling, which qmap skips and
# counts (scx_dispatch_for_sibling(): the 6.12 lockup in the README's
# "Known kernel issues"): the sibling counter must grow too.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
qmap=$(sched_bin scx_qmap) || exit 1

log=$(mktemp)
groups=()

smt=$(cat /sys/devices/system/cpu/smt/active 2>/dev/null)
[ "$smt" = 1 ] || skip "no SMT siblings: core scheduling is off"

cleanup() {
	# Each group is a process group led by its python3.
	local g
	for g in "${groups[@]}"; do kill -- -"$g" 2>/dev/null; done
	sched_cleanup
}
at_exit cleanup

sched_start "$log" "$qmap" -i 1 || exit 1

# A group: take a new cookie for this process, fork two more workers that
# inherit it; each runs 2 ms and sleeps 0.5 ms so that it both wakes
# (enqueues) and runs (core-wide picks).
set -m
for _ in 1 2; do
	python3 -c '
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
# PR_SCHED_CORE, PR_SCHED_CORE_CREATE, this process, PIDTYPE_TGID
if libc.prctl(62, 1, 0, 1, 0):
    sys.exit("prctl(PR_SCHED_CORE): errno %d" % ctypes.get_errno())
for _ in range(2):
    if os.fork() == 0:
        break
while True:
    end = time.monotonic() + 0.002
    while time.monotonic() < end:
        pass
    time.sleep(0.0005)
' &
	groups+=($!)
done
set +m
wait_for 90 sched_stat_above core 0 || fail "core_sched_before: never called"
wait_for 30 sched_stat_above sibling 0 || fail "no ops.dispatch() for an SMT sibling was skipped"
echo "core=$(sched_stat core) sibling=$(sched_stat sibling)"
for g in "${groups[@]}"; do
	kill -0 "$g" 2>/dev/null || fail "a worker group died (prctl failed?)"
done

for g in "${groups[@]}"; do kill -- -"$g" 2>/dev/null; done
groups=()
state_is enabled || fail "sched_ext is $(cat $SCX_SYSFS/state)"
sched_stop INT || fail "exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "exit: $(grep -a '^EXIT' "$log")"
finish
