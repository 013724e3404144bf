#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make veristat": build veristat from the kernel tree against our libbpf,
# then, in the VM, verify every scheduler and selftest object one program at
# a time and print per program the verdict, the instructions the verifier
# processed and the states it kept, with a total per object.
#
# veristat.c of 6.12 does not know BPF_MAP_TYPE_CGRP_STORAGE and gives such
# maps one entry, which the kernel refuses (it wants 0): scx_flatcg's
# cgroup context then fails to create and nothing of it is verified.  The
# copy built here lists that map type with the other local storages.
#
# veristat loads the whole object for each program, and libbpf loads every
# program of every struct_ops map it creates.  An object with several
# struct_ops maps (selftests/verifier_reject.bpf.c: one good scheduler and
# three that must be rejected) then fails as a whole for each program.  The
# copy built here creates only the first struct_ops map that holds the program
# being verified (none for a program of another type), which is how the
# selftests load such objects too.  The programs of verifier_reject that the
# kernel must refuse are checked for "failure", every other for "success".
#
# Usage: tests/veristat.sh            build, then run in the VM
#        tests/veristat.sh --build    only build build/obj/veristat
#        tests/veristat.sh --in-vm OBJ...   (what runs inside the VM)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
obj=${OBJ:-$root/build/obj}
veristat=$obj/veristat

# Programs of verifier_reject that the kernel must refuse.
expect_reject='^verifier_reject\.bpf\.linked\.o,(leak_enqueue|sleep_enqueue|ctx_insert),'

in_vm() {
	local f csv bad=0 rc

	csv=$(mktemp)
	for f in "$@"; do
		"$veristat" -q -o csv -e file,prog,verdict,insns,states "$f" \
			>"$csv" 2>/dev/null
		rc=$?
		if ! grep -q ',' "$csv"; then
			echo "$(basename "$f"): veristat printed nothing (exit $rc)"
			bad=1
			continue
		fi
		awk -F, -v rej="$expect_reject" '
			NR == 1 { next }
			{
				expected = ($0 ~ rej) ? "failure" : "success"
				ok = ($3 == expected)
				if (!ok)
					bad = 1
				if (!n++) {
					printf "%s\n", $1
					printf "  %-28s %-9s %8s %7s\n", "program",
						"verdict", "insns", "states"
				}
				printf "  %-28s %-9s %8d %7d%s\n", $2, $3, $4, $5,
					ok ? (expected == "failure" ? "  (rejected, as it must be)" : "") : "  <-- UNEXPECTED"
				insns += $4
				states += $5
			}
			END {
				printf "  %-28s %-9s %8d %7d\n\n", "total", "", insns, states
				exit bad
			}' "$csv" || bad=1
	done
	rm -f "$csv"
	if [ "$bad" -ne 0 ]; then
		echo "veristat: FAIL: some objects did not verify as expected"
		return 1
	fi
	echo "veristat: $# objects verified"
}

build() {
	local ksrc=${KSRC:-${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples/linux-source-6.12}
	local src=$ksrc/tools/testing/selftests/bpf/veristat.c

	[ -f "$src" ] || { echo "veristat: no $src (run make first)" >&2; return 1; }
	if [ "$veristat" -nt "$src" ] && [ "$veristat" -nt "$obj/libbpf/libbpf.a" ] &&
	   [ "$veristat" -nt "$0" ] &&
	   [ "$veristat" -nt "$root/tests/veristat-struct-ops.c" ]; then
		return 0
	fi
	echo "  CC        veristat"
	awk -v helper="$root/tests/veristat-struct-ops.c" '
		/^static void fixup_obj\(struct bpf_object \*obj, struct bpf_program \*prog, const char \*filename\)$/ {
			while ((getline l < helper) > 0)
				print l
			print ""
			fixup = 1
		}
		fixup && /^\t\/\* SEC\(freplace\) programs/ {
			print "\tscx_keep_own_struct_ops(obj, prog);\n"
			hooked = 1
		}
		{ print }
		/^\t*case BPF_MAP_TYPE_CGROUP_STORAGE:$/ {
			sub(/case.*/, "case BPF_MAP_TYPE_CGRP_STORAGE:")
			print
			cgrp = 1
		}
		END { exit !(fixup && hooked && cgrp) }' "$src" >"$obj/veristat.c" ||
		{ echo "veristat: could not patch $src" >&2; return 1; }
	cc -g -O2 -I"$obj/include" -I"$ksrc/tools/include" \
		-I"$ksrc/tools/include/uapi" -o "$veristat" "$obj/veristat.c" \
		"$obj/libbpf/libbpf.a" -lelf -lz -lm
}

if [ "${1:-}" = --in-vm ]; then
	shift
	in_vm "$@"
	exit
fi

if [ "${1:-}" = --build ]; then
	build
	exit
fi
make -s -C "$root" || exit 1
make -s -C "$root/selftests" || exit 1
build || exit 1
objs=("$obj"/scx_*.bpf.linked.o "$root"/selftests/build/obj/*.bpf.linked.o)
"$root/vm/run.sh" -c 2 -t 900 -- env OBJ="$obj" "$root/tests/veristat.sh" \
	--in-vm "${objs[@]}"
