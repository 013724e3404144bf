#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's "Write your own scheduler" works as written: its commands,
# run in a scratch copy of the project, make scx_mine, whose struct_ops is
# mine_ops named "mine", and whose loader answers -h and a bad option the
# way every loader does.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

kver_dir=
[ "${KVER:-6.12}" = 6.12 ] || kver_dir=/$KVER
obj=${OBJ:-$root/build$kver_dir/obj}
[ -f "$obj/include/vmlinux.h" ] || skip "nothing built in $obj: run make"

# The copy reuses what the real build made for every scheduler: libbpf,
# bpftool and vmlinux.h.
cp -a "$root/Makefile" "$root/include" "$root"/scx_simple.* "$tmp/"
mkdir -p "$tmp/build$kver_dir/obj"
cp -a "$obj/libbpf" "$obj/bpftool" "$obj/include" "$tmp/build$kver_dir/obj/"

awk '/^    for f in scx_simple.bpf.c scx_simple.c; do$/, /^    done$/' \
	"$root/README.md" | sed 's/^    //' >"$tmp/copy.sh"
[ -s "$tmp/copy.sh" ] || fail "README.md has no 'for f in scx_simple.bpf.c scx_simple.c' block"
(cd "$tmp" && bash copy.sh) || fail "the README's copy commands failed"
grep -q '^make scx_mine ' <<<"$(sed 's/^    //' "$root/README.md")" ||
	fail "README.md does not say 'make scx_mine'"
make -C "$tmp" scx_mine >"$tmp/make.log" 2>&1 ||
	fail "make scx_mine failed: $(tail -n 3 "$tmp/make.log")"
mine=$tmp/build$kver_dir/bin/scx_mine
[ -x "$mine" ] || { fail "no $mine"; finish; }

grep -q 'struct bpf_map \*mine_ops;' "$tmp/build$kver_dir/obj/scx_mine.bpf.skel.h" ||
	fail "the skeleton has no struct_ops map mine_ops"
grep -q '\.name[[:space:]]*= "mine"' "$tmp/scx_mine.bpf.c" ||
	fail "scx_mine.bpf.c does not name its ops \"mine\""
"$mine" -h | grep -q '^Usage: scx_mine ' || fail "scx_mine -h: $("$mine" -h 2>&1 | head -n 1)"
err=$("$mine" -Z 2>&1)
[ "$err" = "scx_mine: unknown option -Z (see -h)" ] || fail "scx_mine -Z said: $err"
finish
