#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of the kernel source tree to build against, unpacking
# Debian's linux-source-6.12 into the cache first if it is not there yet.
# KSRC in the environment overrides the default tree; KSRC_TARBALL the
# tarball it is unpacked from (tests use a small one).
#
# Usage: vm/ksrc.sh [--path]     --path only prints, never unpacks
set -eu

cache=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples
tarball=${KSRC_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
ksrc=${KSRC:-$cache/linux-source-6.12}

if [ "${1:-}" = --path ] || [ -f "$ksrc/kernel/sched/ext.c" ]; then
	echo "$ksrc"
	exit 0
fi
if [ -n "${KSRC:-}" ]; then
	echo "ksrc: KSRC=$KSRC is not a kernel source tree with sched_ext (no kernel/sched/ext.c)" >&2
	exit 1
fi
if [ ! -f "$tarball" ]; then
	"$(dirname "$0")/install-deps.sh" linux-source-6.12 >&2 || {
		echo "ksrc: or set KSRC=<kernel source tree with sched_ext>" >&2
		exit 1
	}
fi
mkdir -p "$cache"
# make -j runs this from more than one make at once: unpack only once.
exec 9>"$cache/unpack.lock"
flock 9
if [ ! -f "$ksrc/kernel/sched/ext.c" ]; then
	tmp=$(mktemp -d "$cache/unpack.XXXXXX")
	echo "  UNPACK  $tarball" >&2
	tar -xJf "$tarball" -C "$tmp"
	rm -rf "$ksrc"
	mv "$tmp/linux-source-6.12" "$ksrc"
	rm -rf "$tmp"
fi
echo "$ksrc"
