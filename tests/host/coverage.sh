#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make coverage" counts what the selftests proved against the interface of
# the kernel in KVER's BTF.  Fed a made-up run, it must find that kernel's
# whole interface (6.12: 33 callbacks, 6 fields, 7 exit kinds, 38 kfuncs;
# 7.3: 40, 10, 11 and 72), count a proven item and a verifier-only one
# apart, give an unproven item its reason, and refuse to run without
# proofs.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"

kver=${KVER:-6.12}
case $kver in
6.12) want='33 6 7 38' sub= ;;
7.3) want='40 10 11 72' sub=/7.3 ;;
*) skip "no figures known for KVER=$kver" ;;
esac
btf=${VMLINUX_BTF:-${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples/kernel-$kver/vmlinux}
bpftool=$root/build$sub/obj/bpftool/bpftool
[ -r "$btf" ] || fail "no BTF at $btf: build the $kver test kernel (make kernel KVER=$kver)"
[ -x "$bpftool" ] || fail "no bpftool at $bpftool: run make KVER=$kver"

tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
printf '# kernel %s #1\n# proven ops:enqueue enqueue_dequeue,lifecycle\n# proven verifier:kfunc:scx_bpf_create_dsq verifier_sleep\n' \
	"$kver" >"$tmp/proven"
printf 'ops:cpu_online the VM cannot hotplug\n' >"$tmp/reasons"
out=$(BPFTOOL=$bpftool "$root/selftests/coverage.sh" "$btf" "$tmp/proven" \
	"$tmp/reasons") || fail "coverage.sh failed: $out"
echo "$out" | sed -n '/^| kind /,/^| all /p'

# Column 6 is "in the kernel", of the rows callbacks, fields, exit kinds, kfuncs.
got=$(awk -F' *[|] *' '$2 ~ /^(callbacks|fields|exit kinds|kfuncs)$/ { printf "%s%s", sep, $6; sep = " " }' <<<"$out")
[ "$got" = "$want" ] ||
	fail "the $kver interface read from BTF is '$got' (callbacks fields exits kfuncs), not '$want'"
grep -q '^| callbacks | 1 | 0 | ' <<<"$out" || fail "ops:enqueue was not counted as proven"
grep -q '^| kfuncs | 0 | 1 | ' <<<"$out" || fail "the verifier-only kfunc was not counted apart"
grep -q '^| enqueue | enqueue_dequeue, lifecycle |$' <<<"$out" ||
	fail "the proof of ops:enqueue does not name its tests"
grep -q '^| ops:cpu_online | the VM cannot hotplug |$' <<<"$out" ||
	fail "an unproven item lost its reason"
grep -q '^| ops:dispatch | no test proves it yet |$' <<<"$out" ||
	fail "an unproven item without a reason is not listed"

# Without a run there is nothing to count: say so, and fail.
msg=$(BPFTOOL=$bpftool "$root/selftests/coverage.sh" "$btf" "$tmp/none" 2>&1) &&
	fail "coverage.sh succeeded without proofs"
if [ "$(wc -l <<<"$msg")" -ne 1 ] || [[ $msg != *'run the selftests first'* ]]; then
	fail "no proofs gave '$msg', not one line saying how to fix it"
fi
finish
