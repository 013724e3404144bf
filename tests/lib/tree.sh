#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make_tree DIR: a scratch kernel tree for the host tests, cheap to make and
# to keep.  Everything links to the unpacked source in KSRC except the two
# directories this project replaces, tools/sched_ext and
# tools/testing/selftests/sched_ext, which start as real copies of the
# tree's own.  Kept in the cache, so later runs rebuild incrementally.

make_tree() {
	local dir=$1 e

	[ -f "$KSRC/kernel/sched/ext.c" ] || [ -f "$KSRC/kernel/sched/ext/ext.c" ] ||
		{ echo "KSRC=$KSRC is not a kernel tree with sched_ext"; return 1; }
	mkdir -p "$dir/tools/testing/selftests"
	for e in "$KSRC"/* "$KSRC"/.[!.]*; do
		[ -e "$e" ] && [ "$(basename "$e")" != tools ] && ln -sfn "$e" "$dir/"
	done
	for e in "$KSRC"/tools/*; do
		case $(basename "$e") in sched_ext | testing) continue ;; esac
		ln -sfn "$e" "$dir/tools/"
	done
	for e in "$KSRC"/tools/testing/*; do
		[ "$(basename "$e")" = selftests ] || ln -sfn "$e" "$dir/tools/testing/"
	done
	for e in "$KSRC"/tools/testing/selftests/*; do
		[ "$(basename "$e")" = sched_ext ] || ln -sfn "$e" "$dir/tools/testing/selftests/"
	done
	[ -d "$dir/tools/sched_ext" ] || cp -r "$KSRC/tools/sched_ext" "$dir/tools/"
	[ -d "$dir/tools/testing/selftests/sched_ext" ] ||
		cp -r "$KSRC/tools/testing/selftests/sched_ext" "$dir/tools/testing/selftests/"
}

# Where host tests keep their scratch trees and builds between runs, one
# place per test kernel, so that both kernels' tests can run at once.
export SCRATCH=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples/tests-${KVER:-6.12}
# A build with O= keeps the paths of this checkout's sources in its
# dependency files, which another checkout (a fresh clone elsewhere) cannot
# use: such builds go into a directory of this checkout's own.
CHECKOUT=$(cksum <<<"$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)" | cut -d' ' -f1)
export CHECKOUT

# The test kernel other than KVER, for the tests that cross the two.
export OTHER_KVER=7.3
[ "${KVER:-6.12}" = 6.12 ] || OTHER_KVER=6.12
