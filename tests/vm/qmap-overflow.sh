#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_qmap -q 4 with eight hogs: full queues spill into the shared DSQ
# (overflow grows) and no task is lost (all hogs keep running); renicing
# queued tasks is counted by ops.dequeue(); ops.tick() sets performance
# targets from the weights, shown on the cpuperf line.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
qmap=$(sched_bin scx_qmap) || exit 1
log=$(mktemp)

sched_start "$log" "$qmap" -q 4 -i 1 || exit 1

for _ in 1 2 3 4 5 6 7 8; do hog 0; done
wait_for 20 sched_stat_above overflow 0 || fail "-q 4: no queue overflowed"
echo "overflow=$(sched_stat overflow)"
for h in "${SPAWNED[@]}"; do
	kill -0 "$h" 2>/dev/null || fail "-q 4: hog $h is gone"
done

for n in 1 2 3 4 5 6 7 8 9 10; do
	renice -n $((n % 3)) -p "${SPAWNED[@]:0:8}" >/dev/null
done
wait_for 20 sched_stat_above deq 0 || fail "dequeue: not counted"
echo "deq=$(sched_stat deq)"

wait_for 10 grep -q '^cpuperf: ' "$log" || fail "tick: no cpuperf line"
tgt=$(grep -a '^cpuperf: ' "$log" | tail -n 1 | sed 's|.*target min/avg/max=[0-9]*/[0-9]*/||')
echo "cpuperf: $(grep -a '^cpuperf: ' "$log" | tail -n 1)"
[ "${tgt:-0}" -gt 0 ] || fail "tick: no CPU has a performance target"

kill_spawned
sched_stop INT || fail "exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "exit: $(grep -a '^EXIT' "$log")"
finish
