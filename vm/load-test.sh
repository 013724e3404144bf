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

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../tests/lib/sched.sh"
name=$(basename "$1")
test_name="load-test: $name"
log=$(mktemp)

[ -x "$1" ] || { echo "load-test: $1 is not built"; exit 1; }
command -v stress-ng >/dev/null || { echo "load-test: stress-ng is missing (vm/install-deps.sh)"; exit 1; }

sched_start "$log" "$@" || exit 1
ops=$(cat $SCX_SYSFS/root/ops)
echo "load-test: state=$(cat $SCX_SYSFS/state) root/ops=$ops"
[ "$ops" = "${name#scx_}" ] || fail "root/ops is '$ops', expected '${name#scx_}'"

echo "load-test: stress-ng cpu, fork, switch and yield for $duration s"
(cd "${TMPDIR:-/tmp}" && stress-ng --timeout "$duration" \
	--cpu 2 --fork 2 --switch 2 --yield 2 --metrics-brief 2>&1) |
	grep -E 'stressor|cpu |fork |switch |yield |fail' || true

sched_alive || fail "exited during the load"
state_is enabled || fail "sched_ext is '$(cat $SCX_SYSFS/state)' after the load"

sched_stop INT || fail "exit status $?"
grep -q '^EXIT: unregistered from user space' "$log" ||
	fail "no 'EXIT: unregistered from user space' line; it said: $(grep '^EXIT' "$log")"
rm -f "$log"
finish
