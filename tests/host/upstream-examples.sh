#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# include/scx is a drop-in for a 6.12 tree's own: the four examples of
# Debian's linux-source-6.12 (tools/sched_ext: scx_simple, scx_qmap,
# scx_central, scx_flatcg), copied byte for byte, build with our include/scx
# and Makefile in a directory of their own.  tests/vm/upstream-examples.sh
# then runs what this builds, the examples listed in $dir/examples.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
# shellcheck source=tests/lib/tree.sh
. "$root/tests/lib/tree.sh"
dir=$SCRATCH/upstream
examples='scx_simple scx_qmap scx_central scx_flatcg'

# known NAME: why the 6.12 example NAME cannot build against KVER's kernel.
known() {
	case ${KVER:-6.12}:$1 in
	# 7.3's kernel no longer has the flag SCX_OPS_HAS_CGROUP_WEIGHT, which
	# the 6.12 scx_flatcg sets in its BPF-side ops: vmlinux.h lacks it,
	# and no header can tell whether it does.
	7.3:scx_flatcg) echo "undeclared identifier 'SCX_OPS_HAS_CGROUP_WEIGHT'" ;;
	esac
}

# The 6.12 tree, whatever KVER builds against: 6.12's API is the promise.
ksrc=$(KVER=6.12 KSRC='' "$root/vm/ksrc.sh") || skip "cannot unpack linux-source-6.12"
up=$ksrc/tools/sched_ext

# Copy only what changed, so the build there stays incremental.
mkdir -p "$dir/include/scx"
copy() {
	cmp -s "$1" "$2" || cp -p "$1" "$2"
}
copy "$root/Makefile" "$dir/Makefile"
for f in "$root"/include/scx/*.h; do
	copy "$f" "$dir/include/scx/${f##*/}"
done
for name in $examples; do
	for f in "$up/$name".bpf.c "$up/$name".c "$up/$name".h; do
		[ -f "$f" ] || continue
		copy "$f" "$dir/${f##*/}"
		cmp -s "$f" "$dir/${f##*/}" || fail "${f##*/} differs from the 6.12 tree's"
	done
	[ -f "$dir/$name.bpf.c" ] || fail "no $up/$name.bpf.c"
done

build=
for name in $examples; do
	why=$(known "$name")
	if [ -z "$why" ]; then
		build="$build $name"
		continue
	fi
	echo "# $name: known not to build against $KVER ($why)"
	if out=$(make -C "$dir" "$name" 2>&1); then
		fail "$name built against $KVER: take it off the known list"
	elif ! grep -qF "$why" <<<"$out"; then
		echo "$out"
		fail "$name did not build against $KVER, but not with $why"
	fi
done
echo "$build" >"$dir/examples"

# shellcheck disable=SC2086 # one word per example
make -C "$dir" -j2 $build || fail "the 6.12 examples did not build with our include/scx"
for name in $build; do
	[ -x "$dir/build$KVER_DIR/bin/$name" ] ||
		fail "no $dir/build$KVER_DIR/bin/$name"
done
finish
