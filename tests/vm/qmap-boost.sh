#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_qmap -H -P: a nice -20 hog among nice 0 hogs is boosted (the boost
# counters grow and boosted tasks reach a CPU), and the monitor timer prints
# the shared DSQ to the trace buffer.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
qmap=$(sched_bin scx_qmap) || exit 1
log=$(mktemp)
trace=/sys/kernel/tracing/trace

echo >"$trace" 2>/dev/null
sched_start "$log" "$qmap" -H -P -i 1 || exit 1

for _ in 1 2 3 4 5 6 7 8; do hog 0; done
hog -20
wait_for 40 sched_stat_above queued 0 || fail "-H: no nice -20 task was boosted"
boosted=$(($(sched_stat local) + $(sched_stat remote) + $(sched_stat timer)))
echo "boost: queued=$(sched_stat queued) onto a CPU=$boosted lost=$(sched_stat lost)"
[ "$boosted" -gt 0 ] || fail "-H: boosted tasks never reached a CPU"

wait_for 20 grep -q 'qmap: shared DSQ holds' "$trace" ||
	fail "-P: nothing in $trace"

kill_spawned
sched_stop INT || fail "exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "exit: $(grep -a '^EXIT' "$log")"
finish
