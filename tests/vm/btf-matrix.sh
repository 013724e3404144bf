#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# One source for both kernels: every scheduler built against the other test
# kernel's BTF (tests/host/btf-matrix.sh) loads on this one, survives a
# short load and unregisters cleanly, as the ones built against this
# kernel's BTF do in the smoke tests.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
# shellcheck source=tests/lib/tree.sh
. "$root/tests/lib/tree.sh"

other=$OTHER_KVER
bin=$SCRATCH/btf-$other-$CHECKOUT/build/bin
n=0
for sched in "$bin"/scx_*; do
	[ -x "$sched" ] || continue
	n=$((n + 1))
	echo "# $(basename "$sched"), built on the $other BTF, on $(uname -r)"
	"$root/vm/load-test.sh" -d 3 "$sched" ||
		fail "$(basename "$sched") built on the $other BTF failed on $(uname -r)"
done
[ "$n" -gt 0 ] || skip "nothing in $bin: run the host test host/btf-matrix first"
finish
