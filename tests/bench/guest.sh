#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the bench VM (started by tests/bench/run.sh): run every workload
# under the fair class and under each scheduler, in alternating rounds
# (fair, sched1, sched2, ..., fair, sched1, ...), and print each measured
# value as one line
#
#   bench-raw: LABEL WORKLOAD METRIC ROUND VALUE
#
# for the host to collect; "fair" is the fair class.  A progress line
# "bench: ..." precedes each run.  The guest cannot write to the host's
# tree (it is read-only here), hence the lines.
#
#   tests/bench/guest.sh LABEL=PATH...
#
# Environment: ROUNDS (3), WORKLOADS (all: hackbench pipe latency nice
# cgroup), SCALE (1; 0.2 makes every workload a fifth as long).
set -uo pipefail

# This script runs SCHED_FIFO, above every scheduler measured, so that
# starting, timing and stopping the workloads does not wait behind them;
# each workload and each scheduler's loader runs SCHED_OTHER (as_other).
if [ -z "${BENCH_RT:-}" ]; then
	BENCH_RT=1 exec chrt -f 10 "$0" "$@"
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
test_name=bench

rounds=${ROUNDS:-3}
workloads=${WORKLOADS:-hackbench pipe latency nice cgroup}
scale=${SCALE:-1}
ncpu=$(nproc)
cg=/sys/fs/cgroup/bench
log=$(mktemp)
tmp=$(mktemp -d)
hogs=()

# scaled N: N times SCALE, at least 1.
scaled() {
	awk -v n="$1" -v s="$scale" 'BEGIN { v = int(n * s + 0.5); print (v < 1 ? 1 : v) }'
}

hackbench_loops=$(scaled "${HACKBENCH_LOOPS:-1000}")
pipe_loops=$(scaled "${PIPE_LOOPS:-6000}")
lat_secs=$(scaled 4)
nice_warm=$(scaled 1)
nice_secs=$(scaled 4)
cgroup_secs=$(scaled 10)

# A command word, not a function: a function in the background is a
# subshell, and its PID not the command's.
as_other=(chrt -o 0)

labels=()
paths=()
for a in "$@"; do
	case $a in
	*=/*) labels+=("${a%%=*}") paths+=("${a#*=}") ;;
	*) echo "bench: not LABEL=/PATH: $a" >&2; exit 2 ;;
	esac
done

stop_hogs() {
	[ ${#hogs[@]} -gt 0 ] || return 0
	kill -KILL "${hogs[@]}" 2>/dev/null
	wait "${hogs[@]}" 2>/dev/null
	hogs=()
}

cleanup() {
	stop_hogs
	pkill_bench_children
	rmdir "$cg"/A/A1 "$cg"/A/A2 "$cg"/A "$cg"/B "$cg" 2>/dev/null
	rm -rf "$log" "$tmp"
}

# What the latency workload started, by PID (never by name).
load_pids=()
pkill_bench_children() {
	[ ${#load_pids[@]} -gt 0 ] || return 0
	kill "${load_pids[@]}" 2>/dev/null
	wait "${load_pids[@]}" 2>/dev/null
	load_pids=()
}
at_exit cleanup

raw() { echo "bench-raw: $cur_label $1 $2 $round $3"; }

# Workloads a scheduler runs: cgroup only for the cgroup schedulers and fair.
wants() {
	case " $workloads " in *" $1 "*) ;; *) return 1 ;; esac
	[ "$1" != cgroup ] && return 0
	case $cur_label in fair | scx_flatcg* | scx_pair*) return 0 ;; esac
	return 1
}

# How long each workload has taken so far, for the time-left estimate.
declare -A spent=() count=()
total_runs=0
done_runs=0
started=$SECONDS

# Time left: each workload's runs to go at its mean so far (a minute
# before its first), and as much again per run for loading and stopping
# schedulers as that has taken so far.
progress() {
	local left=0 w avg work=0 over=0

	for w in $workloads; do
		avg=60
		[ "${count[$w]:-0}" -gt 0 ] && avg=$((spent[$w] / count[$w]))
		left=$((left + avg * ${todo[$w]:-0}))
		work=$((work + ${spent[$w]:-0}))
	done
	[ "$done_runs" -gt 0 ] &&
		over=$(((SECONDS - started - work) * (total_runs - done_runs) / done_runs))
	left=$((left + over))
	printf 'bench: [%d/%d] %s %s round %d/%d, %dm%02ds elapsed, ~%dm%02ds left\n' \
		$((done_runs + 1)) "$total_runs" "$cur_label" "$1" "$round" "$rounds" \
		$(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)) \
		$((left / 60)) $((left % 60))
}

hackbench_run() {
	local t

	t=$(cd "$tmp" && "${as_other[@]}" timeout 300 hackbench -g 2 -f 5 -l "$hackbench_loops" |
		awk '/^Time:/ { print $2 }')
	[ -n "$t" ] || { echo "bench: hackbench failed under $cur_label"; return 1; }
	raw hackbench time_s "$t"
}

pipe_run() {
	local ops

	ops=$("${as_other[@]}" timeout 300 perf bench sched pipe -l "$pipe_loops" 2>&1 |
		awk '/ops\/sec/ { print $1 }')
	[ -n "$ops" ] || { echo "bench: perf bench sched pipe failed under $cur_label"; return 1; }
	raw pipe ops_s "$ops"
}

# cyclictest with SCHED_OTHER threads, one per CPU, beside a CPU hog per
# CPU; p50, p99 and max of every sample, which -v prints as "thread:
# cycle: latency".  Not its histogram: enough 1 us buckets for the worst
# schedulers' 200 ms made a 5 s run take 19 s in the VM, writing and
# reading 200000 lines, where the samples are a few thousand.
latency_run() {
	local out

	"${as_other[@]}" stress-ng --temp-path "$tmp" --cpu "$ncpu" --timeout $((lat_secs + 5)) -q &
	load_pids+=($!)
	sleep 1
	"${as_other[@]}" timeout $((lat_secs + 60)) cyclictest --policy=other -t "$ncpu" -i 1000 \
		-D "$lat_secs" -v -q >"$tmp/samples" 2>&1
	pkill_bench_children
	out=$(sed -n 's/^ *[0-9]*: *[0-9]*: *\([0-9]*\)$/\1/p' "$tmp/samples" | sort -n |
		awk '{ v[NR] = $1 } END {
			if (NR == 0) exit 1
			print v[int(0.50 * (NR - 1)) + 1], v[int(0.99 * (NR - 1)) + 1], v[NR]
		}')
	[ -n "$out" ] || { echo "bench: cyclictest failed under $cur_label"; return 1; }
	# shellcheck disable=SC2086 # three numbers
	set -- $out
	raw latency p50_us "$1"
	raw latency p99_us "$2"
	raw latency max_us "$3"
}

# run_ms PID VAR: the time PID has run (/proc/PID/schedstat, in ns, the
# scheduler's own clock) in ms.  Builtins only, so that the window
# measured is the one between the clock readings.  Not utime + stime:
# those are tick samples, scaled, and gave the fair class errors of 2 to
# 127% on the same load.
run_ms() {
	local ns rest

	read -r ns rest <"/proc/$1/schedstat" || return 1
	printf -v "$2" %s $((ns / 1000000))
}

# share_errors "W1 W2 ..." PER "BEFORE..." "AFTER...": the CPU time of
# each group (PER consecutive counters each) against the share its weight
# gives: the worst relative error, then each group's signed one, in %.
share_errors() {
	awk -v w="$1" -v per="$2" -v a="$3" -v b="$4" 'BEGIN {
		ng = split(w, want, " "); n = split(a, x, " "); split(b, y, " ")
		for (g = 1; g <= ng; g++) sum += want[g]
		for (i = 1; i <= n; i++) { g = int((i - 1) / per) + 1; d[g] += y[i] - x[i]; tot += y[i] - x[i] }
		if (tot <= 0) exit 1
		for (g = 1; g <= ng; g++) {
			e[g] = (d[g] / tot) / (want[g] / sum) - 1
			err = e[g] < 0 ? -e[g] : e[g]
			if (err > worst) worst = err
		}
		line = sprintf("%.1f", 100 * worst)
		for (g = 1; g <= ng; g++) line = line sprintf(" %.1f", 100 * e[g])
		print line
	}'
}

loc_noncentral() {
	awk '$1 == "LOC:" { s = 0; for (i = 3; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' /proc/interrupts
}

# As many busy loops as CPUs at each of nice -5, 0 and 5, on all CPUs:
# each level's share of the CPU time against its weight's (3121, 1024,
# 335): the worst relative error in percent, and each level's signed one,
# measured over nice_secs after nice_warm seconds in which the placement
# settles.  One loop per CPU per level lets a balanced placement give
# every CPU the same mix; with fewer, the shares measure where the loops
# land as much as their weights.  Not pinned: several of the schedulers
# send a task that can run on one CPU only straight to that CPU's local
# queue, in FIFO order, so pinned loops would measure that path, not their
# weighting.  The local timer ticks of the CPUs other than 0
# (scx_central's non-central CPUs) per second, too.
nice_run() {
	local n i t0 t1 l0 l1 u0=() u1=() out

	for n in -5 0 5; do
		for ((i = 0; i < ncpu; i++)); do
			"${as_other[@]}" nice -n "$n" bash -c 'while :; do :; done' &
			hogs+=($!)
		done
	done
	sleep "$nice_warm"
	l0=$(loc_noncentral)
	t0=$EPOCHREALTIME
	for i in "${!hogs[@]}"; do run_ms "${hogs[i]}" "u0[$i]"; done
	sleep "$nice_secs"
	for i in "${!hogs[@]}"; do run_ms "${hogs[i]}" "u1[$i]"; done
	t1=$EPOCHREALTIME
	l1=$(loc_noncentral)
	stop_hogs
	out=$(share_errors "3121 1024 335" "$ncpu" "${u0[*]}" "${u1[*]}")
	[ -n "$out" ] || { echo "bench: no CPU time measured under $cur_label"; return 1; }
	# shellcheck disable=SC2086 # four numbers
	set -- $out
	raw nice worst_err_pct "$1"
	raw nice err_nice-5_pct "$2"
	raw nice err_nice0_pct "$3"
	raw nice err_nice5_pct "$4"
	[ "$ncpu" -gt 1 ] && raw nice ticks_per_s \
		"$(awk -v d=$((l1 - l0)) -v t0="$t0" -v t1="$t1" -v n=$((ncpu - 1)) \
			'BEGIN { printf "%.1f\n", d / n / (t1 - t0) }')"
}

procs_in() { [ "$(wc -l <"$cg/$1/cgroup.procs")" -eq "$ncpu" ]; }

usage_of() {
	local k v

	while read -r k v; do
		[ "$k" = usage_usec ] && printf -v "$2" %s "$v" && return
	done <"$cg/$1/cpu.stat"
}

# The hierarchy A(100){A1 100, A2 300}, B(200): expected shares 1/12, 3/12,
# 8/12, with a busy loop per CPU in each leaf, so that a balanced placement
# gives every CPU the same mix; the worst relative error in percent, and
# each leaf's signed one.
cgroup_run() {
	local l i u0=() u1=() leaves=(A/A1 A/A2 B) out

	echo +cpu >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	mkdir -p "$cg/A/A1" "$cg/A/A2" "$cg/B" 2>/dev/null
	echo +cpu >"$cg/cgroup.subtree_control" 2>/dev/null
	echo +cpu >"$cg/A/cgroup.subtree_control" 2>/dev/null
	if ! { echo 100 >"$cg/A/cpu.weight" && echo 100 >"$cg/A/A1/cpu.weight" &&
		echo 300 >"$cg/A/A2/cpu.weight" && echo 200 >"$cg/B/cpu.weight"; }; then
		echo "bench: cannot build the cgroup hierarchy under $cg"
		return 1
	fi
	for l in "${leaves[@]}"; do
		for ((i = 0; i < ncpu; i++)); do
			"${as_other[@]}" bash -c "echo \$\$ >$cg/$l/cgroup.procs && exec bash -c 'while :; do :; done'" &
			hogs+=($!)
		done
	done
	for l in "${leaves[@]}"; do
		wait_for 30 procs_in "$l" ||
			{ echo "bench: the hogs did not all reach $l"; stop_hogs; return 1; }
	done
	sleep 1
	for i in 0 1 2; do usage_of "${leaves[i]}" "u0[$i]"; done
	sleep "$cgroup_secs"
	for i in 0 1 2; do usage_of "${leaves[i]}" "u1[$i]"; done
	stop_hogs
	out=$(share_errors "1 3 8" 1 "${u0[*]}" "${u1[*]}")
	[ -n "$out" ] || { echo "bench: no cgroup CPU time measured under $cur_label"; return 1; }
	# shellcheck disable=SC2086 # four numbers
	set -- $out
	raw cgroup worst_err_pct "$1"
	raw cgroup err_A1_pct "$2"
	raw cgroup err_A2_pct "$3"
	raw cgroup err_B_pct "$4"
}

ctxt() { awk '$1 == "ctxt" { print $2 }' /proc/stat; }

# Fresh stats from the scheduler, if it prints KEY: our loaders print a
# line a second.
stats_now() {
	grep -aq "\b$1=" "$SCHED_LOG" || return 0
	sleep 1.2
	sched_stat "$1"
}

declare -A todo=()
for cur_label in fair "${labels[@]}"; do
	for w in $workloads; do
		wants "$w" || continue
		todo[$w]=$((${todo[$w]:-0} + rounds))
		total_runs=$((total_runs + rounds))
	done
done

echo "bench: $ncpu CPUs, $rounds rounds, workloads: $workloads (scale $scale)"
echo "bench: hackbench -g 2 -f 5 -l $hackbench_loops; perf bench sched pipe -l $pipe_loops;" \
	"cyclictest ${lat_secs}s; nice ${nice_warm}+${nice_secs}s; cgroup ${cgroup_secs}s"
status=0
for ((round = 1; round <= rounds; round++)); do
	for ((s = 0; s <= ${#labels[@]}; s++)); do
		if [ "$s" -eq 0 ]; then
			cur_label=fair
		else
			cur_label=${labels[s - 1]}
			if ! sched_start "$log" "${as_other[@]}" "${paths[s - 1]}" >/dev/null; then
				echo "bench: $cur_label did not start; its log:"
				tail -n 5 "$log"
				status=1
				for w in $workloads; do
					wants "$w" && todo[$w]=$((todo[$w] - 1)) &&
						done_runs=$((done_runs + 1))
				done
				continue
			fi
			sys0=$(stats_now bpf_syscalls)
			mis0=$(sched_stat mismatch)
			ctx0=$(ctxt)
		fi
		for w in $workloads; do
			wants "$w" || continue
			progress "$w"
			t=$SECONDS
			"${w}_run" || status=1
			spent[$w]=$((${spent[$w]:-0} + SECONDS - t))
			count[$w]=$((${count[$w]:-0} + 1))
			todo[$w]=$((todo[$w] - 1))
			done_runs=$((done_runs + 1))
		done
		[ "$s" -eq 0 ] && continue
		sys1=$(stats_now bpf_syscalls)
		mis1=$(stats_now mismatch)
		ctx1=$(ctxt)
		# No stats line yet at the start: count from the load (0).
		[ -n "$sys1" ] && sys0=${sys0:-0}
		if [ -n "$sys0" ] && [ -n "$sys1" ] && [ "$ctx1" -gt "$ctx0" ]; then
			raw sched bpf_per_ctxsw "$(awk -v a=$((sys1 - sys0)) -v c=$((ctx1 - ctx0)) \
				'BEGIN { printf "%.5f\n", a / c }')"
		fi
		[ -n "$mis0" ] && [ -n "$mis1" ] && raw sched mismatch $((mis1 - mis0))
		if ! state_is enabled; then
			echo "bench: $cur_label was no longer enabled after its workloads"
			status=1
		fi
		sched_stop INT >/dev/null
		st=$?
		[ "$st" -eq 0 ] || { echo "bench: $cur_label exited with status $st"; status=1; }
		grep -a 'EXIT:' "$log" | grep -qv 'unregistered from user space' &&
			echo "bench: $cur_label: $(grep -a 'EXIT:' "$log" | head -n 1)"
	done
done
echo "bench: done in $((SECONDS - started)) s"
exit "$status"
