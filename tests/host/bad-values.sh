#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every option of every loader that takes a number, fed the values people
# get wrong: empty, not a number, a number with junk after it, negative,
# zero, one past each end of its range, and 2^63.  Each gets exit 1 and
# one line on stderr that names the option and its range, within 5 s, and
# no crash; so does a value inside the range that the loader refuses for
# a reason of its own (-d 0, -r 3).  The options come from each loader's -h ("-X NAME" lines), and
# the range from its answer to "-X x" ("-X wants ... from MIN to MAX"), so
# a new loader or option is checked without a list to edit; the ends
# themselves must then be accepted.  BIN= points at other loaders (host/
# sanitize runs this with the AddressSanitizer build).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/assert.sh
. "$root/tests/lib/assert.sh"
bin=${BIN:-$root/build/bin}
nr_checked=0

# run LOADER ARG...: its stderr in $err, its exit status in $status.
run() {
	err=$(timeout 5 "$@" 2>&1 >/dev/null)
	status=$?
}

# rejects S OPT VALUE MIN MAX: "S -OPT VALUE" fails as it should.
rejects() {
	local s=$1 opt=$2 value=$3 min=$4 max=$5 what="$1 -$2 '$3'"

	nr_checked=$((nr_checked + 1))
	run "$bin/$s" "-$opt" "$value"
	case $status in
	1) ;;
	124) fail "$what: no answer within 5 s"; return ;;
	*) fail "$what: exit $status, expected 1: $err"; return ;;
	esac
	[ "$(wc -l <<<"$err")" -eq 1 ] || fail "$what: more than one line: $err"
	grep -q -- "-$opt .*$min to $max" <<<"$err" ||
		fail "$what: the line does not name -$opt and $min to $max: $err"
	grep -qE 'Sanitizer|runtime error:' <<<"$err" && fail "$what: a sanitizer report: $err"
}

# either S OPT VALUE MIN MAX: a value inside the range may be refused for
# a reason of its own (-d 0, -r 3), but the line still says what is valid.
either() {
	local s=$1 opt=$2 value=$3 min=$4 max=$5

	run "$bin/$s" "-$opt" "$value"
	[ "$status" -ne 124 ] || { fail "$s -$opt $value: no answer within 5 s"; return; }
	grep -q -- "-$opt " <<<"$err" || return 0
	nr_checked=$((nr_checked + 1))
	grep -qE -- "-$opt .*from -?[0-9]+ to [0-9]+" <<<"$err" ||
		fail "$s -$opt '$value' is refused without naming a range: $err"
}

# accepts S OPT VALUE: the option parser takes VALUE; what follows may
# still fail (no sched_ext here), but not on -OPT.
accepts() {
	local s=$1 opt=$2 value=$3

	run "$bin/$s" "-$opt" "$value"
	[ "$status" -ne 124 ] || { fail "$s -$opt $value: no answer within 5 s"; return; }
	if grep -q -- "-$opt " <<<"$err"; then
		fail "$s -$opt $value, an end of its range, is refused: $err"
	fi
}

for path in "$bin"/scx_*; do
	s=${path##*/}
	opts=$("$path" -h | sed -n 's/^ \{2,\}-\([A-Za-z]\) [A-Z_]\{1,\} .*/\1/p' | tr -d '\n')
	[ -n "$opts" ] || fail "$s -h lists no option with a value (it has at least -i)"
	for ((k = 0; k < ${#opts}; k++)); do
		o=${opts:k:1}
		run "$path" "-$o" x
		range=$(sed -n "s/^.*-$o wants .*from \\(-\\{0,1\\}[0-9]\\{1,\\}\\) to \\([0-9]\\{1,\\}\\).*/\\1 \\2/p" <<<"$err")
		if [ -z "$range" ]; then
			fail "$s -$o x: no 'from MIN to MAX' in: $err"
			continue
		fi
		read -r min max <<<"$range"
		for v in '' x 5x 0x 1.5 "$((min - 1))" "$((max + 1))" 9223372036854775808 \
			-9223372036854775809; do
			rejects "$s" "$o" "$v" "$min" "$max"
		done
		[ "$min" -gt 0 ] && rejects "$s" "$o" 0 "$min" "$max"
		[ "$min" -ge 0 ] && rejects "$s" "$o" -1 "$min" "$max"
		for v in 0 3; do
			[ "$v" -ge "$min" ] && [ "$v" -le "$max" ] && either "$s" "$o" "$v" "$min" "$max"
		done
		accepts "$s" "$o" "$min"
		accepts "$s" "$o" "$max"
	done
done
echo "$nr_checked bad values refused"
[ "$nr_checked" -gt 0 ] || fail "no option was checked"
finish
