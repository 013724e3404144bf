#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A scheduler written against a 6.12 tree's API, with the 6.12 kfunc names
# (tests/legacy/scx_legacy.*), builds with our include/scx and Makefile in a
# directory of its own.  tests/vm/legacy-names.sh then runs the result.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
# shellcheck source=tests/lib/tree.sh
. "$root/tests/lib/tree.sh"
dir=$SCRATCH/legacy

# Copy only what changed, so the build there stays incremental.
mkdir -p "$dir/include/scx"
for f in Makefile include/scx/*.h tests/legacy/scx_legacy.bpf.c tests/legacy/scx_legacy.c; do
	dst=$dir/${f#tests/legacy/}
	cmp -s "$root/$f" "$dst" || cp -p "$root/$f" "$dst"
done

make -C "$dir" -j2 scx_legacy || fail "scx_legacy did not build"
[ -x "$dir/build$KVER_DIR/bin/scx_legacy" ] || fail "no $dir/build$KVER_DIR/bin/scx_legacy"
grep -q 'scx_bpf_dispatch\b' "$dir/scx_legacy.bpf.c" || fail "scx_legacy no longer uses the 6.12 names"
finish
