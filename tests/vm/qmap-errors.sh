#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# scx_qmap's error exit and debug dump: -e COUNT ends the scheduler with
# SCX_EXIT_ERROR_BPF and its message, the dump carries the scheduler's own
# lines (ops.dump, ops.dump_cpu, ops.dump_task), -S takes them out, -D
# shrinks the dump, and -s caps the slices the dump shows.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
qmap=$(sched_bin scx_qmap) || exit 1
tmp=$(mktemp -d)

# run NAME ARGS...: run scx_qmap until it dies of its -e error.
run() {
	local name=$1 rc

	shift
	wait_for 30 state_is disabled || fail "sched_ext busy before $name"
	timeout 150 "$qmap" "$@" >"$tmp/$name" 2>&1
	rc=$?
	echo "$name: scx_qmap $* exited $rc; $(grep -a '^EXIT' "$tmp/$name")"
	[ "$rc" -eq 1 ] || fail "$name: exit status $rc, expected 1"
	grep -q '^scx_qmap: exit kind 1025$' "$tmp/$name" ||
		fail "$name: not SCX_EXIT_ERROR_BPF: $(grep 'exit kind' "$tmp/$name")"
	grep -q '^EXIT: scx_bpf_error (qmap: enqueue number [0-9]*, the error -e asked for)' \
		"$tmp/$name" || fail "$name: no -e message"
	sed -n '/^DUMP BEGIN$/,/^DUMP END$/p' "$tmp/$name" >"$tmp/$name.dump"
}

# Something to enqueue while the scheduler loads.
(cd "$tmp" && exec stress-ng --cpu 2 --yield 2 --timeout 200) >/dev/null 2>&1 &
load=$!

# The 500th enqueue, not the 50th: right after enabling, most runnable tasks
# still hold the default slice the kernel gave them while it switched them
# over (CI once saw a dump of two tasks, one of them such).
run full -e 500 -s 3000
grep -q 'qmap: enq=' "$tmp/full.dump" || fail "full: no ops.dump line"
grep -q 'qmap: visiting queue' "$tmp/full.dump" || fail "full: no ops.dump_cpu line"
grep -q 'qmap: queued=' "$tmp/full.dump" || fail "full: no ops.dump_task line"
# -s 3000: most tasks hold at most 3 ms.  Not all: the kernel gives its
# default slice to tasks it places itself (exiting tasks, and bypass).
slices=$(grep -o 'qmap: queued=.* slice=[0-9]*' "$tmp/full.dump" | sed 's/.*slice=//')
short=0
total=0
for s in $slices; do
	total=$((total + 1))
	[ "$s" -le 3000000 ] && short=$((short + 1))
done
echo "full: $short of $total slices within 3 ms"
[ "$total" -gt 0 ] || fail "full: no slices in the dump"
[ $((short * 2)) -gt "$total" ] || fail "full: only $short of $total slices within 3 ms with -s 3000"
full_size=$(wc -c <"$tmp/full.dump")
echo "full: dump of $full_size bytes, $(grep -c 'qmap: ' "$tmp/full.dump") qmap lines"

run quiet -e 50 -S
grep -q 'DUMP BEGIN' "$tmp/quiet.dump" || fail "quiet: no dump at all"
if grep -q 'qmap: \(enq=\|visiting\|queued=\)' "$tmp/quiet.dump"; then
	fail "quiet: -S still dumps: $(grep -m1 'qmap: ' "$tmp/quiet.dump")"
fi

run short -e 50 -D 1024
short_size=$(wc -c <"$tmp/short.dump")
echo "short: dump of $short_size bytes with -D 1024"
# The dump is at most 1024 bytes, plus our DUMP BEGIN/END lines.
[ "$short_size" -le $((1024 + 30)) ] || fail "short: dump of $short_size bytes with -D 1024"
[ "$full_size" -gt $((1024 + 30)) ] || fail "full: dump of only $full_size bytes, -D proves nothing"

kill "$load" 2>/dev/null
wait "$load" 2>/dev/null
rm -rf "$tmp"
finish
