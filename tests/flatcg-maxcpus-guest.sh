#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside a VM booted with more possible than online CPUs (vm/run.sh -c 4
# -a maxcpus=2, run by tests/host/flatcg-maxcpus.sh): scx_flatcg must load, keep
# two weighted cgroups and a stress-ng mix running for 15 s, report its CPU
# utilisation against the online CPUs (a saturated machine reads near 100%,
# not 50%), and leave with "unregistered from user space".
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"

cg=/sys/fs/cgroup/fcg-maxcpus
pids=()
log=$(mktemp)

cleanup() {
	[ "${#pids[@]}" -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	rmdir "$cg"/* "$cg" 2>/dev/null
	sched_stop INT >/dev/null
	rm -f "$log"
}
at_exit cleanup

# QEMU may not list the absent CPUs of -smp 2,maxcpus=4 in its firmware
# tables, and then the kernel sees only 2 possible CPUs.  Get the same
# situation by taking the upper CPUs offline before the scheduler loads.
sysdev=/sys/devices/system/cpu
if [ "$(cat $sysdev/possible)" = "$(cat $sysdev/online)" ]; then
	n=$(nproc)
	for ((cpu = (n + 1) / 2; cpu < n; cpu++)); do
		echo 0 >"$sysdev/cpu$cpu/online" || fail "cannot offline CPU $cpu"
	done
fi
possible=$(cat $sysdev/possible)
online=$(cat $sysdev/online)
echo "possible CPUs $possible, online $online, nproc $(nproc)"
[ "$possible" != "$online" ] || skip "possible and online CPUs are the same"

if ! { echo +cpu >/sys/fs/cgroup/cgroup.subtree_control && mkdir -p "$cg" &&
	echo +cpu >"$cg/cgroup.subtree_control" && mkdir -p "$cg/a" "$cg/b" &&
	echo 50 >"$cg/a/cpu.weight" && echo 150 >"$cg/b/cpu.weight"; }; then
	fail "cannot set up $cg"
	finish
fi

sched_start "$log" "$BIN/scx_flatcg" -i 2 || finish
[ "$(cat $SCX_SYSFS/root/ops)" = flatcg ] || fail "root/ops is not flatcg"

for c in a a b b; do
	(
		echo "$BASHPID" >"$cg/$c/cgroup.procs" || exit 1
		while :; do :; done
	) &
	pids+=($!)
done
(cd "${TMPDIR:-/tmp}" && exec stress-ng --cpu 2 --fork 1 --switch 1 -t 15 -q) &
pids+=($!)
wait "${pids[-1]}" || fail "stress-ng failed"

if ! state_is enabled || [ "$(cat $SCX_SYSFS/root/ops)" != flatcg ]; then
	fail "scx_flatcg is no longer enabled"
fi
# The last complete stats line, taken while every CPU was busy.
util=$(grep -o 'util= *[0-9.]*' "$log" | tail -n 2 | head -n 1 | tr -dc '0-9.')
echo "last utilisation under load: ${util:-none}%"
awk -v u="${util:-0}" 'BEGIN { exit !(u >= 70 && u <= 110) }' ||
	fail "utilisation ${util:-none}% is not measured against the online CPUs"

sched_stop INT
status=$?
[ "$status" -eq 0 ] || fail "scx_flatcg exited with status $status"
grep -q "EXIT: unregistered from user space" "$log" ||
	fail "unexpected exit: $(grep EXIT: "$log")"
finish
