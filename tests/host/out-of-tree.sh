#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make O=DIR builds everything under DIR/build, in parallel, and a second
# make compiles nothing; install honours DESTDIR and PREFIX; clean removes
# the build; and a BTF without sched_ext fails with one line that says how to
# fix it.  DIR is kept in the cache, one per checkout (its dependency files
# name the sources by path), so later runs rebuild incrementally.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
# shellcheck source=tests/lib/tree.sh
. "$root/tests/lib/tree.sh"
cd "$root" || exit 1
o=$SCRATCH/out-of-tree-$CHECKOUT

make -j2 O="$o" >/dev/null || fail "make -j2 O=$o failed"
for src in scx_*.bpf.c; do
	[ -x "$o/build/bin/${src%.bpf.c}" ] || fail "$o/build/bin/${src%.bpf.c} was not built"
done
[ ! -e build/bin ] || [ "$(find build/bin -newer "$o/build/bin" -print -quit)" = "" ] ||
	fail "make O= wrote into the source tree's build/"
again=$(make O="$o" 2>&1)
if grep -E '^  (CLANG-BPF|CC|LINK|GEN-SKEL|BTF|LIBBPF|BPFTOOL) ' <<<"$again"; then
	fail "a second make O=$o rebuilt the lines above"
fi

dest=$(mktemp -d)
make -s O="$o" install DESTDIR="$dest" PREFIX=/opt/scx || fail "make install failed"
[ -x "$dest/opt/scx/bin/scx_simple" ] || fail "install put no scx_simple in DESTDIR/PREFIX/bin"
rm -rf "$dest"

# The host's kernel has BTF but no sched_ext.  The next run regenerates
# vmlinux.h from the right BTF, since the BTF's path is a prerequisite.
err=$(make O="$o" VMLINUX_BTF=/sys/kernel/btf/vmlinux 2>&1 >/dev/null)
status=$?
[ "$status" -ne 0 ] || fail "a BTF without sched_ext did not fail the build"
echo "$err" | grep -q "has no struct sched_ext_ops: run 'make kernel'" ||
	fail "no clear message for a BTF without sched_ext; got: $err"

scratch=$(mktemp -d)
mkdir -p "$scratch/build/bin"
make -s O="$scratch" clean
[ ! -e "$scratch/build" ] || fail "make clean left $scratch/build"
rm -rf "$scratch"
finish
