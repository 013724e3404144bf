#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_central's command line and the options that change its behaviour:
#   -h            usage on stdout, exit 0
#   bad values    one-line error on stderr, exit 1, nothing loaded; -c is
#                 checked against the possible CPUs, and an offline central
#                 CPU is refused in one line too
#   -c 2          the loader runs pinned to CPU 2, and scheduling works
#   -q 2          a queue of 2 overflows under load: overflow moves, and the
#                 overflowed tasks still run to completion (fallback DSQ)
#   -b 1          one dispatch slot per call: retry moves, tasks complete
#   -P            the unpinned-timer path: exactly one warning
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
bin=$(sched_bin scx_central) || exit 1

tmp=$(mktemp -d)
log=$tmp/sched.log
ncpus=$(nproc --all)

"$bin" -h >"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" -eq 0 ] || fail "-h: exit $st"
grep -q '^Usage:' "$tmp/out" || fail "-h: no usage on stdout"
for o in -c -s -q -b -P -i -v -h; do
	grep -q -- "^  $o" "$tmp/out" || fail "-h: $o is not described"
done

# bad WANT ARGS...: exit 1, WANT on a single stderr line, nothing loaded.
bad() {
	local want=$1 st

	shift
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ "$st" -eq 1 ] || fail "'$*': exit $st, expected 1"
	grep -q -- "$want" "$tmp/err" ||
		fail "'$*': stderr lacks '$want': $(head -n 2 "$tmp/err")"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] ||
		fail "'$*': $(wc -l <"$tmp/err") lines on stderr, expected 1"
	state_is disabled || fail "'$*': sched_ext is '$(cat $SCX_SYSFS/state)'"
}

bad "-c wants a number from 0 to $((ncpus - 1))" -c "$ncpus"
bad "-c wants a number from 0" -c -1
bad "-c wants a number from 0" -c two
bad "-c wants a number from 0" -c ''
bad "-s wants a number" -s 0
bad "-q wants a number" -q 0
bad "-b wants a number" -b 0
bad "-i wants a number" -i 0
bad "unexpected argument" extra
"$bin" -x >"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" -eq 1 ] || fail "-x: exit $st, expected 1"
grep -q '^scx_central: unknown option -x (see -h)$' "$tmp/err" ||
	fail "-x: not one line pointing to -h: $(cat "$tmp/err")"

# An offline central CPU: refused in one line, before anything loads.
cpu3=/sys/devices/system/cpu/cpu3/online
if [ -w "$cpu3" ] && echo 0 >"$cpu3"; then
	bad "cannot move to central CPU 3" -c 3
	echo 1 >"$cpu3"
fi

counter() {
	grep '^total=' "$log" | tail -n 1 | tr ' ' '\n' |
		awk -F= -v k="$1" '$1 == k { print $2 }'
}

# moved NAME: the counter is above zero on the last stats line.
moved() {
	[ "$(counter "$1")" -gt 0 ] 2>/dev/null
}

# lines N: at least N stats lines.
lines() {
	[ "$(grep -c '^total=' "$log")" -ge "$1" ]
}

# A burst of short tasks that must all finish: 20 forks of true, 4 wide.
# Small, because under TCG every kick between vCPUs is slow.
burst() {
	seq 20 | xargs -P 4 -n 1 true
}

# -c 2: pinned where it decides, and it still schedules.
sched_start "$log" "$bin" -c 2 -i 1 || finish
grep -q 'central CPU 2' "$log" || fail "-c 2: the banner does not say CPU 2"
allowed=$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$SCHED_PID/status")
[ "$allowed" = 2 ] || fail "-c 2: the loader may run on '$allowed', not 2"
timeout 150 bash -c "$(declare -f burst); burst" || fail "-c 2: the burst did not finish"
sched_stop INT || fail "-c 2: exit status $?"

# -q 2: the queue overflows, the fallback DSQ runs what it could not take.
sched_start "$log" "$bin" -q 2 -i 1 || finish
timeout 150 bash -c "$(declare -f burst); burst" || fail "-q 2: the burst did not finish"
wait_for 30 moved overflow || fail "-q 2: overflow stayed 0"
sched_alive || fail "-q 2: exited"
sched_stop INT || fail "-q 2: exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" || fail "-q 2: unclean exit"

# -b 1: one slot per ops.dispatch() call; asks beyond it are retried.
sched_start "$log" "$bin" -b 1 -i 1 || finish
timeout 150 bash -c "$(declare -f burst); burst" || fail "-b 1: the burst did not finish"
wait_for 30 moved retry || fail "-b 1: retry stayed 0"
sched_stop INT || fail "-b 1: exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" || fail "-b 1: unclean exit"

# -P: the timer runs unpinned and the loader says so, once.
sched_start "$log" "$bin" -P -i 1 || finish
timeout 150 bash -c "$(declare -f burst); burst" || fail "-P: the burst did not finish"
wait_for 30 grep -q 'not pinned' "$log" || fail "-P: no warning"
wait_for 30 lines 5
[ "$(grep -c 'not pinned' "$log")" -eq 1 ] ||
	fail "-P: $(grep -c 'not pinned' "$log") warnings, expected 1"
sched_stop INT || fail "-P: exit status $?"

rm -rf "$tmp"
finish
