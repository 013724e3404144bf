#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# Every scheduler's loader, built with AddressSanitizer and UBSan
# (tests/host/sanitize.sh builds them: make SANITIZE=1), loads, runs 10 s
# under vm/load-test.sh's stress-ng mix, and exits cleanly on SIGINT, with
# no sanitizer report, leaks included, in its output.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
kver_dir=
[ "${KVER:-6.12}" = 6.12 ] || kver_dir=/$KVER
san=$root/build$kver_dir/san/bin
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

n=0
for s in "$root"/scx_*.bpf.c; do
	s=$(basename "$s" .bpf.c)
	if [ ! -x "$san/$s" ]; then
		fail "$san/$s is not built: run 'make SANITIZE=1' (tests/host/sanitize.sh does)"
		continue
	fi
	"$root/vm/load-test.sh" -d 10 "$san/$s" >"$tmp/$s" 2>&1 ||
		fail "$s: $(grep -m 1 -E 'FAIL|Sanitizer' "$tmp/$s")"
	what=$(grep -E -m 3 'Sanitizer|runtime error:' "$tmp/$s")
	[ -z "$what" ] || fail "$s: a sanitizer report: $what"
	n=$((n + 1))
done
echo "sanitize: $n loaders ran under load with AddressSanitizer and UBSan"
finish
