#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Out of a tree, a plain "make" on a kernel with sched_ext takes the running
# kernel's BTF and needs no test kernel; KVER=, VMLINUX_BTF= and the VM and
# test targets keep the test kernel's (or the one given).  The host runs no
# sched_ext, so the 7.3 test kernel's vmlinux stands in for
# /sys/kernel/btf/vmlinux (RUNNING_BTF).  "make help" shows the choice.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
cache=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples
with_scx=$cache/kernel-7.3/vmlinux
test_btf=$cache/kernel-6.12/vmlinux
[ -f "$with_scx" ] || skip "no $with_scx: run 'make kernel KVER=7.3' first"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

# btf_of GOAL ARGS...: the BTF "make GOAL ARGS" would read.  Nothing is
# built: GOAL only stands in the goal list the Makefile looks at.
btf_of() {
	local goal=$1

	shift
	# shellcheck disable=SC2016 # $(VMLINUX_BTF) is make's
	env -u KVER make -s -C "$root" O="$tmp" "$@" \
		--eval "MAKECMDGOALS := $goal" \
		--eval 'show-btf: ; @echo $(VMLINUX_BTF)' show-btf
}

# expect WANT WHY GOAL ARGS...
expect() {
	local want=$1 why=$2 got

	shift 2
	got=$(btf_of "$@")
	echo "make $*: $got"
	[ "$got" = "$want" ] || fail "$why: make read '$got', not $want"
}

expect "$with_scx" "a running kernel with sched_ext" all RUNNING_BTF="$with_scx"
expect "$test_btf" "a running kernel without sched_ext" all RUNNING_BTF=/etc/hostname
expect "$test_btf" "KVER=6.12 given" all RUNNING_BTF="$with_scx" KVER=6.12
expect /x/vmlinux "VMLINUX_BTF given" all RUNNING_BTF="$with_scx" VMLINUX_BTF=/x/vmlinux
for goal in test vmrun; do
	expect "$test_btf" "a VM target" "$goal" RUNNING_BTF="$with_scx"
done
help=$(env -u KVER make -s -C "$root" help RUNNING_BTF="$with_scx")
grep -qF "(now: $with_scx)" <<<"$help" || fail "make help does not show the BTF it would read"
finish
