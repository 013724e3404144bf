#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_qmap's modes: -p leaves SCHED_OTHER tasks on the fair class and takes
# only SCHED_EXT ones; -d refuses a thread group (its SCHED_EXT policy is
# reverted at load and cannot be set again); -v prints libbpf's messages;
# -b runs with a small dispatch batch.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
qmap=$(sched_bin scx_qmap) || exit 1
log=$(mktemp)

set_ext() {
	python3 -c 'import os, sys; os.sched_setscheduler(int(sys.argv[1]), 7, os.sched_param(0))' "$1"
}
policy() { awk '{ print $41 }' "/proc/$1/stat"; }
on_ext() { grep -q '^ext.enabled *: *1' "/proc/$1/sched"; }

# -p: only SCHED_EXT tasks are ours.
spawn sleep 300
plain=${SPAWNED[-1]}
spawn sleep 300
ext=${SPAWNED[-1]}
set_ext "$ext" || fail "cannot make $ext SCHED_EXT"
sched_start "$log" "$qmap" -p -v -b 2 || exit 1
[ "$(cat $SCX_SYSFS/switch_all)" = 0 ] || fail "-p: switch_all is $(cat $SCX_SYSFS/switch_all)"
on_ext "$plain" && fail "-p: a SCHED_OTHER task is on sched_ext"
on_ext "$ext" || fail "-p: a SCHED_EXT task is not on sched_ext"
on_ext $$ && fail "-p: this shell is on sched_ext"
grep -q '^libbpf: ' "$log" || fail "-v: no libbpf messages"
sched_stop INT || fail "-p: exit status $?"

# -d: refuse the thread group of $victim.
spawn sleep 300
victim=${SPAWNED[-1]}
set_ext "$victim" || fail "cannot make $victim SCHED_EXT"
rejected=$(cat $SCX_SYSFS/nr_rejected)
sched_start "$log" "$qmap" -d "$victim" -b 2 || exit 1
echo "-d $victim: policy $(policy "$victim"), nr_rejected $rejected -> $(cat $SCX_SYSFS/nr_rejected)"
[ "$(policy "$victim")" = 0 ] || fail "-d: policy of $victim is $(policy "$victim"), not SCHED_OTHER"
[ "$(cat $SCX_SYSFS/nr_rejected)" -gt "$rejected" ] || fail "-d: nr_rejected did not grow"
set_ext "$victim" 2>/dev/null && fail "-d: $victim could become SCHED_EXT again"
on_ext "$ext" || fail "-d: another SCHED_EXT task was refused too"
sched_stop INT || fail "-d: exit status $?"

kill_spawned
finish
