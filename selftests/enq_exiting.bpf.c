// SPDX-License-Identifier: GPL-2.0
/*
 * SCX_OPS_ENQ_EXITING: by default the kernel queues an exiting task
 * (PF_EXITING) straight onto its CPU's local DSQ without asking the BPF
 * scheduler, so a buggy scheduler cannot keep a dying task from finishing.
 * With the flag, exiting tasks go through ops.enqueue() like any other,
 * which is what this side counts.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define SLICE		(1 * NSEC_PER_MSEC)

s32 target_tgid;
u64 nr_exiting, nr_target;

void BPF_STRUCT_OPS(enq_exiting_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (target_tgid && p->tgid == target_tgid) {
		__sync_fetch_and_add(&nr_target, 1);
		if (p->flags & PF_EXITING)
			__sync_fetch_and_add(&nr_exiting, 1);
	}
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SLICE, enq_flags);
}

void BPF_STRUCT_OPS(enq_exiting_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(enq_exiting_ops,
	       .enqueue			= (void *)enq_exiting_enqueue,
	       .exit			= (void *)enq_exiting_exit,
	       .flags			= SCX_OPS_ENQ_EXITING,
	       .name			= "enq_exiting");
