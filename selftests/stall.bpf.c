// SPDX-License-Identifier: GPL-2.0
/*
 * sched_ext's watchdog: a runnable task that has not run for timeout_ms
 * gets the scheduler unloaded with SCX_EXIT_ERROR_STALL, naming the task.
 * We set a one-second timeout and keep one task (the test's child) in BPF
 * custody for ever, which is exactly the bug the watchdog exists for.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

s32 target;
u64 nr_held;
u64 held_at_ns;

s32 BPF_STRUCT_OPS(stall_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	return prev_cpu;
}

void BPF_STRUCT_OPS(stall_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (target && p->tgid == target) {
		/* Lose it: never inserted, never dispatched. */
		if (!__sync_fetch_and_add(&nr_held, 1))
			held_at_ns = bpf_ktime_get_ns();
		return;
	}
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

u64 exit_at_ns;

void BPF_STRUCT_OPS(stall_exit, struct scx_exit_info *ei)
{
	exit_at_ns = bpf_ktime_get_ns();
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(stall_ops,
	       .select_cpu	= (void *)stall_select_cpu,
	       .enqueue		= (void *)stall_enqueue,
	       .exit		= (void *)stall_exit,
	       .timeout_ms	= 1000,
	       .name		= "stall_test");
