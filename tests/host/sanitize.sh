#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# The loaders under AddressSanitizer and UBSan: "make SANITIZE=1" builds
# them into build/san (build/KVER/san), and the checks of
# tests/host/loader-errors.sh and tests/host/bad-values.sh pass with them,
# with no sanitizer report.
# tests/vm/matrix.sh then soaks each under load in the VM.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
kver_dir=
[ "${KVER:-6.12}" = 6.12 ] || kver_dir=/$KVER

out=$(make -C "$root" SANITIZE=1 2>&1) ||
	{ fail "make SANITIZE=1 failed: $(tail -n 3 <<<"$out")"; finish; }
san=$root/build$kver_dir/san/bin
for s in "$root"/scx_*.bpf.c; do
	s=$(basename "$s" .bpf.c)
	# Through a variable: grep -q would cut nm's pipe short (pipefail).
	syms=$(nm "$san/$s" 2>/dev/null)
	grep -q __asan_init <<<"$syms" ||
		fail "$san/$s is missing or not built with AddressSanitizer"
done

for t in loader-errors bad-values; do
	out=$(BIN=$san "$root/tests/host/$t.sh" 2>&1)
	status=$?
	echo "$out" | tail -n 3
	[ "$status" -eq 0 ] || fail "$t.sh with the sanitized loaders: $(grep -m 3 FAIL <<<"$out")"
	what=$(grep -E -m 3 'Sanitizer|runtime error:' <<<"$out")
	[ -z "$what" ] || fail "a sanitizer report in $t.sh: $what"
done
finish
