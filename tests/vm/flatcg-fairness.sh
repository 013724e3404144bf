#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_flatcg enforces the cpu.weight hierarchy.  Build
#
#   fcg-fair/A  (weight 100):  A1 (100), A2 (300)
#   fcg-fair/B  (weight 200)
#
# put more busy loops than CPUs in each leaf, and measure each leaf's share
# of the CPU time over 20 s from cpu.stat usage_usec.  The flattened
# expectation is A1 1/12, A2 3/12, B 8/12; every share must be within 5%
# (relative) of it.  Then set A2's weight to 100 in the middle of the run
# (expect 1/6, 1/6, 4/6) and check the shares follow.  Finally the same
# hierarchy runs 20 s under the fair class, reported beside it.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"

cg=/sys/fs/cgroup/fcg-fair
leaves=(A/A1 A/A2 B)
hogs_per_leaf=$(($(nproc) + 2))
hog_pids=()
log=$(mktemp)

cleanup() {
	local l

	[ "${#hog_pids[@]}" -gt 0 ] && kill "${hog_pids[@]}" 2>/dev/null
	wait "${hog_pids[@]}" 2>/dev/null
	for l in A/A1 A/A2 A B; do
		rmdir "$cg/$l" 2>/dev/null
	done
	rmdir "$cg" 2>/dev/null
	sched_stop INT >/dev/null
	rm -f "$log"
}
at_exit cleanup

[ "$(nproc)" -ge 2 ] || skip "needs 2 or more CPUs"
[ -e /sys/fs/cgroup/cgroup.controllers ] || skip "no cgroup2 at /sys/fs/cgroup"
grep -qw cpu /sys/fs/cgroup/cgroup.controllers || skip "no cpu controller"

setup() {
	echo +cpu >/sys/fs/cgroup/cgroup.subtree_control || return 1
	mkdir -p "$cg" && echo +cpu >"$cg/cgroup.subtree_control" || return 1
	mkdir -p "$cg/A" "$cg/B" && echo +cpu >"$cg/A/cgroup.subtree_control" ||
		return 1
	mkdir -p "$cg/A/A1" "$cg/A/A2" || return 1
}

set_weights() {
	echo "$1" >"$cg/A/cpu.weight" && echo "$2" >"$cg/A/A1/cpu.weight" &&
		echo "$3" >"$cg/A/A2/cpu.weight" && echo "$4" >"$cg/B/cpu.weight"
}

# A busy loop that moves itself into cgroup $1 before it starts spinning.
start_hog() {
	(
		echo "$BASHPID" >"$cg/$1/cgroup.procs" || exit 1
		while :; do :; done
	) &
	hog_pids+=($!)
}

# usage_of LEAF VAR: set VAR to LEAF's usage_usec.  Builtins only: under
# TCG on a busy host a fork and exec can take a second, and the window
# measured must be the one between the two clock readings.
usage_of() {
	local k v

	while read -r k v; do
		[ "$k" = usage_usec ] && printf -v "$2" %s "$v" && return
	done <"$cg/$1/cpu.stat"
}

# measure SECS LABEL EXP_A1 EXP_A2 EXP_B: print a table row per leaf and
# return non-zero if a share is more than 5% (relative) off.
measure() {
	local secs=$1 label=$2 u0=() u1=() i t0 t1
	local exp=("$3" "$4" "$5")

	t0=$EPOCHREALTIME
	for i in "${!leaves[@]}"; do
		usage_of "${leaves[i]}" "u0[$i]"
	done
	sleep "$secs"
	for i in "${!leaves[@]}"; do
		usage_of "${leaves[i]}" "u1[$i]"
	done
	t1=$EPOCHREALTIME
	echo "$label: asked for ${secs} s, measured $t0 to $t1"
	awk -v label="$label" -v names="${leaves[*]}" \
	    -v d="$((u1[0] - u0[0])) $((u1[1] - u0[1])) $((u1[2] - u0[2]))" \
	    -v e="${exp[*]}" -v secs="$(awk "BEGIN { print $t1 - $t0 }")" \
	    -v ncpu="$(nproc)" '
	BEGIN {
		split(names, n, " "); split(d, u, " "); split(e, x, " ")
		tot = u[1] + u[2] + u[3]
		if (tot <= 0) { print label ": no CPU time measured"; exit 1 }
		# The hogs saturate every CPU, so the leaves must account
		# for about secs * ncpu of CPU time.  On an overloaded host
		# the clocks of the guest drift apart, and shares mean nothing.
		r = tot / 1e6 / (secs * ncpu)
		if (r < 0.7 || r > 1.15) {
			printf "%s: %.1f CPU-s in %.1f s on %d CPUs: the VM clocks disagree\n",
			       label, tot / 1e6, secs, ncpu
			exit 2
		}
		bad = 0
		for (i = 1; i <= 3; i++) {
			split(x[i], f, "/"); want = f[1] / f[2]
			got = u[i] / tot; err = (got - want) / want
			if (err < -0.05 || err > 0.05) bad = 1
			printf "%-12s %-6s %6s %8.4f %8.4f %+7.1f%% %8.2f\n",
			       label, n[i], x[i], want, got, 100 * err,
			       u[i] / 1e6
		}
		printf "%-12s total CPU %.2f s in %.1f s\n", label, tot / 1e6, secs
		exit bad
	}'
}

header() {
	printf "%-12s %-6s %6s %8s %8s %8s %8s\n" run leaf expect want \
	       measured error cpu_s
	echo "(t=${SECONDS}s)"
}

setup || fail "cannot build the cgroup hierarchy under $cg"
[ "$test_failed" -eq 0 ] || finish
set_weights 100 100 300 200 || fail "cannot set cpu.weight"

sched_start "$log" "$BIN/scx_flatcg" -i 5 || finish
[ "$(cat $SCX_SYSFS/root/ops)" = flatcg ] || fail "root/ops is not flatcg"

for l in "${leaves[@]}"; do
	for _ in $(seq "$hogs_per_leaf"); do
		start_hog "$l"
	done
done
procs_in() { [ "$(wc -l <"$cg/$1/cgroup.procs")" -eq "$hogs_per_leaf" ]; }
for l in "${leaves[@]}"; do
	wait_for 30 procs_in "$l" || fail "hogs did not all reach $l"
done
echo "$hogs_per_leaf busy loops per leaf on $(nproc) CPUs (t=${SECONDS}s)"

# Let the shares settle before measuring.
sleep 2
header
# measure_or_skip ARGS...: a measurement the VM's clocks make meaningless
# ends the test as skipped, not failed; a meaningful one must be in range.
measure_or_skip() {
	local msg=$1 status

	shift
	measure "$@"
	status=$?
	[ "$status" -ne 2 ] || skip "the host is too loaded to measure shares"
	[ "$status" -eq 0 ] || fail "$msg"
}

measure_or_skip "flatcg shares are off by more than 5%" 20 flatcg 1/12 3/12 8/12

# Change a weight mid-run: A2 300 -> 100, so A1 and A2 split A evenly.
echo 100 >"$cg/A/A2/cpu.weight" || fail "cannot change A2's weight"
sleep 2
measure_or_skip "flatcg shares did not follow the weight change" \
	10 flatcg-w100 1/6 1/6 4/6

if ! state_is enabled || [ "$(cat $SCX_SYSFS/root/ops)" != flatcg ]; then
	fail "scx_flatcg is no longer enabled"
fi
sched_stop INT
status=$?
[ "$status" -eq 0 ] || fail "scx_flatcg exited with status $status"
grep -q "EXIT: unregistered from user space" "$log" ||
	fail "unexpected exit: $(grep EXIT: "$log")"

# The same load under the fair class, for comparison only.
set_weights 100 100 300 200
sleep 2
measure 20 fair 1/12 3/12 8/12 || echo "(fair class is off by more than 5%)"

finish
