#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test harness shared by the host phase (tests/run.sh) and the VM phase
# (tests/vm-phase.sh).  A test is a script that exits 0 to pass, 4 to skip
# (kselftest's code; its last "SKIP: " line, or else its last line, says
# why) and anything else to fail.
# Results are printed KTAP style, the test's own output as "# " comments.
#
# Tiers: a test with a line "# tier: long" runs in "make test-long", any
# other in "make test"; TIER=all (what CI runs) takes both.  The smoke
# tests and the selftests are quick.

t_num=0
t_pass=0
t_fail=0
t_skip=0
t_failures=()

# run_test NAME SECONDS COMMAND...
run_test() {
	local name=$1 limit=$2 start=$SECONDS out rc why
	shift 2

	t_num=$((t_num + 1))
	out=$(mktemp)
	timeout -k 5 "$limit" "$@" </dev/null 2>&1 | tee "$out" | sed 's/^/# /'
	rc=${PIPESTATUS[0]}
	echo "# $name: $((SECONDS - start)) s"
	case $rc in
	0)
		echo "ok $t_num $name"
		t_pass=$((t_pass + 1))
		;;
	4)
		# The reason is the last "SKIP: " line; an EXIT trap may print
		# more after it.  Tests that do not use skip() end with it.
		why=$(grep -a -o 'SKIP: .*' "$out" | tail -n 1)
		why=${why#SKIP: }
		[ -n "$why" ] || why=$(tail -n 1 "$out")
		echo "ok $t_num $name # SKIP ${why:-no reason given}"
		t_skip=$((t_skip + 1))
		;;
	124 | 137)
		t_failed "$name" "timed out after $limit s"
		;;
	*)
		# CI may show only part of the log: carry the first reason.
		why=$(grep -a -m 1 -o 'FAIL: .*' "$out")
		t_failed "$name" "exit status $rc${why:+: $why}"
		;;
	esac
	rm -f "$out"
}

# in_tier FILE: does the test in FILE belong to the tier being run?
in_tier() {
	local tier=quick

	grep -q '^# tier: long$' "$1" && tier=long
	[ "${TIER:-quick}" = all ] || [ "${TIER:-quick}" = "$tier" ]
}

# t_failed NAME WHY: count a failure and remember it for the recap.
t_failed() {
	echo "not ok $t_num $1 # $2"
	t_fail=$((t_fail + 1))
	t_failures+=("$1: $2")
}

# add_counts "P passed, F failed, S skipped": fold in another runner's totals.
add_counts() {
	local p f s

	# A here-string, not <(...): the VM's /dev has no /dev/fd.
	read -r p f s <<<"$(echo "$1" |
		sed -n 's/.*\b\([0-9]\+\) passed, \([0-9]\+\) failed, \([0-9]\+\) skipped.*/\1 \2 \3/p')"
	[ -n "$s" ] || return 1
	t_pass=$((t_pass + p))
	t_fail=$((t_fail + f))
	t_skip=$((t_skip + s))
}

# recap [FAILURE...]: list every failure again, so that the end of a long
# log says what went wrong; the arguments are another runner's failures.
recap() {
	local f

	for f in "${t_failures[@]}" "$@"; do
		echo "# failed: $f"
	done
}

summary() {
	echo "$t_pass passed, $t_fail failed, $t_skip skipped"
}
