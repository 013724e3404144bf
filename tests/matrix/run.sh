#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make matrix": the robustness matrix on the test kernel KVER (6.12 or
# 7.3), every scheduler built in BIN through every case, one VM boot per
# topology:
#   4 CPUs (1 socket, 2 cores, 2 threads): soak, reload, hotplug, stop
#       and sysrq (tests/matrix/cell.sh says what each proves);
#   8 CPUs in 2 NUMA nodes with SMT, and 1 CPU: the soak, SOAK_ODD s;
#   64 possible CPUs of which 4 are up: the soak, then one more CPU
#       brought up under load (plugin).
# Each boot prints its table; the run fails if any cell failed.  On the
# last three a scheduler may refuse the topology with one line and exit 1
# (scx_pair: an odd number of CPUs): the cell reads "refused".
#
# Sizes: SOAK (60), SOAK_ODD (20), RELOADS (50), CYCLES (20).  CASES
# limits the 4-CPU boot's cases, TOPOLOGIES the boots (std, numa, one,
# sparse) and SCHEDS the schedulers, e.g. for a quicker look:
# make matrix RELOADS=5 TOPOLOGIES=std SCHEDS=scx_qmap.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
KVER=${KVER:-6.12}
kver_dir=
[ "$KVER" = 6.12 ] || kver_dir=/$KVER
BIN=${BIN:-$root/build$kver_dir/bin}
SOAK=${SOAK:-60}
SOAK_ODD=${SOAK_ODD:-20}
RELOADS=${RELOADS:-50}
CYCLES=${CYCLES:-20}
CASES=${CASES:-soak reload hotplug stop sysrq}
TOPOLOGIES=${TOPOLOGIES:-std numa one sparse}
export KVER

for s in "$root"/scx_*.bpf.c; do
	s=$(basename "$s" .bpf.c)
	[ -x "$BIN/$s" ] || { echo "matrix: $BIN/$s is not built: run make first" >&2; exit 1; }
done

nsched=0
for s in "$root"/scx_*.bpf.c; do
	s=$(basename "$s" .bpf.c)
	[[ " ${SCHEDS:-$s} " == *" $s "* ]] && nsched=$((nsched + 1))
done

# boot LABEL VM-OPTIONS... -- CASE...: one VM, the guest's table.  The VM
# may take what every cell may take (guest.sh -l), and 5 minutes more.
status=0
boot() {
	local label=$1 limit opts=() start=$SECONDS

	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	limit=$(SOAK=$SOAK RELOADS=$RELOADS CYCLES=$CYCLES \
		"$root/tests/matrix/guest.sh" -l "$@")
	limit=$((nsched * limit + 300))
	echo "# matrix: $label on $KVER: $*"
	# shellcheck disable=SC2086 # the cases are words
	"$root/vm/run.sh" "${opts[@]}" -m 2G -t "$limit" -- env BIN="$BIN" \
		KVER="$KVER" SOAK="$SOAK" RELOADS="$RELOADS" CYCLES="$CYCLES" \
		SCHEDS="${SCHEDS:-}" SCHED_MAY_REFUSE="${SCHED_MAY_REFUSE:-}" \
		"$root/tests/matrix/guest.sh" -t "$label" "$@" || status=1
	echo "# matrix: $label on $KVER: $((SECONDS - start)) s"
}

for t in $TOPOLOGIES; do
	case $t in
	std)
		# shellcheck disable=SC2086
		boot "4 CPUs, SMT" -c 4 -s 1:2:2 -- $CASES
		;;
	numa)
		SCHED_MAY_REFUSE=1 SOAK=$SOAK_ODD boot "8 CPUs, 2 nodes, SMT" -c 8 -s 2:2:2 -n 2 -- soak
		;;
	one)
		SCHED_MAY_REFUSE=1 SOAK=$SOAK_ODD boot "1 CPU" -c 1 -- soak
		;;
	sparse)
		# Under TCG the guest does not see QEMU's absent CPUs as
		# hotpluggable: 64 CPUs with 4 brought up at boot instead.
		SCHED_MAY_REFUSE=1 SOAK=$SOAK_ODD boot "64 possible, 4 up" -c 64 -a maxcpus=4 -- soak plugin
		;;
	*)
		echo "matrix: unknown topology '$t': std, numa, one or sparse" >&2
		exit 1
		;;
	esac
done
exit "$status"
