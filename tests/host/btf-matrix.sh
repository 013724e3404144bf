#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# Every scheduler built against the BTF of the other test kernel too, for
# tests/vm/btf-matrix.sh to run on this one: with the normal build, that
# makes all four pairs of (BTF built on, kernel run on) over the two runs
# of make test.  7.3's BTF has kfunc decl tags (pahole 1.30), so its
# vmlinux.h declares every kfunc; 6.12's (pahole 1.24) declares none.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
# shellcheck source=tests/lib/tree.sh
. "$root/tests/lib/tree.sh"

other=$OTHER_KVER
out=$SCRATCH/btf-$other-$CHECKOUT
# Built by this run of make test or by the other kernel's; waits for a
# build in progress.
kdir=$(env -u KSRC KVER=$other "$root/vm/build-kernel.sh" | tail -n 1) ||
	{ fail "the $other kernel could not be built"; finish; }

echo "# make O=$out VMLINUX_BTF=$kdir/vmlinux"
make -C "$root" -j2 O="$out" VMLINUX_BTF="$kdir/vmlinux" >/dev/null ||
	{ fail "the schedulers did not build against the $other BTF"; finish; }
[ "$(cat "$out/build/obj/include/.btf-source")" = "$kdir/vmlinux" ] ||
	fail "vmlinux.h was not made from $kdir/vmlinux"
for src in "$root"/scx_*.bpf.c; do
	name=$(basename "$src" .bpf.c)
	[ -x "$out/build/bin/$name" ] || fail "$name was not built against the $other BTF"
done

# The case the compat layer must survive: kfunc prototypes in vmlinux.h.
protos=$(grep -c '^extern .* __ksym;$' "$out/build/obj/include/vmlinux.h")
echo "# kfunc prototypes in the $other vmlinux.h: $protos"
if [ "$other" = 6.12 ]; then
	[ "$protos" -eq 0 ] || fail "the 6.12 vmlinux.h has $protos kfunc prototypes, expected none"
else
	[ "$protos" -gt 0 ] || fail "the $other vmlinux.h has no kfunc prototypes"
fi
finish
