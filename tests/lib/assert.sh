#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What every test script uses: checks, waits and cleanup.  Source it.
#
#   fail MSG                 report a failed check; the test goes on
#   skip MSG                 end the test as skipped (exit 4)
#   finish                   exit 0 if no check failed, 1 otherwise
#   wait_for SECS CMD...     poll CMD every 0.1 s until it succeeds; fails
#                            (returns 1) after SECS seconds
#   at_exit CMD [ARG...]     run CMD with ARGs (as they are now) when the
#                            script exits, however it exits; the last one
#                            added runs first, so each undoes its own step
#
# A test never sets an EXIT trap of its own: that would replace the ones
# that the libraries and the other steps registered with at_exit.

test_failed=0
test_name=$(basename "$0" .sh)

fail() {
	echo "$test_name: FAIL: $*"
	test_failed=1
}

skip() {
	echo "$test_name: SKIP: $*"
	exit 4
}

finish() {
	[ "$test_failed" -eq 0 ] && echo "$test_name: ok"
	exit "$test_failed"
}

wait_for() {
	local deadline=$((SECONDS + $1))

	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

AT_EXIT=()

at_exit() {
	AT_EXIT=("$(printf '%q ' "$@")" "${AT_EXIT[@]}")
}

run_at_exit() {
	local cmd

	for cmd in "${AT_EXIT[@]}"; do
		eval "$cmd"
	done
}

trap run_at_exit EXIT
