#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a sched_ext test kernel: "make tinyconfig" plus vm/kernel.config
# and the fragment of its own, vm/kernel-$KVER.config.  KVER is 6.12 (the
# default) or 7.3 (see vm/ksrc.sh).  The result lands in the cache, keyed by
# the source version and the hash of the fragments, so an unchanged kernel
# is never built twice and CI reuses it across fresh clones.
# $cache/kernel-$KVER points at the most recent build; the Makefile takes
# its vmlinux as the default BTF.
#
# Usage: vm/build-kernel.sh [--dir]   --dir prints the kernel directory only
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples
kver=${KVER:-6.12}
fragments=("$here/kernel.config" "$here/kernel-$kver.config")
[ -f "${fragments[1]}" ] || { echo "build-kernel: no vm/kernel-$kver.config: KVER is 6.12 or 7.3" >&2; exit 1; }
ksrc=$("$here/ksrc.sh")

# 6.12 keeps bookworm's pahole 1.24 on purpose: its BTF has no kfunc decl
# tags, so one of the two test kernels stands for the BTF without them.
pahole=pahole
[ "$kver" = 6.12 ] || pahole=$("$here/pahole.sh")

version=$(make -s --no-print-directory -C "$ksrc" kernelversion)
key=$version-$(cat "${fragments[@]}" | sha256sum | cut -c1-12)
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
	# One object tree per source version: a changed fragment rebuilds
	# only what the changed options touch.
	obj=$cache/kbuild-$version
	log=$cache/kbuild-$version.log
	jobs=$(nproc)
	# On stderr: make keeps our stdout, the directory, for itself.
	echo "  KERNEL  $version with kernel.config, kernel-$kver.config -> $dir" >&2
	echo "          (a first build takes about 11 minutes on 2 cores; log: $log)" >&2
	mkdir -p "$obj"
	: >"$log"
	# A line a minute, so that a long build does not look like a hang.
	# Its sleep goes with it, so that no pipe of ours is held open.
	(
		trap 'kill "$nap" 2>/dev/null; exit 0' TERM
		start=$SECONDS
		while :; do
			sleep 60 &
			nap=$!
			wait "$nap"
			echo "          $(((SECONDS - start) / 60)) min: $(grep -c '^  [A-Z]' "$log") build steps done" >&2
		done
	) >/dev/null &
	progress=$!
	trap 'kill "$progress" 2>/dev/null' EXIT
	if ! {
		make -C "$ksrc" O="$obj" ARCH=x86_64 tinyconfig &&
		"$ksrc/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}" &&
		make -C "$ksrc" O="$obj" ARCH=x86_64 PAHOLE="$pahole" olddefconfig &&
		make -C "$ksrc" O="$obj" ARCH=x86_64 PAHOLE="$pahole" -j"$jobs" bzImage
	} >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		echo "build-kernel: kernel build failed; full log in $log" >&2
		exit 1
	fi
	kill "$progress" 2>/dev/null
	# Every option of the fragment must have survived Kconfig; a silently
	# dropped one would make tests fail far away from the cause.
	missing=$(cat "${fragments[@]}" | grep '^CONFIG_' | while read -r opt; do
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
ln -sfn "$(basename "$dir")" "$cache/kernel-$kver"
echo "$dir"
