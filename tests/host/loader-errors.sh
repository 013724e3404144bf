#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every loader answers bad input on this host the same way: -h prints usage
# and exits 0; an unknown option, a missing or bad value, or a stray
# argument gets one line that points to -h, and exit 1; and on this kernel, which has no
# sched_ext, one line that names CONFIG_SCHED_CLASS_EXT and "make vmrun",
# exit 1, within a second, and no libbpf noise.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
bin=${BIN:-$root/build/bin}

# expect NAME STATUS LINES PATTERN CMD...: exit STATUS, LINES lines of stderr
# (0: any number) matching PATTERN.
expect() {
	local name=$1 want=$2 lines=$3 pattern=$4 err status
	shift 4

	err=$("$@" 2>&1 >/dev/null)
	status=$?
	[ "$status" -eq "$want" ] || fail "$name: exit $status, expected $want"
	if [ "$lines" -gt 0 ] && [ "$(wc -l <<<"$err")" -ne "$lines" ]; then
		fail "$name: expected $lines line(s) on stderr, got: $err"
	fi
	grep -qE "$pattern" <<<"$err" || fail "$name: stderr does not match '$pattern': $err"
}

for sched in "$bin"/scx_*; do
	s=$(basename "$sched")
	"$sched" -h | grep -q '^Usage:' || fail "$s -h prints no usage"
	"$sched" -h >/dev/null || fail "$s -h does not exit 0"
	"$sched" -h | grep -qE '^ +-i ' || fail "$s -h does not document -i"
	"$sched" -h | grep -qE '^ +-v ' || fail "$s -h does not document -v"
	expect "$s -Z" 1 1 "^$s: unknown option -Z \\(see -h\\)$" "$sched" -Z
	expect "$s -i" 1 1 "^$s: -i needs a value \\(see -h\\)$" "$sched" -i
	expect "$s -i 0" 1 1 "^$s: -i " "$sched" -i 0
	expect "$s -i x" 1 1 "^$s: -i " "$sched" -i x
	expect "$s stray" 1 1 "^$s: .*stray" "$sched" stray
	if [ ! -e /sys/kernel/sched_ext ]; then
		start=$(date +%s%N)
		expect "$s on a kernel without sched_ext" 1 1 \
			"^$s: .*CONFIG_SCHED_CLASS_EXT.*make vmrun" "$sched"
		ms=$((($(date +%s%N) - start) / 1000000))
		[ "$ms" -lt 1000 ] || fail "$s took $ms ms to say sched_ext is missing"
		expect "$s -v on a kernel without sched_ext" 1 1 \
			"CONFIG_SCHED_CLASS_EXT" "$sched" -v
	fi
done
finish
