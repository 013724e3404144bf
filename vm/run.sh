#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command in a QEMU VM booted from the sched_ext test kernel, with the
# host's / as the VM's read-only root, and exit with the command's status.
#
# The console is streamed as it comes.  The run fails if the kernel reports
# a BUG, WARNING, panic or RCU stall, even when the command succeeded, and
# those lines are repeated at the end.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/scx-examples

cpus=4
topology=
maxcpus=
mem=2G
nodes=1
append=
timeout=600
kernel=$cache/kernel-${KVER:-6.12}
shell_cmd=
tcg_threads=single

usage() {
	cat <<EOF
Usage: vm/run.sh [options] -- COMMAND [ARG...]
       vm/run.sh [options] -e 'SHELL COMMAND'

Boot the sched_ext test kernel in QEMU and run COMMAND in the current
directory.  Exits with COMMAND's status, or non-zero if the kernel oopsed.

  -c CPUS      online CPUs (default $cpus)
  -s S:C:T     sockets:cores:threads; S*C*T must equal the possible CPUs
  -p MAXCPUS   possible CPUs, for hotplug (default: CPUS); a guest under
               TCG does not see the extra ones: use -c MAX -a maxcpus=N
  -m MEM       memory (default $mem)
  -n NODES     NUMA nodes, CPUs split evenly between them (default $nodes)
  -a ARGS      extra kernel command-line arguments
  -t SECONDS   hard timeout for the whole VM (default $timeout)
  -k DIR       directory with bzImage (default $kernel;
               KVER=7.3 in the environment picks the 7.3 test kernel)
  -T MODE      TCG threading: single (default) or multi; see below
  -e CMD       run CMD with bash -c instead of an argument list
  -h           show this help

Exit status: COMMAND's, when the guest ran it to the end and the kernel
reported no trouble; else
  2    bad options, or no kernel or QEMU to boot with
  3    the kernel reported trouble (an oops, a warning not on the known
       list, an RCU stall): the lines are repeated at the end
  124  no status came back: the timeout, a hung or wedged guest, or QEMU
       ended early

Multi-threaded TCG (one host thread per vCPU) runs stale code after the
kernel patches its own text: enabling a tracepoint, an ftrace filter or a
kprobe (bpftrace) oopses the guest ("Oops: int3", or a call to address 0)
within seconds under QEMU 7.2.  Single-threaded TCG does not, and on a
2-core host it is as fast.  KVM, where it works, is unaffected.
EOF
}

die() {
	echo "vm/run.sh: $*" >&2
	exit 2
}

is_num() {
	case $1 in '' | *[!0-9]*) return 1 ;; esac
}

while getopts "c:s:p:m:n:a:t:k:e:T:h" opt; do
	case $opt in
	c) cpus=$OPTARG ;;
	s) topology=$OPTARG ;;
	p) maxcpus=$OPTARG ;;
	m) mem=$OPTARG ;;
	n) nodes=$OPTARG ;;
	a) append=$OPTARG ;;
	t) timeout=$OPTARG ;;
	k) kernel=$OPTARG kernel_opt=1 ;;
	e) shell_cmd=$OPTARG ;;
	T) tcg_threads=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" != -- ] || shift

{ is_num "$cpus" && [ "$cpus" -ge 1 ]; } || die "-c wants a CPU count, not '$cpus'"
maxcpus=${maxcpus:-$cpus}
{ is_num "$maxcpus" && [ "$maxcpus" -ge "$cpus" ]; } || die "-p wants at least $cpus CPUs, not '$maxcpus'"
{ is_num "$nodes" && [ "$nodes" -ge 1 ] && [ $((maxcpus % nodes)) -eq 0 ]; } ||
	die "-n wants a node count that divides $maxcpus CPUs, not '$nodes'"
is_num "$timeout" || die "-t wants seconds, not '$timeout'"
case $tcg_threads in single | multi) ;; *) die "-T wants single or multi, not '$tcg_threads'" ;; esac
[ -n "$shell_cmd" ] || [ $# -gt 0 ] || { usage >&2; exit 2; }
[ -z "${kernel_opt:-}" ] || [ -f "$kernel/bzImage" ] ||
	die "-k wants a directory with a bzImage, not '$kernel' (for the 7.3 test kernel: KVER=7.3)"
[ -f "$kernel/bzImage" ] || die "no kernel in $kernel: run 'make kernel KVER=${KVER:-6.12}' first"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing: run vm/install-deps.sh"
case "$PWD$cache" in *[[:space:]]*) die "paths with spaces cannot be passed to the VM" ;; esac

smp="cpus=$cpus,maxcpus=$maxcpus"
if [ -n "$topology" ]; then
	IFS=: read -r s c t <<<"$topology"
	{ is_num "$s" && is_num "$c" && is_num "$t" && [ $((s * c * t)) -eq "$maxcpus" ]; } ||
		die "-s $topology does not multiply out to $maxcpus possible CPUs"
	smp="$smp,sockets=$s,cores=$c,threads=$t"
fi

mem_mb=${mem%[Gg]}
if [ "$mem_mb" != "$mem" ]; then
	mem_mb=$((mem_mb * 1024))
else
	mem_mb=${mem%[Mm]}
fi
is_num "$mem_mb" || die "-m wants a size such as 2G or 1536M, not '$mem'"
numa=()
if [ "$nodes" -gt 1 ]; then
	per_cpu=$((maxcpus / nodes))
	for ((n = 0; n < nodes; n++)); do
		numa+=(-object "memory-backend-ram,id=mem$n,size=$((mem_mb / nodes))M"
		       -numa "node,nodeid=$n,memdev=mem$n,cpus=$((n * per_cpu))-$((n * per_cpu + per_cpu - 1))")
	done
	mem_mb=$(((mem_mb / nodes) * nodes))
fi

# The command travels as a script in the cache, which the VM sees over 9p.
mkdir -p "$cache/vm"
job=$(mktemp -d "$cache/vm/run.XXXXXX")
log=$job/console.log
trap 'rm -rf "$job"' EXIT
if [ -n "$shell_cmd" ]; then
	printf '%s\n' "$shell_cmd" >"$job/cmd"
else
	printf '%q ' "$@" >"$job/cmd"
	echo >>"$job/cmd"
fi

# A KVM guest hangs on some hosts without a word, so KVM is used only once a
# short boot has shown that it works.  The verdict is kept per host boot.
accel="tcg,thread=$tcg_threads"
cpu_model=max
if [ -w /dev/kvm ]; then
	boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo none)
	verdict=$cache/kvm-probe.$boot_id
	if [ ! -f "$verdict" ]; then
		echo "true" >"$job/probe"
		if timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 -smp 1 \
			-display none -monitor none -serial stdio -no-reboot \
			-kernel "$kernel/bzImage" \
			-fsdev "local,id=root,path=/,readonly=on,multidevs=remap,security_model=none" \
			-device "virtio-9p-pci,fsdev=root,mount_tag=/dev/root" \
			-append "console=ttyS0 quiet root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L ro init=$here/guest-init.sh SCX_VM_CMD=$job/probe SCX_VM_CWD=/" \
			</dev/null 2>/dev/null | grep -q '@@SCX-VM-EXIT 0@@'; then
			echo kvm >"$verdict"
		else
			echo tcg >"$verdict"
		fi
	fi
	if [ "$(cat "$verdict")" = kvm ]; then
		accel=kvm
		cpu_model=host
	fi
fi

# loglevel=5 puts warnings (KERN_WARNING) and worse on the console.  "quiet"
# would stop at errors and hide WARN_ON()'s "WARNING: CPU: ..." report,
# which the run must see to fail on it (see $trouble).
cmdline="console=ttyS0 loglevel=5 printk.time=1 panic=-1 root=/dev/root rootfstype=9p"
cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=262144 ro"
# The host's cache directory, read-only in the VM, is where tests find
# what the host phase built outside the repo.
cmdline+=" init=$here/guest-init.sh SCX_VM_CMD=$job/cmd SCX_VM_CWD=$PWD"
cmdline+=" XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache} $append"

# Kernel trouble: lines the kernel prints, which carry a timestamp.
trouble='^\[ *[0-9]+\.[0-9]+\] .*(BUG:|WARNING:|Kernel panic|Oops:|rcu: INFO: .* detected stall|self-detected stall)'
# Warnings the test kernel is known to give, named by the file:line of
# 6.12.117 and of 6.12.118 (Debian's linux-source-6.12 moved on; .118 adds
# four lines above the first two), so that another kernel, or any other
# warning, still fails the run.  The README's "Known kernel issues" says
# what each is.
known='at kernel/sched/(ext\.c:(3094|3098) put_prev_task_scx|ext\.c:(3158|3162) pick_task_scx|deadline\.c:(265 sub_running_bw|428 task_non_contending))\+'

# A guest whose vCPUs all wait for an interrupt that never comes (seen
# once, after a scheduler exit, with multi-threaded TCG) would sit out the
# whole timeout.  QEMU uses CPU time whenever the guest does anything, even
# an idle guest's timer ticks (about 0.6 ticks a second here); none for
# $stuck seconds means the guest is hung.  SCX_VM_STUCK sets it (tests).
stuck=${SCX_VM_STUCK:-120}
qemu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null
}
watch_qemu() {
	local pid last now quiet=0

	while [ ! -s "$job/qemu.pid" ]; do
		[ -d "$job" ] || return	# we were killed before QEMU started
		sleep 1
	done
	pid=$(cat "$job/qemu.pid")
	last=$(qemu_ticks "$pid") || return
	while sleep 5; do
		now=$(qemu_ticks "$pid") || return
		quiet=$((now == last ? quiet + 5 : 0))
		last=$now
		if [ "$quiet" -ge "$stuck" ]; then
			touch "$job/hung"
			kill -TERM "$pid"
			kill -CONT "$pid"
			return
		fi
	done
}
watch_qemu &
watcher=$!

# A guest can also wedge while it still ticks: one CPU stops scheduling
# (a runnable task it never picks, or a kernel loop that never yields) and
# the kernel reports the stall again about once a minute, while everything
# else waits on that CPU.  The run has failed by then (see $trouble); the
# second report stops QEMU instead of the timeout, up to an hour later.
stall='^\[ *[0-9]+\.[0-9]+\] .*(rcu: INFO: .* detected stall|self-detected stall|BUG: soft lockup)'
watch_console() {
	local n=0 line

	while [ ! -e "$log" ]; do
		[ -d "$job" ] || return
		sleep 1
	done
	while IFS= read -r line; do
		[[ $line =~ $stall ]] || continue
		n=$((n + 1))
		if [ "$n" -lt 2 ] || [ ! -s "$job/qemu.pid" ]; then
			continue
		fi
		echo "$line" >"$job/wedged"
		kill -TERM "$(cat "$job/qemu.pid")"
		return
	done < <(tail -n +1 -F --pid=$$ "$log" 2>/dev/null)
}
watch_console &
console_watcher=$!

# sed -u and grep --line-buffered pass the console on line by line; tr and
# grep would hold it back in 4 KiB blocks, and a slow test would look hung.
set +e
timeout -k 10 "$timeout" qemu-system-x86_64 -pidfile "$job/qemu.pid" \
	-accel "$accel" -cpu "$cpu_model" -machine q35 \
	-smp "$smp" -m "${mem_mb}M" "${numa[@]}" \
	-display none -monitor none -serial stdio -no-reboot \
	-kernel "$kernel/bzImage" -append "$cmdline" \
	-fsdev "local,id=root,path=/,readonly=on,multidevs=remap,security_model=none" \
	-device "virtio-9p-pci,fsdev=root,mount_tag=/dev/root" \
	-device virtio-rng-pci \
	</dev/null 2>&1 | sed -u "s/\r//g" | tee "$log" |
	grep --line-buffered -v -e "^@@SCX-VM-EXIT" -e "sysrq: Resetting" \
		-e "doesn't support hyperthreading" -e "configure -smp options properly" \
		-e "amd_pstate: the _CPC object is not present" -e "btf id not found. Is CONFIG_MODULES enabled"
qemu_status=${PIPESTATUS[0]}
set -e
kill "$watcher" "$console_watcher" 2>/dev/null || true

status=$(sed -n 's/^@@SCX-VM-EXIT \([0-9]*\)@@$/\1/p' "$log" | tail -n 1)
reported=$(grep -E "$trouble" "$log" || true)
problems=$(grep -v -E "$known" <<<"$reported" || true)
known_seen=$(grep -E "$known" <<<"$reported" || true)
if [ -n "$known_seen" ]; then
	echo "vm/run.sh: known kernel warnings, not counted (see \$known in vm/run.sh):" >&2
	echo "$known_seen" >&2
fi
if [ -e "$job/wedged" ]; then
	echo "vm/run.sh: the guest stopped making progress (a second stall report: $(cat "$job/wedged")); stopped it" >&2
fi
if [ -n "$problems" ]; then
	# Each with the test that was running, from tests/vm-phase.sh's marks.
	echo "vm/run.sh: the kernel reported trouble:" >&2
	awk 'NR == FNR { p[$0] = 1; next }
	     /scx-test: start / { t = $0; sub(/.*scx-test: start /, "", t) }
	     $0 in p { print $0 (t == "" ? "" : "   [during " t "]") }' \
		- "$log" <<<"$problems" >&2
	exit 3
fi
if [ -z "$status" ]; then
	if [ -e "$job/hung" ]; then
		echo "vm/run.sh: the guest hung: QEMU used no CPU time for $stuck s (every vCPU idle, no timer firing); stopped it" >&2
	elif [ "$qemu_status" -eq 124 ]; then
		echo "vm/run.sh: timed out after $timeout s" >&2
	else
		echo "vm/run.sh: the VM ended without the command's status (QEMU exit $qemu_status)" >&2
	fi
	exit 124
fi
exit "$status"
