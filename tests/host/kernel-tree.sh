#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# Inside a kernel tree: sync-to-kernel.sh copies the project into a scratch
# copy of KSRC (linux-source-6.12, or linux-source-7.3 with KVER=7.3, whose
# sched_ext is kernel/sched/ext/ rather than kernel/sched/ext.c),
# "make -C tools/sched_ext" builds every scheduler there with the tree's
# libbpf and bpftool, the selftests build through kselftest, a second sync
# finds nothing to do and --check agrees.  Also the sync's refusals and its
# --dry-run.  What the tree gets reads right there: its README and
# "make help" speak of nothing the tree lacks (the VM, tests/, make vmrun).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
# shellcheck source=tests/lib/tree.sh
. "$root/tests/lib/tree.sh"
cd "$root" || exit 1
tree=$SCRATCH/tree
kernel=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples/kernel-${KVER:-6.12}

[ -f "$kernel/vmlinux" ] || skip "no $kernel/vmlinux: run 'make kernel KVER=${KVER:-6.12}'"
make_tree "$tree" || exit 1
echo "# $KSRC, $kernel"

out=$(./sync-to-kernel.sh /tmp 2>&1)
{ [ $? -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ]; } ||
	fail "a directory that is not a kernel tree was not refused in one line: $out"

# The tree's own examples and selftests are listed, and go with --prune;
# our Makefiles would try to build them.
theirs=tools/testing/selftests/sched_ext/zz_theirs.bpf.c
echo "/* the tree's own */" >"$tree/$theirs"
# (Output goes through a variable: grep -q would cut the pipe short.)
out=$(./sync-to-kernel.sh -n "$tree")
grep -q "foreign    $theirs" <<<"$out" ||
	fail "a file of the tree's own was not listed as foreign"
[ -e "$tree/$theirs" ] || fail "--dry-run deleted a foreign file"
./sync-to-kernel.sh --prune "$tree" || fail "sync-to-kernel.sh --prune failed"
[ ! -e "$tree/$theirs" ] || fail "--prune left a foreign file"
for f in Makefile include/scx/common.bpf.h; do
	cmp -s "$f" "$tree/tools/sched_ext/$f" || fail "tools/sched_ext/$f differs after the sync"
done
[ ! -e "$tree/tools/sched_ext/vm" ] || fail "the VM tooling was copied into the tree"
readme=$tree/tools/sched_ext/README.md
grep -q '^## Build and run$' "$readme" ||
	fail "the tree's README lacks its own '## Build and run'"
grep -q '^## sched_ext in one screen$' "$readme" ||
	fail "the tree's README lacks the primer"
what=$(grep -nE 'make (vmrun|test)|vm/run\.sh|\btests/|repo-only|tree-only|^-->$' "$readme" | head -n 3)
[ -z "$what" ] || fail "the tree's README speaks of what the tree has not: $what"
what=$(make -s -C "$tree/tools/sched_ext" help | grep -E 'vmrun|\bVM\b|kernel  |KVER' | head -n 3)
[ -z "$what" ] || fail "the tree's make help lists what the tree has not: $what"

echo "# make -C tools/sched_ext (vmlinux from KBUILD_OUTPUT)"
KBUILD_OUTPUT=$kernel make -C "$tree/tools/sched_ext" -j2 >/dev/null ||
	fail "make -C tools/sched_ext failed in the kernel tree"
for src in scx_*.bpf.c; do
	[ -x "$tree/tools/sched_ext/build/bin/${src%.bpf.c}" ] ||
		fail "tools/sched_ext/build/bin/${src%.bpf.c} was not built in the tree"
done

if [ -f selftests/Makefile ]; then
	echo "# make -C tools/testing/selftests TARGETS=sched_ext SKIP_TARGETS="
	# Not KBUILD_OUTPUT: kselftest would build into it, not the tree.
	make -C "$tree/tools/testing/selftests" TARGETS=sched_ext \
		SKIP_TARGETS= VMLINUX_BTF="$kernel/vmlinux" >/dev/null ||
		fail "the selftests did not build through kselftest"
	[ -x "$tree/tools/testing/selftests/sched_ext/runner" ] ||
		fail "kselftest left no runner in tools/testing/selftests/sched_ext"
fi

again=$(./sync-to-kernel.sh "$tree")
echo "$again" | tail -n 1
if ! grep -q '^0 new, 0 changed, [0-9]* unchanged, 0 stale, 0 foreign$' <<<"$again"; then
	what=$(grep -v '^[0-9]' <<<"$again" | tr -s ' ' | sed 's/^ //' | paste -sd ';')
	fail "a second sync was not all unchanged (was the repo edited meanwhile?): $what"
fi
./sync-to-kernel.sh --check "$tree" >/dev/null || fail "--check failed right after a sync"

# A file we add shows up in --dry-run and fails --check, but is not written.
probe=scx_zz_sync_probe.h
at_exit rm -f "$root/$probe"
echo "/* SPDX-License-Identifier: GPL-2.0 */" >"$probe"
out=$(./sync-to-kernel.sh -n "$tree")
grep -q "new        tools/sched_ext/$probe" <<<"$out" ||
	fail "--dry-run did not list a new file"
[ ! -e "$tree/tools/sched_ext/$probe" ] || fail "--dry-run wrote a file"
./sync-to-kernel.sh --check "$tree" >/dev/null 2>&1 && fail "--check passed with a new file"
./sync-to-kernel.sh "$tree" >/dev/null
rm -f "$probe"
out=$(./sync-to-kernel.sh "$tree")
grep -q "stale      tools/sched_ext/$probe" <<<"$out" ||
	fail "a file we no longer have was not listed as stale"
[ -e "$tree/tools/sched_ext/$probe" ] || fail "a stale file was deleted without --prune"
./sync-to-kernel.sh --prune "$tree" >/dev/null
[ ! -e "$tree/tools/sched_ext/$probe" ] || fail "--prune did not delete the stale file"
./sync-to-kernel.sh --check "$tree" >/dev/null || fail "--check failed after --prune"
finish
