#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One example on its own: its .bpf.c, .c (and .h), copied with our include/
# into the tools/sched_ext of a kernel tree that keeps its own, unmodified
# Makefile, builds there with "make -C tools/sched_ext scx_<name>".  That is
# how a user starts a scheduler of their own from one of ours.  Only the
# examples that Makefile has a target for can be built this way.  The
# tree's Makefile takes plain "clang", clang 14 on Debian 12, too old for
# scx_sdt's arena pointers (clang 18): CLANG= gives it clang 19, as a user
# would.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
# shellcheck source=tests/lib/tree.sh
. "$root/tests/lib/tree.sh"
cd "$root" || exit 1
tree=$SCRATCH/pristine
dir=$tree/tools/sched_ext
kernel=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples/kernel-${KVER:-6.12}

[ -f "$kernel/vmlinux" ] || skip "no $kernel/vmlinux: run 'make kernel KVER=${KVER:-6.12}'"
make_tree "$tree" || exit 1
echo "# $KSRC, $kernel"
# Put back whatever an earlier run replaced, so the Makefile is the tree's.
cmp -s "$KSRC/tools/sched_ext/Makefile" "$dir/Makefile" ||
	cp -p "$KSRC/tools/sched_ext/Makefile" "$dir/Makefile"

# copy SRC DST: only if different, so that the tree builds incrementally.
copy() {
	cmp -s "$1" "$2" || cp -p "$1" "$2"
}

for f in include/scx/*.h; do
	copy "$f" "$dir/$f"
done
clang="clang"
command -v clang-19 >/dev/null && clang="clang-19"
targets=$(make -s -C "$dir" help 2>/dev/null | sed -n 's/^  \(scx_[a-z_]*\)$/\1/p')
[ -n "$targets" ] || fail "the tree's Makefile lists no scheduler targets in 'make help'"

for src in scx_*.bpf.c; do
	name=${src%.bpf.c}
	if ! grep -qx "$name" <<<"$targets"; then
		echo "# $name: the tree's Makefile has no target for it; not built here"
		continue
	fi
	for f in "$name".bpf.c "$name".c "$name".h; do
		[ ! -f "$f" ] || copy "$f" "$dir/$f"
	done
	echo "# make -C tools/sched_ext $name (the tree's own Makefile)"
	KBUILD_OUTPUT=$kernel make -C "$dir" -j2 CLANG=$clang "$name" >/dev/null ||
		fail "$name did not build with the tree's Makefile"
	[ -x "$dir/build/bin/$name" ] || fail "no build/bin/$name in the tree"
	# Restore the tree's own copy, so the next example is on its own too.
	for f in "$name".bpf.c "$name".c "$name".h; do
		if [ -f "$KSRC/tools/sched_ext/$f" ]; then
			copy "$KSRC/tools/sched_ext/$f" "$dir/$f"
		else
			rm -f "$dir/$f"
		fi
	done
done
finish
