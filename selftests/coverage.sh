#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the selftests proved on a kernel, against that kernel's interface.
#
# The interface comes from the kernel's BTF, not from a list kept by hand:
# the callbacks and fields of struct sched_ext_ops, the public SCX_OPS_*
# flags, the exit kinds a scheduler can see (all but NONE and DONE) and
# the scx_bpf_* and bpf_iter_scx_* kfuncs (without the *_impl and ___vN
# entries that stand behind one kfunc).  The proofs are the "# proven ITEM
# TESTS" lines the runner prints after a run: only SCX_PROVE*() assertions
# of passed tests make them.  Items the verifier alone can show are counted
# apart.  An unproven item is listed with its reason from REASONS, a file of
# "ITEM reason..." lines, or as having no test.
#
# Usage: coverage.sh BTF PROVEN [REASONS] > report.md
#   BTF     the kernel's vmlinux, or /sys/kernel/btf/vmlinux
#   PROVEN  the runner's output (or just its "# proven" lines)
# Environment: BPFTOOL, the bpftool to read BTF with.
set -euo pipefail

btf=${1:?usage: coverage.sh BTF PROVEN [REASONS]}
proven_file=${2:?usage: coverage.sh BTF PROVEN [REASONS]}
reasons_file=${3:-/dev/null}
bpftool=${BPFTOOL:-bpftool}

[ -r "$btf" ] || { echo "coverage.sh: cannot read BTF '$btf'" >&2; exit 1; }
[ -r "$proven_file" ] ||
	{ echo "coverage.sh: no proofs in '$proven_file': run the selftests first (make test)" >&2; exit 1; }
c=$("$bpftool" btf dump file "$btf" format c) ||
	{ echo "coverage.sh: $bpftool cannot read the BTF of '$btf'" >&2; exit 1; }
raw=$("$bpftool" btf dump file "$btf")
grep -q '^struct sched_ext_ops {' <<<"$c" ||
	{ echo "coverage.sh: '$btf' has no sched_ext" >&2; exit 1; }

ops_struct=$(awk '/^struct sched_ext_ops \{/,/^\};/' <<<"$c")
callbacks=$(grep -o '(\*[a-z_0-9]*)' <<<"$ops_struct" | tr -d '()*')
# A pointer that is not a callback (7.3's priv) is the kernel's own.
fields=$(grep -v '(\|^struct\|^}\|\*' <<<"$ops_struct" |
	 sed -n 's/.*[ *]\([a-z_0-9]*\)\(\[.*\]\)\{0,1\};.*/\1/p')
# Flags above bit 55 are the kernel's own (__SCX_OPS_INTERNAL_MASK).
flags=$(awk '/^enum scx_ops_flags \{/,/^\};/' <<<"$c" |
	sed -n 's/^\tSCX_OPS_\([A-Z_]*\) = \([0-9]*\)\(ULL\)\{0,1\},/\1 \2/p' |
	awk '$1 != "ALL_FLAGS" && $2 < 2^56 { print $1 }')
exits=$(awk '/^enum scx_exit_kind \{/,/^\};/' <<<"$c" |
	sed -n 's/^\tSCX_EXIT_\([A-Z_]*\) = .*/\1/p' | grep -vx 'NONE\|DONE')
kfuncs=$(sed -n "s/^\[[0-9]*\] FUNC '\(scx_bpf_[a-z_0-9]*\|bpf_iter_scx_[a-z_0-9]*\)'.*/\1/p" <<<"$raw" |
	 grep -v '_impl$' | sed 's/___v[0-9]*$//' | sort -u)

proofs=$(tr -d '\r' <"$proven_file" | sed -n 's/^# proven //p')
kernel=$(tr -d '\r' <"$proven_file" | sed -n 's/^# kernel \([^ ]*\) .*/\1/p' | head -n 1)

# The tests that proved ITEM, or nothing.
proved_by() {
	awk -v item="$1" '$1 == item { print $2; exit }' <<<"$proofs"
}

reason() {
	local r

	r=$(awk -v item="$1" '$1 == item { $1 = ""; sub(/^ /, ""); print; exit }' \
		"$reasons_file")
	echo "${r:-no test proves it yet}"
}

total=0
total_proven=0
total_verifier=0
summary=""
details=""
unproven=""
for kind in callbacks fields flags exits kfuncs; do
	case $kind in
	callbacks) prefix=ops title=callback names=$callbacks ;;
	fields) prefix=field title=field names=$fields ;;
	flags) prefix=flag title=flag names=$flags ;;
	exits) prefix=exit title='exit kind' names=$exits ;;
	kfuncs) prefix=kfunc title=kfunc names=$kfuncs ;;
	esac
	n=0
	np=0
	nv=0
	details+=$'\n'"| $title | proven by |"$'\n'"| --- | --- |"$'\n'
	# A newline-separated list of identifiers: split it on purpose.
	# shellcheck disable=SC2086
	for name in $names; do
		item=$prefix:$name
		n=$((n + 1))
		by=$(proved_by "$item")
		vby=$(proved_by "verifier:$item")
		if [ -n "$by" ]; then
			np=$((np + 1))
			details+="| $name | ${by//,/, }${vby:+; verifier: ${vby//,/, }} |"$'\n'
			continue
		fi
		by=$vby
		if [ -n "$by" ]; then
			nv=$((nv + 1))
			details+="| $name | verifier only: ${by//,/, } |"$'\n'
			continue
		fi
		details+="| $name | **not proven** |"$'\n'
		unproven+="| $item | $(reason "$item") |"$'\n'
	done
	summary+="| ${title}s | $np | $nv | $((n - np - nv)) | $n |"$'\n'
	total=$((total + n))
	total_proven=$((total_proven + np))
	total_verifier=$((total_verifier + nv))
done

echo "# Selftest coverage on ${kernel:-an unknown kernel}"
echo
echo "What the SCX_PROVE*() assertions of passed selftests proved, against"
echo "the interface in this kernel's BTF. Written by \"make coverage\" from"
echo "the last \"make test\"; do not edit."
echo
echo "| kind | proven | verifier only | not proven | in the kernel |"
echo "| --- | --- | --- | --- | --- |"
printf '%s' "$summary"
echo "| all | $total_proven | $total_verifier | $((total - total_proven - total_verifier)) | $total |"
if [ -n "$unproven" ]; then
	echo
	echo "## Not proven"
	echo
	echo "| item | why |"
	echo "| --- | --- |"
	printf '%s' "$unproven"
fi
echo
echo "## Proven"
printf '%s' "$details"
