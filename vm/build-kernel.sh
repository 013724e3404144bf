#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the sched_ext test kernel: "make tinyconfig" plus vm/kernel.config.
# The result lands in the cache, keyed by the source version and the hash of
# the fragment, so an unchanged fragment is never built twice and CI reuses
# the kernel across fresh clones.  $cache/kernel always points at the most
# recent build; the Makefile takes its vmlinux as the default BTF.
#
# Usage: vm/build-kernel.sh [--dir]   --dir prints the kernel directory only
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples
fragment=$here/kernel.config
ksrc=$("$here/ksrc.sh")

version=$(make -s --no-print-directory -C "$ksrc" kernelversion)
key=$version-$(sha256sum <"$fragment" | cut -c1-12)
dir=$cache/kernel-$key

if [ "${1:-}" = --dir ]; then
	echo "$dir"
	exit 0
fi

# Two makes may ask for the kernel at once; the second waits for the first.
mkdir -p "$cache"
exec 9>"$cache/kbuild.lock"
flock 9

if [ ! -f "$dir/bzImage" ] || [ ! -f "$dir/vmlinux" ]; then
	obj=$cache/kbuild-$key
	log=$cache/kbuild-$key.log
	jobs=$(nproc)
	echo "  KERNEL  $version with $(basename "$fragment") -> $dir"
	echo "          (a first build takes about 11 minutes on 2 cores; log: $log)"
	mkdir -p "$obj"
	if ! {
		make -C "$ksrc" O="$obj" ARCH=x86_64 tinyconfig &&
		"$ksrc/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$fragment" &&
		make -C "$ksrc" O="$obj" ARCH=x86_64 olddefconfig &&
		make -C "$ksrc" O="$obj" ARCH=x86_64 -j"$jobs" bzImage
	} >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		echo "build-kernel: kernel build failed; full log in $log" >&2
		exit 1
	fi
	# Every option of the fragment must have survived Kconfig; a silently
	# dropped one would make tests fail far away from the cause.
	missing=$(grep '^CONFIG_' "$fragment" | while read -r opt; do
		grep -qx "$opt" "$obj/.config" || printf '%s ' "$opt"
	done)
	if [ -n "$missing" ]; then
		echo "build-kernel: Kconfig dropped these options (check their dependencies): $missing" >&2
		exit 1
	fi
	mkdir -p "$dir.tmp"
	cp "$obj/arch/x86/boot/bzImage" "$obj/vmlinux" "$obj/.config" "$dir.tmp/"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
fi
ln -sfn "$(basename "$dir")" "$cache/kernel"
echo "$dir"
