// SPDX-License-Identifier: GPL-2.0
/*
 * Whom ops.dispatch() is called for.  Normally for the CPU it runs on; with
 * core scheduling on, balancing one CPU also balances its SMT siblings, so
 * the kernel calls ops.dispatch() for each of them too, from the CPU that
 * schedules.  This side counts the calls of each kind, and the calls for a
 * CPU that is no sibling at all (user space fills in the topology), and
 * returns at once for a sibling, as scx_dispatch_for_sibling() in
 * include/scx/common.bpf.h explains.  One shared DSQ serves the rest.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define SHARED_DSQ	0
#define MAX_CPUS	64

/* Per CPU, the CPUs of its core, one bit each; from user space. */
const volatile u64 smt_mask[MAX_CPUS];

u64 nr_own;		/* for the CPU it runs on */
u64 nr_sibling;		/* for an SMT sibling of that CPU */
u64 nr_stranger;	/* for any other CPU: never expected */

void BPF_STRUCT_OPS(dsib_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(dsib_dispatch, s32 cpu, struct task_struct *prev)
{
	u32 self = bpf_get_smp_processor_id();

	if (scx_dispatch_for_sibling(cpu)) {
		if (self < MAX_CPUS && (u32)cpu < MAX_CPUS &&
		    (smt_mask[self] & (1ULL << cpu)))
			__sync_fetch_and_add(&nr_sibling, 1);
		else
			__sync_fetch_and_add(&nr_stranger, 1);
		return;
	}
	__sync_fetch_and_add(&nr_own, 1);
	scx_bpf_dsq_move_to_local(SHARED_DSQ);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(dsib_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

void BPF_STRUCT_OPS(dsib_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(dispatch_sibling_ops,
	       .enqueue			= (void *)dsib_enqueue,
	       .dispatch		= (void *)dsib_dispatch,
	       .init			= (void *)dsib_init,
	       .exit			= (void *)dsib_exit,
	       .name			= "dispatch_sibling");
