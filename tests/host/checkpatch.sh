#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel coding style: checkpatch.pl from KSRC on every C file finds no
# error, and no warning but the one about "volatile" (const volatile is how
# BPF programs declare read-only data that user space sets before load).
# Every file carries an SPDX line.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
cd "$root" || exit 1
checkpatch=${KSRC:-}/scripts/checkpatch.pl
[ -f "$checkpatch" ] || skip "no scripts/checkpatch.pl in KSRC=${KSRC:-}"

files=$(git ls-files -co --exclude-standard -- '*.c' '*.h')
for f in $files; do
	out=$(perl "$checkpatch" --no-tree --terse -q -f "$f" 2>&1 |
		grep -E 'ERROR|WARNING' | grep -v 'WARNING: Use of volatile is usually wrong')
	[ -z "$out" ] || fail "checkpatch: $out"
done

for f in $(git ls-files -co --exclude-standard); do
	case $f in *.md | .gitignore | .shellcheckrc | */.gitignore | */settings) continue ;; esac
	head -n 3 "$f" | grep -q 'SPDX-License-Identifier' || fail "$f has no SPDX line"
done
finish
