#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every scheduler in the repo builds, "make help" lists each of them, and a
# second make with nothing changed compiles nothing.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
cd "$root" || exit 1

make -s >/dev/null 2>&1 || { make; fail "make failed"; }
help=$(make help) || fail "make help failed"
for src in scx_*.bpf.c; do
	name=${src%.bpf.c}
	[ -x "$BIN/$name" ] || fail "$BIN/$name was not built"
	grep -qw "$name" <<<"$help" || fail "make help does not list $name"
done

again=$(make 2>&1)
echo "$again"
if grep -E '^  (CLANG-BPF|CC|LINK|GEN-SKEL|BTF|LIBBPF|BPFTOOL) ' <<<"$again"; then
	fail "a second make rebuilt the lines above"
fi
finish
