#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# An acceptance check of the test kernel, not of our code: the kernel
# tree's own tools/sched_ext examples and sched_ext selftests, unchanged,
# built in a scratch copy of KSRC with the tree's own Makefiles against our
# test kernel's vmlinux.  tests/vm/tree-own.sh runs them on that kernel.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
# shellcheck source=tests/lib/tree.sh
. "$root/tests/lib/tree.sh"
tree=$SCRATCH/own
kernel=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples/kernel-${KVER:-6.12}

# The tree's Makefiles take plain "clang", which is clang 14 on Debian 12:
# too old (it drops the __kptr type tag of scx_flatcg's stash, for one).
clang="clang"
command -v clang-19 >/dev/null && clang="clang-19"

make_tree "$tree" || exit 1
# Nothing of ours may be in it: the directories make_tree copies are the
# tree's own, and stay so.
for d in tools/sched_ext tools/testing/selftests/sched_ext; do
	diff -rq -x build -x '*.o' -x runner -x '*.skel.h' -x '*.d' \
		"$KSRC/$d" "$tree/$d" >/dev/null ||
		fail "$d of the scratch tree differs from the tree's own"
done

echo "# make -C tools/sched_ext (the tree's own Makefile and examples)"
KBUILD_OUTPUT=$kernel make -C "$tree/tools/sched_ext" -j2 CLANG=$clang >/dev/null ||
	fail "the tree's own examples did not build"
n=0
for src in "$KSRC"/tools/sched_ext/scx_*.bpf.c; do
	name=$(basename "$src" .bpf.c)
	n=$((n + 1))
	[ -x "$tree/tools/sched_ext/build/bin/$name" ] || fail "the tree's $name was not built"
done
echo "# $n examples"

echo "# make -C tools/testing/selftests TARGETS=sched_ext (the tree's own selftests)"
make -C "$tree/tools/testing/selftests" TARGETS=sched_ext SKIP_TARGETS= \
	VMLINUX_BTF="$kernel/vmlinux" CLANG=$clang -j2 >/dev/null ||
	fail "the tree's own selftests did not build"
[ -x "$tree/tools/testing/selftests/sched_ext/runner" ] ||
	fail "no runner in the tree's tools/testing/selftests/sched_ext"
finish
