#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The selftests cover every callback, ops field, ops flag, exit kind and kfunc
# of 6.12, by what each test declares it asserts on ("make -C selftests
# coverage", whose lists come from the kernel's own kernel/sched/ext.c), and
# selftests/COVERAGE.md, which the README points to, is what "make coverage"
# writes now.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"

# 7.3 has 40 callbacks and 72 kfuncs to 6.12's 33 and 35; what of them the
# selftests prove is not yet judged per kernel.
[ "${KVER:-6.12}" = 6.12 ] ||
	skip "coverage is judged against 6.12's interface only, not yet $KVER's"
out=$(make -s -C "$root/selftests" coverage 2>&1)
status=$?
echo "$out" | grep -iE 'covered|uncovered|unknown' | tail -n 5
[ "$status" -eq 0 ] || fail "coverage check failed: $(echo "$out" | tail -n 5)"

# The file holds the runner's matrices after a header of its own.
matrices=$(sed -n '/^| callback | tests |$/,$p' "$root/selftests/COVERAGE.md")
now=$(grep -v '^  [A-Z]' <<<"$out" | sed -n '/^| callback | tests |$/,$p')
[ -n "$matrices" ] || fail "selftests/COVERAGE.md has no matrices: run 'make coverage'"
[ "$matrices" = "$now" ] ||
	fail "selftests/COVERAGE.md is out of date: run 'make coverage' ($(diff <(echo "$matrices") <(echo "$now") | grep '^[<>]' | head -n 3 | paste -sd ' '))"
finish
