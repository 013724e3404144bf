#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM: smoke-test every built scheduler under load, run the VM
# tests in tests/vm, then the selftests.  Ends with one line
# "vm-phase: N passed, N failed, N skipped" for tests/run.sh to add up.
#
# Environment: BIN (the schedulers), RUNNER (the selftests), KVER, TESTS (a
# glob) and TIER, as in tests/run.sh.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
TESTS=${TESTS:-*}
# shellcheck source=tests/lib/runner.sh
. "$root/tests/lib/runner.sh"

# Name each test in the kernel's log as it starts, so that vm/run.sh can
# tell which test was running when the kernel reported trouble.
mark() {
	echo "scx-test: start $1" >/dev/kmsg 2>/dev/null || true
}

selected() {
	# shellcheck disable=SC2053 # TESTS is a glob
	[[ $1 == $TESTS ]]
}

echo "# kernel: $(uname -r) ($(uname -v))"
quick=true
[ "${TIER:-quick}" != long ] || quick=false

for sched in "$BIN"/scx_*; do
	name=smoke/$(basename "$sched")
	$quick || break
	selected "$name" || continue
	mark "$name"
	run_test "$name" 120 "$root/vm/load-test.sh" -d 20 "$sched"
done

for t in "$root"/tests/vm/*.sh; do
	name=vm/$(basename "$t" .sh)
	selected "$name" || continue
	in_tier "$t" || continue
	mark "$name"
	run_test "$name" 600 "$t"
done

runner=${RUNNER:-$root/selftests/build/runner}
if [ -x "$runner" ] && $quick && selected selftests; then
	out=$(mktemp)
	start=$SECONDS
	mark selftests
	# -S: our test kernel and VM give every test what it needs, so a
	# skip is a failure here, unless the kernel lacks what it proves.
	timeout -k 5 600 "$runner" -S 2>&1 | tee "$out"
	add_counts "$(tail -n 1 "$out")" || {
		t_num=$((t_num + 1))
		t_failed selftests "the runner did not finish"
	}
	rm -f "$out"
	echo "# selftests: $((SECONDS - start)) s"
fi

echo "vm-phase: $(summary)"
