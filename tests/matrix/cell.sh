#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM: one cell of the robustness matrix, one case run against
# one scheduler.  tests/matrix/guest.sh runs every cell; run one by hand as
#
#   tests/matrix/cell.sh CASE SCHEDULER
#
# CASE is one of:
#   soak     SOAK s (default 60) of stress-ng's cpu, fork, switch, yield,
#            pipe and vm stressors, plus a task pinned to each CPU that
#            wakes every 50 ms.  The scheduler stays enabled, every pinned
#            task keeps running, its stats move, stress-ng finishes, and
#            SIGINT ends it cleanly.
#   reload   RELOADS times (default 50) under load: load, print stats once,
#            SIGINT.  Afterwards no BPF program, map or link is left over,
#            and unreclaimable slab has not grown beyond noise.
#   hotplug  CYCLES (default 20) offline/online cycles of the CPUs other
#            than 0, under load.  A scheduler with ops.cpu_offline() keeps
#            running; one without it is restarted (SCX_ECODE_ACT_RESTART)
#            and is back within 10 s of the last cycle, plus twice what
#            its first load under the same load took (tens of seconds
#            under TCG for some).
#   plugin   the same for a CPU that was not up at boot coming up (boot
#            with more possible CPUs than maxcpus=).
#   stop     SIGSTOP the loader for twice the watchdog timeout, then
#            SIGCONT.  A scheduler whose BPF side takes its decisions from
#            user space (it has a user ring buffer) is ejected for a stall
#            and every task runs on under the fair class; any other keeps
#            every task running.  Either way the loader reports what
#            happened once it runs again.
#   sysrq    SysRq-S under load: the scheduler is disabled, its loader
#            reports "disabled by sysrq-S" and exits 1, and the load
#            finishes.
#
# Exits 0 if the cell held; each broken property is one "FAIL:" line.
# With SCHED_MAY_REFUSE set (the odd topologies), a scheduler may refuse
# one it was not built for, as scx_pair refuses an odd number of CPUs: if
# it exits 1 before sched_ext is enabled, with one line that says why, the
# cell exits 3.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
case=${1:-}
sched=${2:-}
[ -n "$sched" ] || { echo "usage: tests/matrix/cell.sh CASE SCHEDULER" >&2; exit 2; }
# shellcheck source=tests/lib/sched.sh
. "$root/tests/lib/sched.sh"
test_name="$(basename "$sched") $case"
bpftool=${BPFTOOL:-$root/build$KVER_DIR/obj/bpftool/bpftool}
ncpus=$(nproc --all)
online=$(nproc)
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
# The tickers go first: they write into $tmp.
at_exit kill_spawned
log=$tmp/sched.log

# cell_end: the cell is over, early or not.  A loader built with
# SANITIZE=1 reports to its stderr, our log, and may have died of it.
refused=0
cell_end() {
	local san

	san=$(grep -a -E -m 3 'Sanitizer|runtime error:' "$log" 2>/dev/null)
	[ -z "$san" ] || fail "a sanitizer report: $san"
	[ "$refused" -eq 0 ] || [ "$test_failed" -ne 0 ] || exit 3
	finish
}

[ -x "$sched" ] || { fail "$sched is not built (make; build/san: make SANITIZE=1)"; cell_end; }
[ -x "$bpftool" ] || { fail "$bpftool is not built (make)"; cell_end; }
command -v stress-ng >/dev/null || { fail "stress-ng is missing (vm/install-deps.sh)"; cell_end; }

# note WHAT: a step, with the seconds since the cell began.
note() {
	echo "$SECONDS s: $*"
}

# The CPUs online when the cell began come back, whatever a case did to
# them.  Only those: a sparse boot's other CPUs stay down for the plugin
# case after it.
cpus_up=$(grep -l 1 /sys/devices/system/cpu/cpu[1-9]*/online 2>/dev/null)
online_again() {
	local f

	for f in $cpus_up; do
		echo 1 >"$f" 2>/dev/null
	done
}
at_exit online_again

# ticker FILE: a task that wakes every 50 ms and counts its rounds into
# FILE, with builtins only (under a loaded TCG guest every exec costs).  A
# CPU that stops running it stops the count.
ticker() {
	local n=0

	# Not $1.fifo, though pins() reads regular files only.
	mkfifo "$1-fifo" && exec 3<>"$1-fifo"
	while :; do
		read -r -t 0.05 -u 3 _
		n=$((n + 1))
		echo "$n" >"$1"
	done
}

# Every stressor runs, with all its processes: two each for pipe and
# switch, and at least two yield workers per CPU (stress-ng(1)).  Until
# then stress-ng forks busy tasks, and 6.12 can stall a scheduler's exit
# that meets such a burst (README, "Robustness matrix").  Builtins only,
# as in ticker().
stressing() {
	local f comm
	local -A n=()

	for f in /proc/[0-9]*/comm; do
		# A process may be gone by now.
		{ read -r comm <"$f"; } 2>/dev/null || continue
		# The kernel cuts names at 15 characters: stress-ng-switc.
		[[ $comm == stress-ng-* ]] || continue
		comm=${comm#stress-ng-}
		n[$comm]=$((${n[$comm]:-0} + 1))
	done
	[ "${n[cpu]:-0}" -ge 1 ] && [ "${n[fork]:-0}" -ge 1 ] &&
		[ "${n[vm]:-0}" -ge 1 ] && [ "${n[pipe]:-0}" -ge 2 ] &&
		[ "${n[switc]:-0}" -ge 2 ] && [ "${n[yield]:-0}" -gt $((2 * online)) ]
}

# load_start SECONDS: the stress-ng mix for SECONDS s, and a ticker pinned
# to each online CPU, counting into $tmp/pin.CPU.  Returns once stress-ng
# has forked what it runs (stressing): its timeout counts from then, and
# its start may take seconds (or, if a case stalls it, as long as the
# stall).
load_start() {
	local cpu

	# The tickers first: under stress-ng's fork stressor, each exec of
	# taskset takes seconds in a TCG guest.
	for cpu in $(seq 0 $((ncpus - 1))); do
		grep -qs 1 "/sys/devices/system/cpu/cpu$cpu/online" ||
			[ "$cpu" -eq 0 ] || continue
		taskset -c "$cpu" true || continue
		(taskset -p -c "$cpu" "$BASHPID" >/dev/null && ticker "$tmp/pin.$cpu") &
		SPAWNED+=($!)
	done
	# One of each: under TCG, four vCPUs share one host core.  The vm
	# stressor keeps its mapping (--vm-keep): remapping it all the time
	# makes TLB shootdowns, which TCG makes very slow.
	(cd "$tmp" && exec stress-ng --timeout "$1" --cpu 1 --fork 1 --switch 1 \
		--yield 1 --pipe 1 --vm 1 --vm-bytes 25% --vm-keep \
		</dev/null >"$tmp/stress" 2>&1) &
	STRESS_PID=$!
	SPAWNED+=("$STRESS_PID")
	wait_for 90 stressing ||
		fail "stress-ng's stressors did not start within 90 s: $(tail -n 2 "$tmp/stress")"
	STRESS_END=$((SECONDS + $1))
	note "load started"
}

stress_gone() {
	! kill -0 "$STRESS_PID" 2>/dev/null
}

# load_done SECONDS: stress-ng ends within SECONDS s of its own timeout
# (not of this call: a case may get here long before that timeout).
load_done() {
	local p

	note "waiting for stress-ng, due to end at $STRESS_END s"
	if wait_for $((STRESS_END + $1 - SECONDS)) stress_gone; then
		note "stress-ng ended (due at $STRESS_END s)"
		return 0
	fi
	fail "stress-ng did not finish within $1 s of its timeout;" \
		"PID STATE WCHAN of its processes: $(ps -C stress-ng -o pid=,stat=,wchan= | tr -s ' \n' ' ')"
	for p in $(pgrep -x stress-ng); do
		echo "stress-ng $p, in the kernel:"
		head -n 12 "/proc/$p/stack"
	done
	# How late it ends, for the report.
	wait_for 240 stress_gone &&
		note "stress-ng ended (due at $STRESS_END s)"
	tail -n 3 "$tmp/stress"
	return 1
}

# pins: each pinned ticker's count, "CPU:N".
pins() {
	local f n

	for f in "$tmp"/pin.*; do
		[ -f "$f" ] || continue
		n=
		read -r n <"$f"
		echo "${f##*.}:$n"
	done
}

has_pins() {
	[ -n "$(pins)" ]
}

# pins_moved BEFORE: has every pinned ticker counted since BEFORE (pins)?
pins_moved() {
	local p

	for p in $1; do
		grep -qx "$p" <<<"$(pins)" && return 1
	done
	return 0
}

# pins_check WHAT: every pinned ticker counts on, within 20 s.
pins_check() {
	local before

	wait_for 20 has_pins
	before=$(pins)
	wait_for 20 pins_moved "$before" ||
		fail "$1: a task pinned to a CPU stopped running (CPU:count): ${before//$'\n'/ }, then $(pins | tr '\n' ' ')"
}

# The loader's last stats, as its last lines with NAME=NUMBER in them.
stats() {
	grep -a '=[0-9]' "$log" | tail -n 5
}

has_stats() {
	[ -n "$(stats)" ]
}

# Has it printed anything since it started (its stats or a "running" line)?
talked() {
	has_stats || grep -aq running "$log"
}

# The scheduler's struct_ops, read back from the kernel: each member and
# its value; a callback's ends in "NAME/prog_id:ID", or " 0" if not set.
# Ours is the only struct_ops map in the VM.
ops_dump() {
	"$bpftool" struct_ops dump 2>/dev/null
}

# has_op NAME: does the loaded scheduler implement ops.NAME()?
has_op() {
	local dump

	# Not through a pipe: grep -q would cut it short, and pipefail fail it.
	dump=$(ops_dump)
	grep -Eq "\"$1\": .*/prog_id:[0-9]+" <<<"$dump"
}

# The loaded scheduler's watchdog timeout in ms (the kernel's 30 s if 0).
timeout_ms() {
	local t

	t=$(ops_dump | grep -Eo '"?\btimeout_ms"?: *[0-9]+' | grep -Eo '[0-9]+$' | head -n 1)
	[ "${t:-0}" -gt 0 ] || t=30000
	echo "$t"
}

# The maps now, "ID: TYPE name NAME" each, but those the tools make for
# themselves and free later: bpftool's pid_iter.rodata (how it finds each
# object's owner) and libbpf's feature probes (libbpf_det_bind, ...).
maps() {
	"$bpftool" map show | grep -o '^[0-9]*: [a-z_]* *name [^ ]*' |
		grep -v ' name \(pid_iter\.\|libbpf_\)'
}

# BPF objects now, "progs maps links".
objects() {
	echo "$("$bpftool" prog show | grep -c '^[0-9]*:')" \
		"$(maps | grep -c .)" \
		"$("$bpftool" link show | grep -c '^[0-9]*:')"
}

objects_are() {
	[ "$(objects)" = "$1" ]
}

slab_kb() {
	awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo
}

# start ARG...: the scheduler, enabled and named in root/ops; LOAD_S is
# how long the first start took.
start() {
	local t0=$SECONDS

	sched_start "$log" "$sched" "$@"
	case $? in
	0) ;;
	3) refused=1; cell_end ;;
	*) cell_end ;;
	esac
	OPS=$(cat "$SCX_SYSFS"/root/ops)
	LOAD_S=${LOAD_S:-$((SECONDS - t0))}
	note "$OPS enabled in $((SECONDS - t0)) s"
}

# stop_clean: SIGINT ends it with status 0 and the user-space exit.
stop_clean() {
	local status

	sched_stop INT
	status=$?
	note "stopped"
	[ "$status" -eq 0 ] || fail "exit status $status after SIGINT"
	grep -aq '^EXIT: unregistered from user space' "$log" ||
		fail "no 'EXIT: unregistered from user space'; it said: $(grep -a '^EXIT' "$log")"
}

not_enabled() {
	local state

	read -r state <"$SCX_SYSFS"/state
	[ "$state" != enabled ]
}

# Is the scheduler we started still the one enabled?  Builtins only.
still_ours() {
	local state ops

	read -r state <"$SCX_SYSFS"/state
	[ "$state" = enabled ] || return 1
	# root/ goes when the scheduler does, maybe since the last read.
	{ read -r ops <"$SCX_SYSFS"/root/ops; } 2>/dev/null
	sched_alive && [ "$ops" = "$OPS" ]
}

# exits_with WHAT REASON: after WHAT, the loader exits by itself within
# 30 s, with status 1 and "EXIT: REASON".
exits_with() {
	local pid=$SCHED_PID status

	wait_for 30 eval '! sched_alive' ||
		{ fail "the loader did not exit after $1"; return 1; }
	wait "$pid"
	status=$?
	SCHED_PID=
	[ "$status" -eq 1 ] || fail "exit status $status after $1, expected 1"
	grep -aq "^EXIT: $2" "$log" ||
		fail "no 'EXIT: $2'; it said: $(grep -a '^EXIT' "$log")"
}

case_soak() {
	local soak=${SOAK:-60} first end

	start -i 1
	load_start "$soak"
	wait_for 30 has_stats || fail "no stats within 30 s"
	first=$(stats)
	note "stats printed; soaking"
	end=$((SECONDS + soak))
	while [ "$SECONDS" -lt "$end" ] && still_ours; do
		sleep 1
	done
	still_ours || { fail "not enabled $((soak - end + SECONDS)) s into the soak"; cell_end; }
	note "soaked"
	pins_check "at the end of the soak"
	load_done 60
	note "the load is over"
	still_ours || fail "gone after the soak"
	[ "$(stats)" != "$first" ] || fail "its stats did not move: $first"
	grep -a -E 'passed|failed|successful' "$tmp/stress" | tail -n 2
	kill_spawned
	stop_clean
}

case_reload() {
	local n=${RELOADS:-50} i before after slab0 slab1 maps0 maps1

	echo 3 >/proc/sys/vm/drop_caches
	before=$(objects)
	maps0=$(maps)
	slab0=$(slab_kb)
	load_start 900
	for i in $(seq "$n"); do
		: >"$log"
		start -i 1
		wait_for 30 talked ||
			fail "reload $i: nothing printed within 30 s"
		stop_clean
		[ "$test_failed" -eq 0 ] || { echo "stopped at reload $i of $n"; break; }
	done
	kill_spawned
	wait_for 30 objects_are "$before"
	after=$(objects)
	echo 3 >/proc/sys/vm/drop_caches
	slab1=$(slab_kb)
	echo "reload: $i loads; BPF progs maps links before: $before, after: $after;" \
		"SUnreclaim ${slab0} kB -> ${slab1} kB ($((slab1 - slab0)) kB)"
	[ "$before" = "$after" ] || {
		maps1=$(maps)
		fail "BPF objects left over after $i reloads (progs maps links): $before -> $after;" \
			"maps before: ${maps0//$'\n'/, }; after: ${maps1//$'\n'/, }"
	}
	# Noise: slab of the VM itself, stress-ng and the log; a leak of a
	# scheduler's maps and programs is tens of kB per load.
	[ $((slab1 - slab0)) -le $((2048 + 16 * i)) ] ||
		fail "unreclaimable slab grew by $((slab1 - slab0)) kB over $i loads"
}

# hotplug_outcome WHAT END: a scheduler with ops.cpu_offline() ($handles)
# stayed loaded through WHAT; one without it restarted and was back within
# 10 s of END, plus twice LOAD_S.
hotplug_outcome() {
	if [ "$handles" -eq 1 ]; then
		echo "$1; has ops.cpu_offline(): must stay loaded"
		still_ours || fail "not enabled after $1: $(grep -a '^EXIT' "$log")"
		! grep -aq 'restarting$' "$log" ||
			fail "restarted $(grep -ac 'restarting$' "$log") times; it handles hotplug itself"
	else
		# Back within 10 s, plus twice what loading it under the same
		# load took at first (under TCG, tens of seconds for some).
		echo "$1; no ops.cpu_offline(): must restart within $((10 + 2 * LOAD_S)) s"
		wait_for $((10 + 2 * LOAD_S)) still_ours ||
			fail "not back within $((10 + 2 * LOAD_S)) s of $1 (state $(cat "$SCX_SYSFS"/state))"
		echo "back $((SECONDS - $2)) s after $1; $(grep -ac 'restarting$' "$log") restarts"
		grep -aq 'restarting$' "$log" || fail "never restarted"
	fi
}

case_hotplug() {
	local cycles=${CYCLES:-20} i cpu f

	[ "$ncpus" -gt 1 ] || { echo "hotplug: one CPU, nothing to unplug"; exit 0; }
	load_start 900
	start -i 1
	handles=0
	has_op cpu_offline && handles=1
	for i in $(seq "$cycles"); do
		cpu=$((1 + (i - 1) % (ncpus - 1)))
		f=/sys/devices/system/cpu/cpu$cpu/online
		[ -w "$f" ] || { fail "CPU $cpu cannot be hotplugged"; break; }
		echo 0 >"$f" || fail "CPU $cpu did not go offline"
		echo 1 >"$f" || fail "CPU $cpu did not come back online"
	done
	hotplug_outcome "$cycles offline/online cycles" "$SECONDS"
	pins_check "after the storm"
	kill_spawned
	stop_clean
}

# A CPU that was never up comes up under load (64 possible, 4 up).
case_plugin() {
	local f

	f=$(grep -L 1 /sys/devices/system/cpu/cpu[1-9]*/online 2>/dev/null | head -n 1)
	[ -n "$f" ] || { fail "every CPU is online: boot with -a maxcpus=N"; cell_end; }
	load_start 900
	start -i 1
	handles=0
	has_op cpu_offline && handles=1
	pins_check "before the new CPU"
	echo 1 >"$f" || { fail "${f%/online} did not come up"; cell_end; }
	hotplug_outcome "${f%/online} coming up" "$SECONDS"
	pins_check "with the new CPU"
	kill_spawned
	stop_clean
}

case_stop() {
	local wait_ms user=0 pid maps

	start -i 1
	wait_ms=$((2 * $(timeout_ms)))
	maps=$("$bpftool" map show)
	grep -q user_ringbuf <<<"$maps" && user=1
	load_start $((wait_ms / 1000 + 30))
	pins_check "before SIGSTOP"
	pid=$SCHED_PID
	kill -STOP "$pid"
	echo "stop: loader stopped for $((wait_ms / 1000)) s (twice the watchdog timeout)"
	if [ "$user" -eq 0 ]; then
		wait_for $((wait_ms / 1000)) not_enabled
		state_is enabled || fail "not enabled while its loader was stopped"
		pins_check "while the loader was stopped"
		kill -CONT "$pid"
		still_ours || fail "gone after SIGCONT"
		stop_clean
	else
		echo "stop: the BPF side needs user space (a user ring buffer): must be ejected"
		wait_for $((wait_ms / 1000)) not_enabled ||
			fail "still enabled $((wait_ms / 1000)) s after SIGSTOP"
		note "ejected"
		pins_check "after the ejection"
		kill -CONT "$pid"
		exits_with "SIGCONT" "runnable task stall"
	fi
	load_done 60
}

case_sysrq() {
	start -i 1
	load_start 20
	echo S >/proc/sysrq-trigger
	exits_with "SysRq-S" "disabled by sysrq-S"
	state_is disabled || fail "sched_ext is '$(cat "$SCX_SYSFS"/state)'"
	pins_check "after SysRq-S"
	load_done 60
}

case $case in
soak | reload | hotplug | plugin | stop | sysrq) "case_$case" ;;
*) echo "unknown case '$case': soak, reload, hotplug, plugin, stop or sysrq" >&2; exit 2 ;;
esac
cell_end
