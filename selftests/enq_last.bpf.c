// SPDX-License-Identifier: GPL-2.0
/*
 * SCX_OPS_ENQ_LAST: when a task's slice runs out and nothing else wants
 * its CPU, the kernel normally lets it run on.  With the flag it instead
 * hands the task back to ops.enqueue() with SCX_ENQ_LAST, so a scheduler
 * can decide, e.g. to keep the CPU idle.  Slices here are short so that
 * a lone spinner runs out of them often.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define SLICE		(1 * NSEC_PER_MSEC)

s32 target_pid;
u64 nr_last, nr_target;

void BPF_STRUCT_OPS(enq_last_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (p->pid == target_pid) {
		__sync_fetch_and_add(&nr_target, 1);
		if (enq_flags & SCX_ENQ_LAST)
			__sync_fetch_and_add(&nr_last, 1);
	}
	/* The last task keeps its CPU: straight back to the local DSQ. */
	if (enq_flags & SCX_ENQ_LAST)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SLICE, enq_flags);
	else
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SLICE, enq_flags);
}

void BPF_STRUCT_OPS(enq_last_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(enq_last_ops,
	       .enqueue			= (void *)enq_last_enqueue,
	       .exit			= (void *)enq_last_exit,
	       .flags			= SCX_OPS_ENQ_LAST,
	       .name			= "enq_last");
