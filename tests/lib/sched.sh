#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for scripts that run a scheduler inside the VM: vm/load-test.sh
# and the tests in tests/vm.  Source it; it brings tests/lib/assert.sh, and
# registers with at_exit a cleanup that kills what spawn started and stops
# a scheduler still running, so every test detaches, even when it fails.
# A test's own at_exit steps run before that cleanup.
#
#   sched_bin NAME           print the path of scheduler NAME in $BIN, or
#                            fail if it is not built
#   sched_start LOG CMD...   start CMD with its output in LOG (and on our
#                            stdout, unless SCHED_QUIET is set), wait
#                            until sched_ext is enabled; with
#                            SCHED_MAY_REFUSE set, returns 3 if CMD
#                            refused to load as a tool should (below)
#   sched_stop [SIGNAL]      stop it (SIGINT by default) and wait until
#                            sched_ext is disabled; returns its exit status
#   sched_alive              is the scheduler started last still running?
#   state_is STATE           does sched_ext's state read STATE?
#   sched_stat KEY           the last value of KEY=N in the scheduler's log
#   sched_stat_above KEY N   succeed if that value is above N
#   spawn CMD...             run CMD in the background, its PID added to
#                            SPAWNED, killed at exit
#   hog [NICE]               spawn a busy loop, at nice NICE (default 0)
#   kill_spawned             kill what spawn started
#   cpu_online FILE          write 1 to a CPU's online FILE (for at_exit)

# shellcheck source=tests/lib/assert.sh
. "$(dirname "${BASH_SOURCE[0]}")/assert.sh"

SCX_SYSFS=/sys/kernel/sched_ext
# Where our Makefile builds for the test kernel KVER: build, or build/7.3.
KVER_DIR=
[ "${KVER:-6.12}" = 6.12 ] || KVER_DIR=/$KVER
BIN=${BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build$KVER_DIR/bin}
SCHED_PID=
SCHED_LOG=

sched_bin() {
	[ -x "$BIN/$1" ] || { echo "$test_name: $BIN/$1 is not built" >&2; return 1; }
	echo "$BIN/$1"
}

state_is() {
	[ "$(cat $SCX_SYSFS/state)" = "$1" ]
}

sched_alive() {
	[ -n "$SCHED_PID" ] && kill -0 "$SCHED_PID" 2>/dev/null
}

# Enabled, or the scheduler gave up: either way stop waiting.
enabled_or_dead() {
	state_is enabled || ! sched_alive
}

sched_start() {
	SCHED_LOG=$1
	shift
	if ! state_is disabled; then
		fail "a scheduler is already loaded: $(cat $SCX_SYSFS/root/ops 2>/dev/null)"
		return 1
	fi
	"$@" >"$SCHED_LOG" 2>&1 &
	SCHED_PID=$!
	[ -n "${SCHED_QUIET:-}" ] ||
		tail -n +1 -f --pid="$SCHED_PID" "$SCHED_LOG" 2>/dev/null &
	# Under TCG, loading and verifying a scheduler takes seconds.
	if ! wait_for 60 enabled_or_dead || ! state_is enabled; then
		[ -z "${SCHED_MAY_REFUSE:-}" ] || ! sched_refused || return 3
		# Quiet, the loader's output is not on ours: its last line.
		fail "$(basename "$1") did not enable within 60 s (state: $(cat $SCX_SYSFS/state))${SCHED_QUIET:+; it said: $(tail -n 1 "$SCHED_LOG")}"
		sched_stop INT >/dev/null
		return 1
	fi
}

# A clean refusal: the loader exited 1 before sched_ext was enabled, and
# its only output is one line that says why.
sched_refused() {
	local status

	! sched_alive || return 1
	wait "$SCHED_PID"
	status=$?
	SCHED_PID=
	[ "$status" -eq 1 ] && state_is disabled &&
		[ "$(wc -l <"$SCHED_LOG")" -eq 1 ] || return 1
	echo "$test_name: refused to load: $(cat "$SCHED_LOG")"
}

sched_stop() {
	local sig=${1:-INT} status

	[ -n "$SCHED_PID" ] || return 0
	kill -"$sig" "$SCHED_PID" 2>/dev/null
	if ! wait_for 30 eval '! sched_alive'; then
		fail "the scheduler did not exit within 30 s of SIG$sig"
		kill -KILL "$SCHED_PID" 2>/dev/null
	fi
	wait "$SCHED_PID"
	status=$?
	SCHED_PID=
	wait_for 30 state_is disabled ||
		fail "sched_ext still '$(cat $SCX_SYSFS/state)' after the scheduler exited"
	return "$status"
}

SPAWNED=()

sched_stat() {
	grep -ao "\b$1=[0-9]*" "$SCHED_LOG" | tail -n 1 | cut -d= -f2
}

sched_stat_above() {
	local v

	v=$(sched_stat "$1")
	[ "${v:-0}" -gt "$2" ]
}

spawn() {
	"$@" &
	SPAWNED+=($!)
}

hog() {
	spawn nice -n "${1:-0}" bash -c 'while :; do :; done'
}

kill_spawned() {
	[ ${#SPAWNED[@]} -eq 0 ] || kill "${SPAWNED[@]}" 2>/dev/null
	SPAWNED=()
}

cpu_online() {
	echo 1 >"$1" 2>/dev/null
}

# What at_exit runs last: the test's own steps come first.
sched_cleanup() {
	kill_spawned
	sched_stop INT >/dev/null
}

at_exit sched_cleanup
