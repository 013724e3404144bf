#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# The VM runner: "make vm CMD=..." runs a command in the VM and passes its
# exit status back (the test kernel boots with sched_ext disabled), a kernel
# panic or warning fails the run and is shown (a known warning is only
# shown), the hard timeout holds, a hung guest (QEMU using no CPU time) and
# a guest that keeps reporting a stall are stopped early and named, bad
# options are refused in one line, and from a directory under the host's
# /tmp the guest still sees it, with a writable /tmp and bash's <(...)
# working.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
cd "$root" || exit 1

# shellcheck disable=SC2016 # expanded in the VM
out=$(make -s vm CMD='cat /sys/kernel/sched_ext/state; echo "$(nproc) cpus"' 2>&1)
status=$?
echo "$out"
[ "$status" -eq 0 ] || fail "make vm CMD='cat ...' exited $status"
grep -qx disabled <<<"$out" || fail "/sys/kernel/sched_ext/state did not read 'disabled'"
grep -qx '4 cpus' <<<"$out" || fail "the VM did not have the default 4 CPUs"

make -s vm CMD='exit 7' >/dev/null 2>&1 && fail "make vm CMD='exit 7' exited 0"
vm/run.sh -c 2 -- sh -c 'exit 7' >/dev/null 2>&1
status=$?
[ "$status" -eq 7 ] || fail "vm/run.sh returned $status for a command that exited 7"

out=$(vm/run.sh -c 1 -e 'echo c > /proc/sysrq-trigger' 2>&1)
status=$?
[ "$status" -eq 3 ] || fail "a kernel panic gave exit $status, expected 3"
grep -q 'the kernel reported trouble' <<<"$out" || fail "a kernel panic was not reported"
grep -q 'Kernel panic' <<<"$out" || fail "the panic line was not shown"

# WARN_ON() reports at KERN_WARNING, which a quiet console would not show.
out=$(vm/run.sh -c 1 -e 'echo "<4>WARNING: CPU: 0 PID: 1 at test (made up)" >/dev/kmsg' 2>&1)
status=$?
[ "$status" -eq 3 ] || fail "a kernel warning gave exit $status, expected 3"
grep -q 'WARNING: CPU: 0 PID: 1 at test (made up)' <<<"$out" ||
	fail "the warning was not shown: $(tail -n 3 <<<"$out")"

# ... unless it is one of the known ones, which is shown and not counted
# (here as 6.12.117 and 6.12.118 name it).
# shellcheck disable=SC2016 # $l is the guest's
out=$(vm/run.sh -c 1 -e 'for l in 3094 3098; do echo "<4>WARNING: CPU: 0 PID: 1 at kernel/sched/ext.c:$l put_prev_task_scx+0x1/0x2" >/dev/kmsg; done' 2>&1)
status=$?
[ "$status" -eq 0 ] || fail "a known kernel warning gave exit $status, expected 0"
grep -q 'known kernel warnings, not counted' <<<"$out" ||
	fail "the known warning was not shown: $(tail -n 3 <<<"$out")"

start=$SECONDS
out=$(vm/run.sh -c 1 -t 20 -e 'sleep 600' 2>&1)
status=$?
[ "$status" -eq 124 ] || fail "a command past the timeout gave exit $status, expected 124"
grep -q 'timed out after 20 s' <<<"$out" || fail "the timeout was not reported: $out"
[ $((SECONDS - start)) -lt 60 ] || fail "the 20 s timeout took $((SECONDS - start)) s"

# A guest that hangs with every vCPU idle looks, from the host, like a
# QEMU that uses no CPU time: stopping QEMU with SIGSTOP is the same.
hung=$(mktemp)
SCX_VM_STUCK=15 vm/run.sh -c 1 -t 300 -e 'echo guest up; sleep 600' >"$hung" 2>&1 &
runner=$!
guest_up() {
	grep -q '^guest up' "$hung"
}
start=$SECONDS
if wait_for 120 guest_up; then
	qemu=$(pgrep -P "$(pgrep -x -P "$runner" timeout)" qemu-system)
	kill -STOP "$qemu" || fail "cannot stop QEMU ('$qemu')"
	wait "$runner"
	status=$?
	[ "$status" -eq 124 ] || fail "a hung guest gave exit $status, expected 124"
	grep -q 'the guest hung: QEMU used no CPU time for 15 s' "$hung" ||
		fail "the hang was not reported: $(tail -n 2 "$hung")"
	[ $((SECONDS - start)) -lt 120 ] || fail "the hang took $((SECONDS - start)) s to notice"
else
	fail "the guest did not come up: $(tail -n 2 "$hung")"
	kill "$runner"
fi
rm -f "$hung"

# A guest that wedges while it still ticks prints the kernel's stall report
# again and again; the second one ends the run as kernel trouble.  Two
# made-up reports stand in, at KERN_ERR so that the quiet console shows them.
start=$SECONDS
# shellcheck disable=SC2016 # expanded in the VM
out=$(vm/run.sh -c 1 -t 300 -e 'for i in 1 2; do
	echo "<3>rcu: INFO: rcu_sched detected stalls on CPUs/tasks: (test $i)" >/dev/kmsg
done; sleep 600' 2>&1)
status=$?
[ "$status" -eq 3 ] || fail "a wedged guest gave exit $status, expected 3"
grep -q 'the guest stopped making progress (a second stall report: .*(test 2))' <<<"$out" ||
	fail "the wedge was not reported: $(tail -n 3 <<<"$out")"
[ $((SECONDS - start)) -lt 120 ] || fail "the wedge took $((SECONDS - start)) s to stop"

dir=$(mktemp -d /tmp/scx-vm-runner.XXXXXX)
echo 'echo "script under /tmp ran"' >"$dir/hello.sh"
# shellcheck disable=SC2016 # expanded in the VM
out=$(cd "$dir" && "$root/vm/run.sh" -c 1 -- bash -c \
	'bash hello.sh; echo w >/tmp/w && echo "/tmp writable"; cat <(echo "fd ok")' 2>&1)
status=$?
rm -rf "$dir"
[ "$status" -eq 0 ] || fail "a run from $dir exited $status: $out"
for line in "script under /tmp ran" "/tmp writable" "fd ok"; do
	grep -qx "$line" <<<"$out" || fail "from a directory under /tmp: no '$line' in: $out"
done

out=$(vm/run.sh -c 0 -- true 2>&1)
{ [ $? -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ]; } || fail "-c 0 was not refused in one line: $out"
out=$(vm/run.sh -T many -- true 2>&1)
{ [ $? -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ]; } || fail "-T many was not refused in one line: $out"
out=$(vm/run.sh -c 4 -s 1:2:1 -- true 2>&1)
{ [ $? -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ]; } || fail "a topology of 2 CPUs for 4 was not refused: $out"
# -k takes a directory; a kernel version is KVER's.
out=$(vm/run.sh -k 7.3 -- true 2>&1)
{ [ $? -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q 'KVER=7.3' <<<"$out"; } ||
	fail "-k 7.3 was not refused in one line that points to KVER=7.3: $out"
finish
