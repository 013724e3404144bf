#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_userland's options:
#   -h            usage on stdout, exit 0
#   unknown, bad  usage or a one-line error on stderr, exit 1, nothing loaded
#   -b BATCH      no round sends more than BATCH tasks (max_round), and
#                 rounds are full under load (max_round reaches BATCH)
#   -r PAGES      checked here for its bad values; userland-overflow.sh uses it
#   -i SEC        stats lines SEC seconds apart
#   -v            libbpf's debug messages appear
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
bin=$(sched_bin scx_userland) || exit 1

command -v stress-ng >/dev/null || skip "stress-ng is not installed"

tmp=$(mktemp -d)
log=$tmp/sched.log

"$bin" -h >"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" -eq 0 ] || fail "-h: exit $st"
grep -q '^Usage:' "$tmp/out" || fail "-h: no usage on stdout"
for o in -b -r -i -v -h; do
	grep -q -- "^  $o" "$tmp/out" || fail "-h: $o is not described"
done

# Each bad command line: exit 1, a message on stderr, no scheduler loaded.
bad() {
	local want=$1 st

	shift
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ "$st" -eq 1 ] || fail "'$*': exit $st, expected 1"
	grep -q -- "$want" "$tmp/err" ||
		fail "'$*': stderr lacks '$want': $(head -n 2 "$tmp/err")"
	state_is disabled || fail "'$*' left sched_ext '$(cat $SCX_SYSFS/state)'"
}
bad '^scx_userland: unknown option -x (see -h)$' -x
bad '-b wants a number from 1 to 1024' -b 0
bad '-b wants a number from 1 to 1024' -b 1025
bad '-b wants a number from 1 to 1024' -b two
bad '-i wants a number from 1 to 3600' -i 0
bad '-i wants a number from 1 to 3600' -i 3601
bad '-r wants a number from 1 to 256' -r 0
bad '-r wants a number from 1 to 256' -r 512
bad '-r wants a power of two' -r 3
bad 'unexpected argument' -b 4 extra

# Field @1 of stats line @2 (default: the last).
stat_of() {
	grep '^kernel_enq=' "$log" | sed -n "${2:-\$}p" | tr ' ' '\n' |
		sed -n "s/^$1=//p"
}

nr_lines_at_least() {
	[ "$(grep -c '^kernel_enq=' "$log")" -ge "$1" ]
}

# One run for -b 3, -i 2 and -v together: each boot of TCG costs a minute.
sched_start "$log" "$bin" -b 3 -i 2 -v || exit 1
# The interval first, on a quiet system: under load this shell, too,
# waits on the user-space scheduler.
wait_for 60 nr_lines_at_least 1 || fail "-i 2: no stats line"
t0=$SECONDS
wait_for 60 nr_lines_at_least 4 || fail "-i 2: fewer than 4 stats lines"
dt=$((SECONDS - t0))
echo "$test_name: -i 2: 3 intervals in $dt s"
# 3 intervals of 2 s: 6 s; never less than 5 s (-i 1 would take 3 s).
{ [ "$dt" -ge 5 ] && [ "$dt" -le 12 ]; } ||
	fail "-i 2: 3 stats intervals took $dt s, expected about 6"
(cd "$tmp" && exec stress-ng --timeout 12 --cpu 4 --switch 2 \
	>/dev/null 2>&1)

max=$(stat_of max_round)
sent=$(stat_of user_disp)
echo "$test_name: -b 3: $sent tasks sent, at most $max per round"
[ "${sent:-0}" -gt 100 ] || fail "-b 3: only ${sent:-0} tasks sent"
{ [ "${max:-0}" -ge 1 ] && [ "${max:-0}" -le 3 ]; } ||
	fail "-b 3: a round sent ${max:-0} tasks"
[ "${max:-0}" -eq 3 ] || fail "-b 3: no round was full under load"
sched_stop INT || fail "exit status $?"

grep -q '^libbpf: ' "$log" || fail "-v: no libbpf debug message"
grep -q 'running (batch 3' "$log" || fail "-b 3: not reported at start"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "unexpected exit: $(grep '^EXIT' "$log")"

# Without -v, libbpf is quiet.
sched_start "$log" "$bin" || exit 1
sched_stop INT || fail "exit status $?"
! grep -q '^libbpf: ' "$log" || fail "libbpf messages without -v"
grep -q 'running (batch 8, rings of 256 KiB' "$log" ||
	fail "the default is not a batch of 8 and rings of 256 KiB"
rm -rf "$tmp"
finish
