#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test harness itself (tests/lib/runner.sh): a failure carries its first
# "FAIL: " reason onto its "not ok" line and into the recap before the
# summary, a skip's reason is its "SKIP: " line even when more follows, a
# timeout is named, each test's time is printed, another runner's counts
# add up, and "# tier: long" puts a test in make test-long only.  And
# at_exit stacks: every step registered runs at exit, the last one first,
# with its arguments as they were when it was registered, even after a
# failed check.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"

tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

# A harness run of four made-up tests, in a shell of its own.
cat >"$tmp/quick.sh" <<'EOF'
echo "quick: FAIL: first reason"
echo "quick: FAIL: second reason"
exit 1
EOF
printf '# tier: long\necho "long: SKIP: not today"\necho "EXIT: trailing"\nexit 4\n' >"$tmp/long.sh"
out=$(cd "$tmp" && bash -c '
	. "$1/tests/lib/runner.sh"
	run_test t/fails 10 bash quick.sh
	run_test t/skips 10 bash long.sh
	run_test t/hangs 1 sleep 10
	run_test t/passes 10 true
	add_counts "vm-phase: 3 passed, 1 failed, 2 skipped"
	recap "vm/other # exit status 2"
	summary
	for f in quick long; do
		for TIER in quick long all; do
			in_tier "$f.sh" && echo "tier: $f in $TIER"
		done
	done' - "$root" 2>&1)
echo "$out"

expect() {
	grep -qxF -- "$1" <<<"$out" || fail "no line: $1"
}
expect "not ok 1 t/fails # exit status 1: FAIL: first reason"
expect "ok 2 t/skips # SKIP not today"
expect "not ok 3 t/hangs # timed out after 1 s"
expect "ok 4 t/passes"
expect "# failed: t/fails: exit status 1: FAIL: first reason"
expect "# failed: t/hangs: timed out after 1 s"
expect "# failed: vm/other # exit status 2"
expect "4 passed, 3 failed, 3 skipped"
for t in fails skips hangs passes; do
	grep -Eq "^# t/$t: [0-9]+ s\$" <<<"$out" || fail "no time line for t/$t"
done
tiers=$(grep '^tier: ' <<<"$out" | tr '\n' ' ')
[ "$tiers" = "tier: quick in quick tier: quick in all tier: long in long tier: long in all " ] ||
	fail "tiers: $tiers"

# at_exit in a test that fails: both steps run, the later one first.
stack=$(bash -c '
	. "$1/tests/lib/assert.sh"
	word="first step"
	at_exit echo "$word"
	word=changed
	at_exit echo second step
	fail "on purpose"
	finish' - "$root" 2>&1)
[ "$stack" = "$(printf '%s\n' '-: FAIL: on purpose' 'second step' 'first step')" ] ||
	fail "at_exit did not run both steps, last first: $stack"
finish
