#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tier: long
#
# make bench, as short as it goes: its own VM boot, every built scheduler,
# one round of a tenth of hackbench.  The report must have a row per
# scheduler, the CSV a hackbench row per scheduler, the SVG chart must
# convert to a PNG, bench-compare must find nothing moved between a CSV
# and itself, and bad settings must stop it with a one-line error.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
kdir=
[ "${KVER:-6.12}" = 6.12 ] || kdir=/$KVER
bin=${BIN:-$root/build$kdir/bin}
out=$(mktemp -d)
at_exit rm -rf "$out"

command -v gnuplot >/dev/null || skip "gnuplot is not installed (vm/install-deps.sh)"
command -v rsvg-convert >/dev/null || skip "rsvg-convert is not installed (vm/install-deps.sh)"
scheds=()
for p in "$bin"/scx_*; do
	[ -x "$p" ] && scheds+=("${p##*/}")
done
[ ${#scheds[@]} -gt 0 ] || { echo "bench: nothing built in $bin"; exit 1; }

# Bad settings: one line on stderr, status 2, before any VM boots.
for bad in ROUNDS=x WORKLOADS=nope SCALE=-1 SCHEDS=scx_nonesuch PEER=2; do
	msg=$(env "$bad" BIN="$bin" OUT="$out/bad" "$root"/tests/bench/run.sh 2>&1 >/dev/null)
	st=$?
	if [ "$st" -ne 2 ] || [ "$(wc -l <<<"$msg")" -ne 1 ]; then
		fail "$bad: status $st, error '$msg' (want status 2 and one line)"
	fi
done

BIN=$bin OUT=$out ROUNDS=1 WORKLOADS=hackbench SCALE=0.1 SCHEDS='' PEER='' \
	"$root"/tests/bench/run.sh || fail "make bench failed (status $?)"

for s in fair "${scheds[@]}"; do
	grep -q "^| $s |" "$out/report.md" 2>/dev/null || fail "no row for $s in report.md"
	grep -q "^[^,]*,$s,hackbench,time_s," "$out/bench.csv" 2>/dev/null ||
		fail "no hackbench row for $s in bench.csv"
done
if rsvg-convert -o "$out/bench.png" "$out/bench.svg" 2>"$out/rsvg.err"; then
	[ "$(head -c 4 "$out/bench.png" | tail -c 3)" = PNG ] ||
		fail "rsvg-convert did not write a PNG"
else
	fail "the SVG does not convert to a PNG: $(head -n 1 "$out/rsvg.err")"
fi
moved=$("$root"/tests/bench/compare.sh "$out/bench.csv" "$out/bench.csv" | tail -n 1)
[ "$moved" = "0 moved by more than their spread" ] ||
	fail "bench-compare of a CSV with itself says: $moved"
finish
