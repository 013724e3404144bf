// SPDX-License-Identifier: GPL-2.0
/*
 * ops.set_cpumask() tells the scheduler a task's new affinity, e.g. after
 * sched_setaffinity().  We turn each mask one task gets into a bitmap of the
 * first 64 CPUs and record them in order.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define MAX_SEEN	8
#define MAX_CPUS	64

s32 target;
u64 seen[MAX_SEEN];
u32 nr_seen;
/* Masks that differ from the task's own cpus_ptr when we are told. */
u64 nr_mismatch;

void BPF_STRUCT_OPS(set_cpumask_set_cpumask, struct task_struct *p,
		    const struct cpumask *cpumask)
{
	u64 bits = 0;
	u32 i, cpu;

	if (!target || p->tgid != target)
		return;
	bpf_for(cpu, 0, MAX_CPUS) {
		if (bpf_cpumask_test_cpu(cpu, cpumask))
			bits |= 1ULL << cpu;
	}
	if (!bpf_cpumask_equal(cpumask, p->cpus_ptr))
		__sync_fetch_and_add(&nr_mismatch, 1);
	i = __sync_fetch_and_add(&nr_seen, 1);
	if (i < MAX_SEEN)
		seen[i] = bits;
}

void BPF_STRUCT_OPS(set_cpumask_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(set_cpumask_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(set_cpumask_ops,
	       .enqueue		= (void *)set_cpumask_enqueue,
	       .set_cpumask	= (void *)set_cpumask_set_cpumask,
	       .exit		= (void *)set_cpumask_exit,
	       .name		= "set_cpumask_test");
