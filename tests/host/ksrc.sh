#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm/ksrc.sh unpacks the kernel source into the cache once, even when
# "make -j" asks for it from two makes at the same moment, and prints the
# same tree to both.  A small stand-in tarball keeps this quick.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/sched-lib.sh
. "$root/tests/sched-lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/linux-source-6.12/kernel/sched"
echo '/* stand-in */' >"$tmp/src/linux-source-6.12/kernel/sched/ext.c"
# Big enough that two unpacks would overlap.
head -c 20000000 /dev/urandom >"$tmp/src/linux-source-6.12/filler"
XZ_OPT=-0 tar -cJf "$tmp/src.tar.xz" -C "$tmp/src" linux-source-6.12 ||
	fail "cannot make the stand-in tarball"

export XDG_CACHE_HOME=$tmp/cache KSRC_TARBALL=$tmp/src.tar.xz
unset KSRC
"$root/vm/ksrc.sh" >"$tmp/out1" 2>"$tmp/err1" &
"$root/vm/ksrc.sh" >"$tmp/out2" 2>"$tmp/err2"
wait $! || fail "the first vm/ksrc.sh failed: $(cat "$tmp/err1")"
cat "$tmp"/err1 "$tmp"/err2

want=$tmp/cache/scx-examples/linux-source-6.12
for i in 1 2; do
	[ "$(cat "$tmp/out$i")" = "$want" ] || fail "run $i printed '$(cat "$tmp/out$i")'"
done
n=$(cat "$tmp"/err1 "$tmp"/err2 | grep -c UNPACK)
[ "$n" -eq 1 ] || fail "unpacked $n times, not once"
[ -f "$want/kernel/sched/ext.c" ] || fail "no kernel/sched/ext.c in $want"
finish
