#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run COMMAND while a sched_ext scheduler is loaded: start SCHEDULER, wait
# until the kernel says sched_ext is enabled, run COMMAND, then stop the
# scheduler with SIGINT and wait until sched_ext is disabled again.  Exits
# with COMMAND's status (2 if the scheduler never came up).  The
# scheduler's own output goes to $SCHED_LOG (default: a file under $TMPDIR,
# printed at the end).
#
# Usage: scripts/with-sched.sh SCHEDULER [ARG...] -- COMMAND [ARG...]
set -uo pipefail

sysfs=/sys/kernel/sched_ext
sched=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	sched+=("$1")
	shift
done
if [ $# -lt 2 ] || [ ${#sched[@]} -eq 0 ]; then
	echo "usage: $0 SCHEDULER [ARG...] -- COMMAND [ARG...]" >&2
	exit 2
fi
shift

log=${SCHED_LOG:-$(mktemp "${TMPDIR:-/tmp}/with-sched.XXXXXX")}
"${sched[@]}" >"$log" 2>&1 &
pid=$!

# Loading takes seconds under TCG; give up after 60 s or if it died.
for _ in $(seq 600); do
	[ "$(cat $sysfs/state)" = enabled ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ "$(cat $sysfs/state)" != enabled ]; then
	echo "with-sched: ${sched[0]} did not enable; it said:" >&2
	cat "$log" >&2
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	exit 2
fi

"$@"
status=$?

kill -INT "$pid" 2>/dev/null
wait "$pid"
for _ in $(seq 300); do
	[ "$(cat $sysfs/state)" = disabled ] && break
	sleep 0.1
done
echo "with-sched: $(basename "${sched[0]}") said: $(grep -m1 '^EXIT' "$log")"
exit "$status"
