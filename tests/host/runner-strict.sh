#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The host's kernel has no sched_ext, which our test VM always has.  There
# the selftest runner skips every test, and exits 0; under -S, as make test
# runs it in the VM, every test fails and the runner exits 1, so a VM
# without sched_ext (or with a scheduler left loaded, the same path) turns
# make test red.  Nothing counts as proven from a run that ran nothing.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"

sub=
[ "${KVER:-6.12}" = 6.12 ] || sub=/$KVER
runner=$root/selftests/build$sub/runner
[ -x "$runner" ] || fail "no $runner: run make selftests"
[ ! -e /sys/kernel/sched_ext/state ] || skip "this host has sched_ext"
[ "$(id -u)" -eq 0 ] || skip "not root: the runner would fail for that reason"

out=$("$runner" -t init_exit -t stall 2>&1)
status=$?
[ "$status" -eq 0 ] || fail "without -S the runner exited $status: $(tail -n 1 <<<"$out")"
[ "$(grep -c '# SKIP this kernel has no sched_ext$' <<<"$out")" -eq 2 ] ||
	fail "without -S the tests did not skip for want of sched_ext: $out"

out=$("$runner" -S -t init_exit -t stall 2>&1)
status=$?
echo "$out"
[ "$status" -eq 1 ] || fail "under -S the runner exited $status, not 1"
grep -q '^not ok 1 init_exit$' <<<"$out" || fail "under -S init_exit did not fail"
grep -q '^# this kernel has no sched_ext (-S)$' <<<"$out" ||
	fail "under -S the failure does not say why"
[ "$(tail -n 1 <<<"$out")" = "0 passed, 2 failed, 0 skipped" ] ||
	fail "under -S the totals are '$(tail -n 1 <<<"$out")'"
! grep -q '^# proven ' <<<"$out" || fail "a run that ran nothing proved something"
finish
