#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM: the robustness matrix's cells (tests/matrix/cell.sh) for
# every scheduler built in $BIN and every case given, then a table with a
# row per scheduler and a column per case.  A scheduler joins by being
# built.
#
#   tests/matrix/guest.sh [-t TOPOLOGY] CASE...
#   tests/matrix/guest.sh -l CASE...
#
# SOAK, RELOADS and CYCLES size the cases (see cell.sh), SCHEDS="scx_a
# scx_b" picks schedulers; TOPOLOGY only labels the table.  A cell is ok,
# FAIL, or "refused" where SCHED_MAY_REFUSE lets a scheduler refuse the
# topology (see cell.sh).  Exits 1 if any cell failed.  -l prints how long
# the cells of one scheduler may take, in seconds, for the VM's limit.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"

# cell_limit CASE: the most a cell may take under TCG at the sizes given:
# twice the slowest seen (README), where loading under the load takes up
# to 45 s, and a hotplug cycle or a restart as long.
cell_limit() {
	case $1 in
	soak) echo $((${SOAK:-60} + 180)) ;;
	reload) echo $((120 + ${RELOADS:-50} * 100)) ;;
	hotplug) echo $((300 + ${CYCLES:-20} * 120)) ;;
	plugin) echo 1400 ;;
	*) echo 300 ;;
	esac
}

if [ "${1:-}" = -l ]; then
	shift
	sum=0
	for c in "$@"; do
		sum=$((sum + $(cell_limit "$c")))
	done
	echo "$sum"
	exit 0
fi

topology="$(nproc) CPUs"
[ "${1:-}" != -t ] || { topology=$2; shift 2; }
[ $# -gt 0 ] || { echo "usage: tests/matrix/guest.sh [-t TOPOLOGY] CASE..." >&2; exit 2; }
export SCHED_QUIET=1 BIN KVER SCHED_MAY_REFUSE

declare -A cell
scheds=()
nr_fail=0
nr_refused=0
for s in "$root"/scx_*.bpf.c; do
	s=$(basename "$s" .bpf.c)
	[[ " ${SCHEDS:-$s} " == *" $s "* ]] || continue
	scheds+=("$s")
	for c in "$@"; do
		start=$SECONDS
		echo "matrix: $s $c ($topology, ${KVER:-6.12})"
		# Not from the console: timeout puts the cell in a group of its
		# own, which the terminal would stop (SIGTTIN) if it read it.
		timeout -k 5 "$(cell_limit "$c")" "$root/tests/matrix/cell.sh" "$c" "$BIN/$s" \
			</dev/null 2>&1 |
			sed -u "s/^/  /"
		status=${PIPESTATUS[0]}
		# What a cell killed by the timeout left behind.
		pkill -KILL -x stress-ng
		pkill -KILL -f tests/matrix/cell.sh
		if [ "$status" -eq 0 ]; then
			cell[$s.$c]="ok $((SECONDS - start))s"
		elif [ "$status" -eq 3 ]; then
			cell[$s.$c]="refused $((SECONDS - start))s"
			nr_refused=$((nr_refused + 1))
		else
			cell[$s.$c]="FAIL $((SECONDS - start))s"
			nr_fail=$((nr_fail + 1))
		fi
		echo "matrix: $s $c: ${cell[$s.$c]}"
	done
done

echo
echo "matrix on ${KVER:-6.12}, $topology:"
printf '| scheduler |'
printf ' %s |' "$@"
printf '\n|---|'
printf -- '---|%.0s' "$@"
echo
for s in "${scheds[@]}"; do
	printf '| %s |' "$s"
	for c in "$@"; do
		printf ' %s |' "${cell[$s.$c]}"
	done
	echo
done
echo "matrix: $nr_fail failed cells, $nr_refused refused"
[ "$nr_fail" -eq 0 ]
