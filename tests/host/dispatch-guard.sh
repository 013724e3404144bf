#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every scheduler's ops.dispatch() returns at once when it is called for an
# SMT sibling (scx_dispatch_for_sibling()): without that, a 6.12 kernel with
# core scheduling on can lock up (README, "Known kernel issues").  The guard
# must come before anything that can move a task, so it is the first
# statement after the declarations (and any comment).  tests/vm/qmap-coresched.sh shows it
# firing in the VM.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"

n=0
for f in "$root"/scx_*.bpf.c; do
	# The body of ops.dispatch(), up to its first statement.
	first=$(awk '
		/^void BPF_STRUCT_OPS\([a-z_]+_dispatch, s32 cpu/ { body = 1; next }
		body && /^\{/ { next }
		body && /^\t(__arena )?(struct [a-z_]+|[us](8|16|32|64)|int|bool) [^=]*[;=]/ { next }
		body && /^$/ { next }
		body && /^\t(\/\*| \*)/ { next }
		body { print; exit }
	' "$f")
	case $first in
	*'if (scx_dispatch_for_sibling(cpu))'*) n=$((n + 1)) ;;
	'') fail "$(basename "$f"): no ops.dispatch() found" ;;
	*) fail "$(basename "$f"): ops.dispatch() starts with '${first#"${first%%[![:space:]]*}"}', not the sibling guard" ;;
	esac
done
[ "$n" -ge 5 ] || fail "only $n schedulers checked"
echo "$n schedulers guard ops.dispatch()"
finish
