#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# The selftest runner that kselftest built inside the scratch kernel tree
# (tests/host/kernel-tree.sh syncs this repo there and builds it) runs in
# the VM and passes, as the one built here does.  The tree is the one of
# the kernel booted, KVER: tests/lib/tree.sh's SCRATCH is per KVER.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
# shellcheck source=tests/lib/tree.sh
. "$root/tests/lib/tree.sh"
runner=$SCRATCH/tree/tools/testing/selftests/sched_ext/runner

[ -x "$runner" ] || skip "$runner is not built: run the host test host/kernel-tree first"
echo "# $runner on $(uname -r)"
out=$("$runner" -q 2>&1)
status=$?
echo "$out" | grep -vE '^ok '
[ "$status" -eq 0 ] || fail "the kernel tree's runner exited $status"
tail -n 1 <<<"$out" | grep -qE '^[1-9][0-9]* passed, 0 failed' ||
	fail "the kernel tree's runner did not pass: $(tail -n 1 <<<"$out")"
finish
