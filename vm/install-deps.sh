#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages the build, the test kernel, the VM and the
# tests need.  As root it runs apt-get; otherwise it prints the command.
#
# Usage: vm/install-deps.sh [PACKAGE...]   (default: all of them)
set -eu

packages="clang-19 llvm-19 make gcc libelf-dev zlib1g-dev libzstd-dev
linux-source-6.12 flex bison bc libssl-dev dwarves cpio xz-utils
qemu-system-x86 stress-ng rt-tests shellcheck python3 strace bpftrace
linux-perf gnuplot-nox librsvg2-bin"
[ $# -eq 0 ] || packages=$*

if ! command -v dpkg-query >/dev/null; then
	echo "install-deps: not a Debian system; install the equivalents of: $(echo "$packages" | tr '\n' ' ')" >&2
	exit 0
fi
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages; run:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "  APT      $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends $missing >/dev/null
