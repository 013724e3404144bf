#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make check-docs": run every command of DEVELOPER_GUIDE.md, so that the
# guide cannot rot.  A checked command is a fenced block holding one
#   make vm CMD='...'
# right after a comment line
#   <!-- check: EXTENDED-REGEX -->
# Each one passes if it exits 0 and its output matches the regex.  They all
# run in one VM boot (what "make vm" would do for each, without a boot per
# command), in the repo directory, in the order of the guide.
#
# Usage: tests/check-docs.sh [-l] [GUIDE]   (-l: list the commands only)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
list=0
if [ "${1:-}" = -l ]; then
	list=1
	shift
fi
guide=${1:-$root/DEVELOPER_GUIDE.md}

# Inside the VM: $1 is the directory with cmd.N and re.N files.
if [ "${1:-}" = --in-vm ]; then
	dir=$2
	pass=0
	failed=0
	cd "$root" || exit 1
	for c in "$dir"/cmd.*; do
		n=${c##*.}
		re=$(cat "$dir/re.$n")
		out=$(mktemp)
		echo "# [$n] $(head -c 150 "$c" | tr '\n' ' ')"
		timeout -k 5 180 bash "$c" </dev/null >"$out" 2>&1
		rc=$?
		sed 's/^/#     /' "$out"
		if [ "$rc" -ne 0 ]; then
			echo "not ok $n # exit status $rc"
			failed=$((failed + 1))
		elif ! grep -Eq -- "$re" "$out"; then
			echo "not ok $n # output does not match /$re/"
			failed=$((failed + 1))
		else
			echo "ok $n"
			pass=$((pass + 1))
		fi
		rm -f "$out"
	done
	echo "check-docs: $pass passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi

[ -f "$guide" ] || { echo "check-docs: no $guide" >&2; exit 1; }
# The VM reads the commands from the build directory; a listing must not
# disturb a run in progress.
if [ "$list" -eq 1 ]; then
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
else
	dir=$root/build/check-docs
	rm -rf "$dir"
	mkdir -p "$dir"
fi

# Pull out (regex, command) pairs.
awk -v dir="$dir" '
	/^<!-- check: .* -->$/ {
		re = $0
		sub(/^<!-- check: /, "", re)
		sub(/ -->$/, "", re)
		want = 1
		next
	}
	want == 1 && /^```/ { want = 2; cmd = ""; next }
	want == 2 && /^```/ {
		if (cmd !~ /^make vm CMD=\047/ || cmd !~ /\047$/) {
			print "check-docs: not a make vm CMD=\047...\047 block: " cmd > "/dev/stderr"
			bad = 1
		}
		sub(/^make vm CMD=\047/, "", cmd)
		sub(/\047$/, "", cmd)
		n++
		f = sprintf("%s/cmd.%02d", dir, n)
		print cmd > f
		close(f)
		f = sprintf("%s/re.%02d", dir, n)
		print re > f
		close(f)
		want = 0
		next
	}
	want == 2 { cmd = cmd (cmd == "" ? "" : "\n") $0 }
	END { if (!n) { print "check-docs: no checked commands" > "/dev/stderr"; bad = 1 }
	      exit bad }' "$guide" || exit 1

if [ "$list" -eq 1 ]; then
	for c in "$dir"/cmd.*; do
		printf '[%s] /%s/\n  %s\n' "${c##*.}" "$(cat "$dir/re.${c##*.}")" "$(cat "$c")"
	done
	exit 0
fi

make -s -C "$root" >/dev/null || exit 1
"$root/tests/veristat.sh" --build || exit 1
"$root/vm/run.sh" -c 4 -t 1200 -- "$root/tests/check-docs.sh" --in-vm "$dir"
