#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's scheduler x feature matrix is what the sources show: the
# table between its feature-matrix markers is exactly what
# scripts/feature-matrix.sh reads from the examples now.  And the script
# really reads them: a copy of the examples whose scx_simple loses its
# ops.enable() gets a matrix without it in simple's column.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

"$root/scripts/feature-matrix.sh" >"$tmp/now" || fail "feature-matrix.sh failed"
sed -n '/^<!-- feature-matrix: begin -->$/,/^<!-- feature-matrix: end -->$/p' \
	"$root/README.md" | sed '1d;$d' >"$tmp/readme"
[ -s "$tmp/readme" ] || fail "README.md has no feature matrix between the markers"
diff -u "$tmp/readme" "$tmp/now" >"$tmp/diff" ||
	fail "README.md's feature matrix is out of date (scripts/feature-matrix.sh -u updates it): $(grep '^[-+]|' "$tmp/diff" | head -n 5)"

row() {
	grep -F "| \`ops.enable()\` |" "$1"
}
mkdir "$tmp/src"
cp "$root"/scx_*.c "$root/README.md" "$tmp/src/"
sed -i '/\.enable[[:space:]]*=/d' "$tmp/src/scx_simple.bpf.c"
"$root/scripts/feature-matrix.sh" -u "$tmp/src" || fail "feature-matrix.sh -u failed"
[ "$(row "$tmp/now" | cut -d'|' -f3)" = " ✓ " ] ||
	fail "scx_simple's ops.enable() is not in the matrix: $(row "$tmp/now")"
[ "$(row "$tmp/src/README.md" | cut -d'|' -f3)" = " " ] ||
	fail "-u did not take scx_simple's ops.enable() out: $(row "$tmp/src/README.md")"
finish
