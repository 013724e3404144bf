#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make test": the host tests, then one VM boot for everything that needs
# sched_ext.  Ends with "N passed, N failed, N skipped" and exits non-zero
# if anything failed.
#
# Environment (set by the Makefile): BIN, OBJ, KSRC, RUNNER (the selftests)
# and KVER, the test kernel: 6.12 or 7.3.  TIER=quick (make
# test), long (make test-long) or all (CI; see tests/lib/runner.sh).  TESTS=glob
# limits the run to matching tests, e.g. TESTS='host/*' or
# TESTS='vm/qmap-*'; a glob runs every tier unless TIER says otherwise.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/lib/runner.sh
. "$root/tests/lib/runner.sh"
TESTS=${TESTS:-*}
if [ -z "${TIER:-}" ]; then
	TIER=quick
	[ "$TESTS" = '*' ] || TIER=all
fi
KVER=${KVER:-6.12}
export BIN OBJ KSRC TESTS TIER KVER

echo "# host tests"
for t in "$root"/tests/host/*.sh; do
	name=host/$(basename "$t" .sh)
	# shellcheck disable=SC2053 # TESTS is a glob
	[[ $name == $TESTS ]] || continue
	in_tier "$t" || continue
	run_test "$name" 900 "$t"
done

if [[ $TESTS == host/* ]]; then
	recap
	summary
	[ "$t_fail" -eq 0 ]
	exit
fi

echo "# VM tests on the $KVER kernel (4 CPUs: 1 socket, 2 cores, 2 threads each)"
vmlog=$(mktemp)
"$root/vm/run.sh" -c 4 -s 1:2:2 -m 2G -t 3600 \
	-- env BIN="$BIN" OBJ="$OBJ" TESTS="$TESTS" TIER="$TIER" KVER="$KVER" \
	RUNNER="${RUNNER:-}" "$root/tests/vm-phase.sh" 2>&1 | tee "$vmlog"
vm_status=${PIPESTATUS[0]}
line=$(grep -a '^vm-phase: ' "$vmlog" | tail -n 1)
t_num=$((t_num + 1))
if ! add_counts "$line"; then
	t_failed vm-phase "did not finish (vm/run.sh exit $vm_status)"
elif [ "$vm_status" -ne 0 ] && [ "$t_fail" -eq 0 ]; then
	t_failed vm "vm/run.sh exit $vm_status (kernel trouble?)"
fi
mapfile -t vm_failures < <(tr -d '\r' <"$vmlog" | sed -n 's/^not ok [0-9]* //p')
# What the selftests proved, beside their runner, for "make coverage".
if [ -n "${RUNNER:-}" ] && grep -aq '^# proven ' "$vmlog"; then
	tr -d '\r' <"$vmlog" | grep -a '^# kernel [^:]\|^# proven ' \
		>"$(dirname "$RUNNER")/proven"
fi
rm -f "$vmlog"

recap "${vm_failures[@]}"
summary
[ "$t_fail" -eq 0 ]
