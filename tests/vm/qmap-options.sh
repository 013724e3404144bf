#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_qmap's option parsing: -h lists every option and exits 0, an unknown
# option prints the usage to stderr and exits 1, and every bad value gets a
# one-line error and exit 1 before anything is loaded.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
qmap=$(sched_bin scx_qmap) || exit 1
out=$(mktemp)

"$qmap" -h >"$out" 2>&1 || fail "-h: exit status $?"
for o in s e t T l b q P H d D S p i v h; do
	grep -q "^ *-$o\b" "$out" || fail "-h: no line for -$o"
done

"$qmap" -X >/dev/null 2>"$out"
rc=$?
[ "$rc" -eq 1 ] || fail "-X: exit status $rc"
grep -q '^scx_qmap: unknown option -X (see -h)$' "$out" ||
	fail "-X: not one line pointing to -h: $(cat "$out")"

bad() {
	local rc

	"$qmap" "$@" >"$out" 2>&1
	rc=$?
	[ "$rc" -eq 1 ] || fail "$*: exit status $rc, expected 1"
	[ "$(wc -l <"$out")" -eq 1 ] || fail "$*: not one line: $(cat "$out")"
	grep -q "^scx_qmap: " "$out" || fail "$*: unexpected message: $(cat "$out")"
}

bad -s 0
bad -s 2000000
bad -s abc
bad -e 0
bad -e -5
bad -t 0
bad -T x
bad -l 0
bad -b 0
bad -b 5000
bad -q 0
bad -d 0
bad -d -2
bad -d 12abc
bad -D 0
bad -i 0
bad -i 3601
bad -i ''
bad extra-argument
echo "last message: $(cat "$out")"
rm -f "$out"
finish
