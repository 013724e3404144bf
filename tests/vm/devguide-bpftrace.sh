#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# The bpftrace scripts of DEVELOPER_GUIDE.md, each run briefly:
#   - scx-ops-rate.bt under scx_simple counts ops.running() calls and names
#     the scheduler;
#   - scx-runq-lat.bt under scx_simple and a stress-ng switch load prints a
#     latency histogram with at least one wait in it;
#   - scx-exit-why.bt sees scx_qmap -e fail through scx_bpf_error(): kind
#     ERROR_BPF, the kernel path (enqueue_task_scx) in the stack, qmap's
#     enqueue program in the dump's backtrace, and the error's message.
# A script that no longer attaches (a kernel function renamed, a struct
# field gone) or prints nothing fails here.
set -uo pipefail

# shellcheck source=tests/lib/sched.sh
. "$(dirname "$0")/../lib/sched.sh"
scripts=$(cd "$(dirname "$0")/../../scripts" && pwd)
tmp=$(mktemp -d)

command -v bpftrace >/dev/null || skip "bpftrace is not installed (apt-get install bpftrace)"
{ [ -x "$BIN/scx_simple" ] && [ -x "$BIN/scx_qmap" ]; } ||
	skip "scx_simple or scx_qmap is not built"

sched_start "$tmp/simple.log" "$BIN/scx_simple" || finish

timeout 120 bpftrace "$scripts/scx-ops-rate.bt" 2 >"$tmp/rate" 2>&1 ||
	fail "scx-ops-rate.bt exited $?: $(tail -n 3 "$tmp/rate")"
cat "$tmp/rate"
grep -Eq '^@calls\[running\]: [1-9]' "$tmp/rate" ||
	fail "scx-ops-rate.bt counted no ops.running()"
grep -q ' simple$' "$tmp/rate" || fail "scx-ops-rate.bt did not name the scheduler"

timeout 120 bpftrace -c "$(command -v stress-ng) --temp-path ${TMPDIR:-/tmp} --switch 2 --timeout 3 -q" \
	"$scripts/scx-runq-lat.bt" >"$tmp/lat" 2>&1 ||
	fail "scx-runq-lat.bt exited $?: $(tail -n 3 "$tmp/lat")"
cat "$tmp/lat"
grep -q '^@usecs:' "$tmp/lat" || fail "scx-runq-lat.bt printed no histogram"
grep -Eq '^@waits: [1-9]' "$tmp/lat" || fail "scx-runq-lat.bt saw no wait"

sched_stop INT || fail "scx_simple exited with status $?"

# scx_qmap exits by itself with an error: no sched_start, bpftrace runs it.
timeout 120 bpftrace -c "$BIN/scx_qmap -e 50" "$scripts/scx-exit-why.bt" \
	>"$tmp/why" 2>&1
cat "$tmp/why"
grep -q 'kind 1025 ERROR_BPF' "$tmp/why" || fail "scx-exit-why.bt saw no ERROR_BPF exit"
grep -q '^  dump: .*bpf_prog_[0-9a-f]*_qm_enqueue' "$tmp/why" ||
	fail "the dump's backtrace does not show qmap's enqueue program"
grep -q 'enqueue_task_scx' "$tmp/why" ||
	fail "the kernel stack does not show enqueue_task_scx"
grep -q '^  message: ' "$tmp/why" || fail "scx-exit-why.bt printed no message"
wait_for 30 state_is disabled || fail "sched_ext did not return to disabled"

rm -rf "$tmp"
finish
