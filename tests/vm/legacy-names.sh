#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# The scheduler with the 6.12 kfunc names, built by host/legacy-names.sh,
# loads on 6.12 through the compat layer and survives the load test, and its
# dispatch_from_dsq calls really move tasks.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
# shellcheck source=tests/lib/tree.sh
. "$root/tests/lib/tree.sh"
legacy=$SCRATCH/legacy/build$KVER_DIR/bin/scx_legacy

[ -x "$legacy" ] || skip "$legacy is not built: run the host test host/legacy-names first"
log=$(mktemp)
sched_start "$log" "$legacy" || finish
moved() {
	[ "$(grep -o 'moved=[0-9]*' "$log" | tail -n 1 | cut -d= -f2)" -gt 0 ]
}
(cd "${TMPDIR:-/tmp}" && stress-ng --timeout 10 --cpu 4 --yield 2 >/dev/null 2>&1)
wait_for 30 moved || fail "the dispatch_from_dsq kfuncs moved no task"
sched_stop INT || fail "exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" || fail "no clean exit line"
finish
