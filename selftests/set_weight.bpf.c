// SPDX-License-Identifier: GPL-2.0
/*
 * ops.set_weight() tells the scheduler a task's new weight whenever its nice
 * value changes.  sched_ext weights are on the cgroup scale, 1..10000 with
 * 100 for nice 0, converted from the CFS load weight.  We record the weights
 * one task gets, in order.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define MAX_SEEN	8

s32 target;
u32 seen[MAX_SEEN];
u32 nr_seen;
u64 nr_mismatch;

void BPF_STRUCT_OPS(set_weight_set_weight, struct task_struct *p, u32 weight)
{
	u32 i;

	if (!target || p->tgid != target)
		return;
	/* The kernel updates p->scx.weight before telling us. */
	if (p->scx.weight != weight)
		__sync_fetch_and_add(&nr_mismatch, 1);
	i = __sync_fetch_and_add(&nr_seen, 1);
	if (i < MAX_SEEN)
		seen[i] = weight;
}

void BPF_STRUCT_OPS(set_weight_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(set_weight_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(set_weight_ops,
	       .enqueue		= (void *)set_weight_enqueue,
	       .set_weight	= (void *)set_weight_set_weight,
	       .exit		= (void *)set_weight_exit,
	       .name		= "set_weight_test");
