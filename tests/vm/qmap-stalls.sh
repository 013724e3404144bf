#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's protections against a broken scx_qmap: -t (stall user
# threads) must be caught by the watchdog as SCX_EXIT_ERROR_STALL, and -l (dispatch that never dispatches anything
# real) must be cut off by the dispatch-loop limit and then the watchdog,
# with the kernel alive afterwards.  Each case takes the watchdog's 30 s.
# -T is left out: stalled kernel threads starve rcu_sched, and the RCU stall
# warning makes vm/run.sh fail the whole VM run (by hand, "scx_qmap -T 2"
# ends with "watchdog failed to check in" after about 50 s).
set -uo pipefail

BIN=${BIN:-$PWD/build/bin}
# shellcheck source=tests/sched-lib.sh
. "$(dirname "$0")/../sched-lib.sh"
qmap=$BIN/scx_qmap
[ -x "$qmap" ] || { echo "$qmap is not built"; exit 1; }
tmp=$(mktemp -d)

# expect_stall NAME ARGS...: run scx_qmap under load until it is killed.
expect_stall() {
	local name=$1 rc load start=$SECONDS

	shift
	wait_for 30 state_is disabled || fail "sched_ext busy before $name"
	(cd "$tmp" && exec stress-ng --cpu 2 --fork 1 --timeout 90) >/dev/null 2>&1 &
	load=$!
	timeout 100 "$qmap" "$@" >"$tmp/$name" 2>&1
	rc=$?
	kill "$load" 2>/dev/null
	wait "$load" 2>/dev/null
	echo "$name: scx_qmap $* exited $rc after $((SECONDS - start)) s; $(grep -a '^EXIT' "$tmp/$name")"
	[ "$rc" -eq 1 ] || fail "$name: exit status $rc, expected 1"
	grep -q '^scx_qmap: exit kind 1026$' "$tmp/$name" ||
		fail "$name: not SCX_EXIT_ERROR_STALL: $(grep 'exit kind' "$tmp/$name")"
	grep -q '^EXIT: runnable task stall' "$tmp/$name" ||
		fail "$name: no stall message"
}

expect_stall user -t 10
expect_stall loop -l 100
# The loop must not have taken the machine with it.
state_is disabled || fail "sched_ext is '$(cat $SCX_SYSFS/state)' at the end"
timeout 10 true || fail "the system no longer runs commands"

rm -rf "$tmp"
finish
