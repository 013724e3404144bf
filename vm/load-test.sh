#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM: run a scheduler under a stress-ng mix and check that it
# behaved.  Used by "make vmrun" and by the smoke tests of "make test".
#
#   1. start the scheduler and wait for sched_ext to say "enabled", with
#      root/ops naming it;
#   2. run stress-ng's cpu, fork, switch and yield stressors for DURATION s;
#   3. check the scheduler is still the one enabled, then stop it with
#      SIGINT and expect the exit "unregistered from user space".
#
# Exits 0 only if all of that held; prints one line per failed check.
set -uo pipefail

duration=20
usage() {
	echo "Usage: vm/load-test.sh [-d SECONDS] SCHEDULER [ARG...]" >&2
	exit 2
}
while getopts "d:h" opt; do
	case $opt in
	d) duration=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
case $duration in '' | *[!0-9]*) usage ;; esac

sched=$1
name=$(basename "$sched")
sysfs=/sys/kernel/sched_ext
log=$(mktemp)
failed=0

fail() {
	echo "load-test: $name: $*"
	failed=1
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))

	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

state_is() {
	[ "$(cat $sysfs/state)" = "$1" ]
}

alive() {
	kill -0 "$pid" 2>/dev/null
}

[ -x "$sched" ] || { echo "load-test: $sched is not built"; exit 1; }
command -v stress-ng >/dev/null || { echo "load-test: stress-ng is missing (vm/install-deps.sh)"; exit 1; }
state_is disabled || { echo "load-test: a scheduler is already loaded: $(cat $sysfs/root/ops)"; exit 1; }

"$@" >"$log" 2>&1 &
pid=$!
tail -n +1 -f --pid="$pid" "$log" 2>/dev/null &

# Under TCG, loading and verifying a scheduler takes seconds.
if ! wait_for 60 state_is enabled; then
	fail "not enabled within 60 s (state: $(cat $sysfs/state))"
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	exit 1
fi
ops=$(cat $sysfs/root/ops)
echo "load-test: state=$(cat $sysfs/state) root/ops=$ops"
[ "$ops" = "${name#scx_}" ] || fail "root/ops is '$ops', expected '${name#scx_}'"

echo "load-test: stress-ng cpu, fork, switch and yield for $duration s"
(cd "${TMPDIR:-/tmp}" && stress-ng --timeout "$duration" \
	--cpu 2 --fork 2 --switch 2 --yield 2 --metrics-brief 2>&1) |
	grep -E 'stressor|cpu |fork |switch |yield |fail' || true

alive || fail "exited during the load"
state_is enabled || fail "sched_ext is '$(cat $sysfs/state)' after the load"

kill -INT "$pid" 2>/dev/null
if ! wait_for 30 eval '! alive'; then
	fail "did not exit within 30 s of SIGINT"
	kill -KILL "$pid"
fi
wait "$pid"
status=$?
wait_for 10 state_is disabled || fail "sched_ext still '$(cat $sysfs/state)' after exit"

grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "no 'EXIT: unregistered from user space' line; it said: $(grep '^EXIT' "$log")"
[ "$status" -eq 0 ] || fail "exit status $status"
rm -f "$log"

[ "$failed" -eq 0 ] && echo "load-test: $name: ok"
exit "$failed"
