#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm/ksrc.sh unpacks the kernel source into the cache once, even when
# "make -j" asks for it from two makes at the same moment, and prints the
# same tree to both.  A small stand-in tarball keeps this quick.  Under
# KVER=7.3 the stand-in has 7.3's layout, sched_ext in kernel/sched/ext/.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"

tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
kver=${KVER:-6.12}
ext=kernel/sched/ext.c
[ "$kver" = 6.12 ] || ext=kernel/sched/ext/ext.c
mkdir -p "$(dirname "$tmp/src/linux-source-$kver/$ext")"
echo '/* stand-in */' >"$tmp/src/linux-source-$kver/$ext"
# Big enough that two unpacks would overlap.
head -c 20000000 /dev/urandom >"$tmp/src/linux-source-$kver/filler"
XZ_OPT=-0 tar -cJf "$tmp/src.tar.xz" -C "$tmp/src" "linux-source-$kver" ||
	fail "cannot make the stand-in tarball"

export XDG_CACHE_HOME=$tmp/cache KSRC_TARBALL=$tmp/src.tar.xz
unset KSRC
"$root/vm/ksrc.sh" >"$tmp/out1" 2>"$tmp/err1" &
"$root/vm/ksrc.sh" >"$tmp/out2" 2>"$tmp/err2"
wait $! || fail "the first vm/ksrc.sh failed: $(cat "$tmp/err1")"
cat "$tmp"/err1 "$tmp"/err2

want=$tmp/cache/scx-examples/linux-source-$kver
for i in 1 2; do
	[ "$(cat "$tmp/out$i")" = "$want" ] || fail "run $i printed '$(cat "$tmp/out$i")'"
done
n=$(cat "$tmp"/err1 "$tmp"/err2 | grep -c UNPACK)
[ "$n" -eq 1 ] || fail "unpacked $n times, not once"
[ -f "$want/$ext" ] || fail "no $ext in $want"
finish
