#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of the kernel source tree to build against, unpacking it
# into the cache first if it is not there yet.  KVER picks the tree: 6.12
# (the default) is Debian's linux-source-6.12 from bookworm; 7.3 is Debian's
# linux-source-7.3, the newest 7.3.x of trixie-backports, which bookworm's
# apt does not list (vm/fetch-deb.sh).  KSRC in the environment overrides
# the tree; KSRC_TARBALL the tarball it is unpacked from (tests use a small
# one).
#
# Usage: vm/ksrc.sh [--path]     --path only prints, never unpacks
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples
kver=${KVER:-6.12}
ksrc=${KSRC:-$cache/linux-source-$kver}

# A tree with sched_ext: kernel/sched/ext.c up to 7.1, kernel/sched/ext/ since.
has_scx() {
	[ -f "$1/kernel/sched/ext.c" ] || [ -f "$1/kernel/sched/ext/ext.c" ]
}

if [ "${1:-}" = --path ] || has_scx "$ksrc"; then
	echo "$ksrc"
	exit 0
fi
if [ -n "${KSRC:-}" ]; then
	echo "ksrc: KSRC=$KSRC is not a kernel source tree with sched_ext (no kernel/sched/ext.c or kernel/sched/ext/)" >&2
	exit 1
fi

mkdir -p "$cache"
# make -j runs this from more than one make at once: fetch and unpack once.
exec 9>"$cache/unpack-$kver.lock"
flock 9
has_scx "$ksrc" && { echo "$ksrc"; exit 0; }

case $kver in
6.12)
	tarball=${KSRC_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
	if [ ! -f "$tarball" ]; then
		"$here/install-deps.sh" linux-source-6.12 >&2 || {
			echo "ksrc: or set KSRC=<kernel source tree with sched_ext>" >&2
			exit 1
		}
	fi
	;;
7.3)
	tarball=${KSRC_TARBALL:-$cache/deb-linux-source-7.3/usr/src/linux-source-7.3.tar.xz}
	if [ ! -f "$tarball" ]; then
		echo "  FETCH   linux-source-7.3 from Debian trixie-backports" >&2
		"$here/fetch-deb.sh" trixie-backports "$cache/deb-linux-source-7.3" \
			linux-source-7.3 >&2 || exit 1
	fi
	;;
*)
	echo "ksrc: KVER=$kver is not a test kernel: use KVER=6.12 or KVER=7.3, or set KSRC=<tree>" >&2
	exit 1
	;;
esac

tmp=$(mktemp -d "$cache/unpack.XXXXXX")
echo "  UNPACK  $tarball" >&2
tar -xJf "$tarball" -C "$tmp"
rm -rf "$ksrc"
mv "$tmp/linux-source-$kver" "$ksrc"
rm -rf "$tmp"
# The .deb is only the tarball's wrapper; the unpacked tree is what is kept.
rm -rf "$cache/deb-linux-source-$kver"
echo "$ksrc"
