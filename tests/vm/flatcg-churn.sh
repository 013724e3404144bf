#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# Cgroup churn under scx_flatcg: 500 rounds of creating a cgroup, moving a
# busy task and a sleeping task into it, changing its weight, moving them
# out again and removing it.  Every round runs cgroup_init, cgroup_move
# (twice per task), cgroup_set_weight and cgroup_exit while the tasks are
# being queued and picked.  The scheduler must still be enabled at the end,
# leave with "unregistered from user space", and never report an error or
# a stall.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"

rounds=${ROUNDS:-500}
parent=/sys/fs/cgroup/fcg-churn
pids=()
log=$(mktemp)

cleanup() {
	[ "${#pids[@]}" -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	rmdir "$parent"/* "$parent" 2>/dev/null
	sched_stop INT >/dev/null
	rm -f "$log"
}
at_exit cleanup

[ -e /sys/fs/cgroup/cgroup.controllers ] || skip "no cgroup2 at /sys/fs/cgroup"
grep -qw cpu /sys/fs/cgroup/cgroup.controllers || skip "no cpu controller"

# Tasks live in home between rounds; the background load sits in load with
# a low weight so that this script, in the root cgroup, keeps up its pace.
if ! { echo +cpu >/sys/fs/cgroup/cgroup.subtree_control &&
	mkdir -p "$parent" && echo +cpu >"$parent/cgroup.subtree_control" &&
	mkdir -p "$parent/home" "$parent/load" &&
	echo 10 >"$parent/load/cpu.weight"; }; then
	fail "cannot set up $parent"
fi
[ "$test_failed" -eq 0 ] || finish

sched_start "$log" "$BIN/scx_flatcg" -i 5 || finish

# A busy task and a sleeper to move around, plus background load so that
# there is always something queued while the cgroups come and go.
(while :; do :; done) &
pids+=($!)
sleep 1000 &
pids+=($!)
for _ in 1 2; do
	(
		echo "$BASHPID" >"$parent/load/cgroup.procs"
		while :; do :; done
	) &
	pids+=($!)
done
if ! { echo "${pids[0]}" >"$parent/home/cgroup.procs" &&
	echo "${pids[1]}" >"$parent/home/cgroup.procs"; }; then
	fail "cannot move the tasks into $parent/home"
fi

# One python3 process does all rounds: forking mkdir and rmdir 1000 times
# would take minutes under TCG.
start=$SECONDS
done_rounds=$(python3 - "$parent" "$rounds" "${pids[0]}" "${pids[1]}" <<'PY'
import os
import sys

parent, rounds, busy, sleeper = sys.argv[1], int(sys.argv[2]), *sys.argv[3:5]
state = "/sys/kernel/sched_ext/state"


def write(path, val):
    with open(path, "w") as f:
        f.write(val)


done = 0
try:
    for i in range(1, rounds + 1):
        c = "%s/c%d" % (parent, i)
        os.mkdir(c)
        write(c + "/cgroup.procs", busy)
        write(c + "/cgroup.procs", sleeper)
        write(c + "/cpu.weight", str(i % 10000 + 1))
        write(parent + "/home/cgroup.procs", busy)
        write(parent + "/home/cgroup.procs", sleeper)
        os.rmdir(c)
        with open(state) as f:
            if f.read().strip() != "enabled":
                print("round %d: scx_flatcg was disabled" % i,
                      file=sys.stderr)
                break
        done = i
        if i % 100 == 0:
            print("round %d" % i, file=sys.stderr)
except OSError as e:
    print("round %d: %s" % (done + 1, e), file=sys.stderr)
print(done)
PY
)
echo "$done_rounds rounds in $((SECONDS - start)) s"
[ "$done_rounds" -eq "$rounds" ] || fail "only $done_rounds of $rounds rounds"

if ! state_is enabled || [ "$(cat $SCX_SYSFS/root/ops)" != flatcg ]; then
	fail "scx_flatcg is no longer enabled"
fi
sched_stop INT
status=$?
[ "$status" -eq 0 ] || fail "scx_flatcg exited with status $status"
grep -q "EXIT: unregistered from user space" "$log" ||
	fail "unexpected exit: $(grep EXIT: "$log")"
if grep -qiE "error|stall|runnable task stall" "$log"; then
	fail "the log reports trouble: $(grep -iE "error|stall" "$log" | head -3)"
fi
finish
