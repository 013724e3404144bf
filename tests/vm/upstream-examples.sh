#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# The 6.12 tree's own examples, built unchanged with our include/scx by
# host/upstream-examples.sh, load, schedule a short stress-ng mix under
# their own ops name, and exit cleanly on SIGINT.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
# shellcheck source=tests/lib/tree.sh
. "$root/tests/lib/tree.sh"
dir=$SCRATCH/upstream
bin=$dir/build$KVER_DIR/bin

# The examples the host test builds for this kernel (all four on 6.12).
examples=$(cat "$dir/examples" 2>/dev/null) ||
	skip "no $dir/examples: run the host test host/upstream-examples first"
for name in $examples; do
	[ -x "$bin/$name" ] ||
		skip "$bin/$name is not built: run the host test host/upstream-examples first"
done

# The kernel enables a scheduler from a kthread worker of its own (6.12.y
# and later), so ops.init() runs on whatever CPU that worker is on, not on
# the loader's.  The 6.12 scx_central pins its loader to the central CPU and
# errors out ("init from non-central CPU") if init runs elsewhere: a fault of
# that example on these kernels, not of include/scx.  So for its run, pin
# the worker (there since the first scheduler was enabled) to CPU 0, the
# central CPU by default, and give it back all CPUs afterwards.
pin_helper() {
	local pid

	for pid in $(pgrep -x 'scx_(ops_)?enable_helper'); do
		taskset -p "$1" "$pid" >/dev/null || fail "cannot set the affinity of the enable worker"
	done
}

log=$(mktemp)
for name in $examples; do
	ops=${name#scx_}
	echo "# $name"
	if [ "$name" = scx_central ]; then
		pin_helper 0x1
	else
		pin_helper "$(printf '%x' $(((1 << $(nproc --all)) - 1)))"
	fi
	sched_start "$log" "$bin/$name" || continue
	[ "$(cat $SCX_SYSFS/root/ops)" = "$ops" ] ||
		fail "$name: root/ops is '$(cat $SCX_SYSFS/root/ops)', not '$ops'"
	(cd "${TMPDIR:-/tmp}" &&
		stress-ng --timeout 3 --cpu 4 --yield 2 --switch 2 >/dev/null 2>&1)
	state_is enabled || fail "$name: sched_ext is '$(cat $SCX_SYSFS/state)' after the load"
	sched_stop INT || fail "$name: exit status $?"
	grep -q '^EXIT: unregistered from user space' "$log" ||
		fail "$name: no clean exit line"
done
rm -f "$log"
finish
