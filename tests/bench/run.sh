#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot the test VM once (2 vCPUs) and run tests/bench/guest.sh
# in it over the fair class and each scheduler, then write the report,
# the CSV and the chart with tests/bench/report.sh.
#
#   tests/bench/run.sh     (configured by the environment, as make passes it)
#
#   BIN        our schedulers (build[/KVER]/bin)
#   OUT        where the results go (build[/KVER]/bench)
#   SCHEDS     schedulers to run (default: every scx_* in BIN)
#   ROUNDS     rounds (3)
#   WORKLOADS  some of: hackbench pipe latency nice cgroup (default: all)
#   SCALE      workload length factor (1)
#   PEER=1     also run the kernel tree's own schedulers of the same names
#   CPUS       vCPUs (2)
#   NOHZ=0     boot without nohz_full on the CPUs other than 0
#   VM_ARGS    more options for vm/run.sh
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
kver=${KVER:-6.12}
kdir=
[ "$kver" = 6.12 ] || kdir=/$kver
BIN=${BIN:-$root/build$kdir/bin}
OUT=${OUT:-$root/build$kdir/bench}
ROUNDS=${ROUNDS:-3}
CPUS=${CPUS:-2}
SCALE=${SCALE:-1}
WORKLOADS=${WORKLOADS:-hackbench pipe latency nice cgroup}
KSRC=${KSRC:-${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples/linux-source-$kver}
export KSRC KVER=$kver

die() { echo "bench: $*" >&2; exit 2; }

case $ROUNDS in '' | *[!0-9]* | 0) die "ROUNDS=$ROUNDS is not a positive number" ;; esac
case $CPUS in '' | *[!0-9]* | 0) die "CPUS=$CPUS is not a positive number" ;; esac
awk -v s="$SCALE" 'BEGIN { exit !(s ~ /^[0-9]*\.?[0-9]+$/ && s > 0) }' ||
	die "SCALE=$SCALE is not a positive number"
for w in $WORKLOADS; do
	case $w in hackbench | pipe | latency | nice | cgroup) ;;
	*) die "unknown workload '$w' in WORKLOADS (hackbench pipe latency nice cgroup)" ;;
	esac
done
[ -n "${WORKLOADS// /}" ] || die "WORKLOADS is empty"

if [ -z "${SCHEDS:-}" ]; then
	SCHEDS=
	for p in "$BIN"/scx_*; do
		[ -x "$p" ] && SCHEDS="$SCHEDS ${p##*/}"
	done
	[ -n "$SCHEDS" ] || die "no scx_* built in $BIN: run make first"
fi
args=()
for s in $SCHEDS; do
	[ -x "$BIN/$s" ] || die "$s is not built in $BIN (SCHEDS=$SCHEDS)"
	args+=("$s=$BIN/$s")
done

if [ "${PEER:-0}" = 1 ]; then
	# shellcheck source=tests/lib/tree.sh
	. "$root/tests/lib/tree.sh"
	tree=$SCRATCH/own
	kernel=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples/kernel-$kver
	clang=clang
	command -v clang-19 >/dev/null && clang="clang-19"
	make_tree "$tree" || exit 1
	echo "bench: building the tree's own tools/sched_ext in $tree"
	KBUILD_OUTPUT=$kernel make -C "$tree/tools/sched_ext" -j2 CLANG=$clang \
		>"$tree/bench-build.log" 2>&1 ||
		echo "bench: the tree's examples did not all build (see $tree/bench-build.log)"
	for s in $SCHEDS; do
		p=$tree/tools/sched_ext/build/bin/$s
		if [ -x "$p" ]; then
			args+=("$s@tree=$p")
		else
			echo "bench: the tree has no $s built; no peer for it"
		fi
	done
elif [ "${PEER:-0}" != 0 ]; then
	die "PEER=$PEER: use PEER=1 or leave it unset"
fi

nohz=()
if [ "${NOHZ:-1}" = 1 ] && [ "$CPUS" -gt 1 ]; then
	nohz=(-a "nohz_full=1")
	[ "$CPUS" -eq 2 ] || nohz=(-a "nohz_full=1-$((CPUS - 1))")
fi
# A generous timeout: a minute per run.
nrun=$((ROUNDS * (${#args[@]} + 1) * $(wc -w <<<"$WORKLOADS")))
timeout=$((600 + 60 * nrun))

mkdir -p "$OUT" || exit 1
console=$OUT/console.log
start=$SECONDS
echo "bench: KVER=$kver, $CPUS vCPUs, ROUNDS=$ROUNDS, schedulers: ${args[*]%%=*}"
# shellcheck disable=SC2086 # VM_ARGS is a list of options
(cd "$root" && "$root"/vm/run.sh -c "$CPUS" -t "$timeout" "${nohz[@]}" ${VM_ARGS:-} -- \
	env ROUNDS="$ROUNDS" WORKLOADS="$WORKLOADS" SCALE="$SCALE" \
	"$root"/tests/bench/guest.sh "${args[@]}") 2>&1 | tee "$console" |
	grep --line-buffered -v '^bench-raw:'
status=${PIPESTATUS[0]}
tr -d '\r' <"$console" | sed -n 's/^.*bench-raw: //p' >"$OUT/raw.txt"
[ -s "$OUT/raw.txt" ] || { echo "bench: no results (VM status $status)"; exit 1; }

{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "kver=$kver"
	echo "cpus=$CPUS"
	echo "rounds=$ROUNDS"
	echo "workloads=$WORKLOADS"
	echo "scale=$SCALE"
	echo "nohz=${nohz[*]:1}"
	echo "accel=$(grep -ao 'KVM\|TCG\|tcg' "$console" | head -n 1)"
	echo "host_load=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "minutes=$(((SECONDS - start + 30) / 60))"
} >"$OUT/meta.txt"
"$root"/tests/bench/report.sh "$OUT" || exit 1
echo "bench: $OUT/report.md, $OUT/bench.csv, $OUT/bench.svg ($(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s)"
[ "$status" -eq 0 ] || echo "bench: the VM run failed (status $status); the report holds what was measured"
exit "$status"
