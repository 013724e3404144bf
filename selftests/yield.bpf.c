// SPDX-License-Identifier: GPL-2.0
/*
 * sched_yield() on a sched_ext task calls ops.yield(from, NULL); a non-NULL
 * @to would be a directed yield (yield_to()), which user space cannot ask
 * for.  We count the calls for one task, which yields a known number of
 * times, and give up its slice as a yield should.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

s32 target;
u64 nr_yield, nr_yield_to, nr_not_current;

bool BPF_STRUCT_OPS(yield_yield, struct task_struct *from,
		    struct task_struct *to)
{
	if (!target || from->tgid != target)
		return false;
	__sync_fetch_and_add(&nr_yield, 1);
	if (to)
		__sync_fetch_and_add(&nr_yield_to, 1);
	if (from != bpf_get_current_task_btf())
		__sync_fetch_and_add(&nr_not_current, 1);
	from->scx.slice = 0;
	return false;
}

void BPF_STRUCT_OPS(yield_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(yield_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(yield_ops,
	       .enqueue		= (void *)yield_enqueue,
	       .yield		= (void *)yield_yield,
	       .exit		= (void *)yield_exit,
	       .name		= "yield_test");
