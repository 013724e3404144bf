// SPDX-License-Identifier: GPL-2.0
/*
 * A scheduler that implements ops.update_idle() is assumed to track idle
 * CPUs itself, so the kernel stops its own tracking, and the idle kfuncs
 * (scx_bpf_pick_idle_cpu() and friends) fail.  SCX_OPS_KEEP_BUILTIN_IDLE
 * keeps the kernel's tracking on next to ours.  User space loads this
 * twice, with and without the flag.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

u64 nr_idle, nr_busy, nr_picked;

s32 BPF_STRUCT_OPS(keep_builtin_idle_select_cpu, struct task_struct *p,
		   s32 prev_cpu, u64 wake_flags)
{
	s32 cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);

	if (cpu >= 0) {
		__sync_fetch_and_add(&nr_picked, 1);
		return cpu;
	}
	return prev_cpu;
}

void BPF_STRUCT_OPS(keep_builtin_idle_update_idle, s32 cpu, bool idle)
{
	if (idle)
		__sync_fetch_and_add(&nr_idle, 1);
	else
		__sync_fetch_and_add(&nr_busy, 1);
}

void BPF_STRUCT_OPS(keep_builtin_idle_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(keep_builtin_idle_ops,
	       .select_cpu		= (void *)keep_builtin_idle_select_cpu,
	       .update_idle		= (void *)keep_builtin_idle_update_idle,
	       .exit			= (void *)keep_builtin_idle_exit,
	       .flags			= SCX_OPS_KEEP_BUILTIN_IDLE,
	       .name			= "keep_builtin_idle");
