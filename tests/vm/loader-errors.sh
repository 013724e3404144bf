#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# The loaders' refusals that need sched_ext: run by a user other than root,
# each says so in one line; with scx_simple already loaded, each names it in
# one line and leaves it running.  Exit status 1 in both cases.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
bin=$BIN

# one_line NAME PATTERN CMD...: CMD exits 1 with one stderr line matching.
one_line() {
	local name=$1 pattern=$2 err status
	shift 2

	err=$(timeout 20 "$@" 2>&1 >/dev/null)
	status=$?
	[ "$status" -eq 1 ] || fail "$name: exit $status, expected 1"
	[ "$(wc -l <<<"$err")" -eq 1 ] || fail "$name: more than one line: $err"
	grep -qE "$pattern" <<<"$err" || fail "$name: '$err' does not match '$pattern'"
}

for sched in "$bin"/scx_*; do
	s=$(basename "$sched")
	one_line "$s as nobody" "^$s: must be run as root" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$sched"
done

log=$(mktemp)
sched_start "$log" "$bin/scx_simple" || finish
for sched in "$bin"/scx_*; do
	s=$(basename "$sched")
	one_line "$s while scx_simple runs" \
		"^$s: another sched_ext scheduler \(simple\) is loaded" "$sched"
	sched_alive || fail "$s took scx_simple down"
done
state_is enabled || fail "sched_ext is no longer enabled"
sched_stop INT || fail "scx_simple exited with status $?"
finish
