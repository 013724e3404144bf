// SPDX-License-Identifier: GPL-2.0
/*
 * ops.dispatch(cpu, prev) is how a CPU asks for work; prev is the task that
 * was running there and is still runnable, typically because its slice ran
 * out.  ops.tick() runs on every scheduler tick for the task on the CPU.
 *
 * Every task goes to one user DSQ and is pulled from it in ops.dispatch().
 * Slices are short (2 ms), so a spinner pinned to one CPU keeps running
 * out of slice, and dispatch is called on its CPU with it as prev.  For
 * that spinner we check the arguments, and use the dispatch to exercise
 * the dispatch batch: dispatch_max_batch slots, one taken by an insert and
 * given back by scx_bpf_dispatch_cancel().
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define SHARED_DSQ	0x51
#define SLICE_NS	(2 * NSEC_PER_MSEC)

const volatile u32 max_batch;

s32 target;
s32 target_cpu;

u64 nr_dispatch, nr_bad_cpu_arg, nr_bad_slots;
u64 nr_prev_target, nr_prev_wrong_cpu, nr_prev_not_queued;
u64 nr_slot_taken, nr_slot_returned;
u64 nr_tick_target, nr_tick_not_current, nr_tick_wrong_cpu;
s32 max_queued;

s32 BPF_STRUCT_OPS_SLEEPABLE(dispatch_tick_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

void BPF_STRUCT_OPS(dispatch_tick_enqueue, struct task_struct *p,
		    u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SHARED_DSQ, SLICE_NS, enq_flags);
}

void BPF_STRUCT_OPS(dispatch_tick_dispatch, s32 cpu, struct task_struct *prev)
{
	s32 queued;

	__sync_fetch_and_add(&nr_dispatch, 1);
	if (cpu != bpf_get_smp_processor_id())
		__sync_fetch_and_add(&nr_bad_cpu_arg, 1);
	/* Nothing inserted yet in this round: every slot is free. */
	if (scx_bpf_dispatch_nr_slots() != max_batch)
		__sync_fetch_and_add(&nr_bad_slots, 1);

	queued = scx_bpf_dsq_nr_queued(SHARED_DSQ);
	if (queued > max_queued)
		max_queued = queued;

	if (prev && target && prev->tgid == target) {
		__sync_fetch_and_add(&nr_prev_target, 1);
		if (cpu != target_cpu)
			__sync_fetch_and_add(&nr_prev_wrong_cpu, 1);
		if (!(prev->scx.flags & SCX_TASK_QUEUED))
			__sync_fetch_and_add(&nr_prev_not_queued, 1);
		/* Take a slot, check the count, and give it back. */
		scx_bpf_dsq_insert(prev, SCX_DSQ_LOCAL, SLICE_NS, 0);
		if (scx_bpf_dispatch_nr_slots() == max_batch - 1)
			__sync_fetch_and_add(&nr_slot_taken, 1);
		scx_bpf_dispatch_cancel();
		if (scx_bpf_dispatch_nr_slots() == max_batch)
			__sync_fetch_and_add(&nr_slot_returned, 1);
	}
	scx_bpf_dsq_move_to_local(SHARED_DSQ);
}

void BPF_STRUCT_OPS(dispatch_tick_tick, struct task_struct *p)
{
	if (!target || p->tgid != target)
		return;
	__sync_fetch_and_add(&nr_tick_target, 1);
	if (p != bpf_get_current_task_btf())
		__sync_fetch_and_add(&nr_tick_not_current, 1);
	if (bpf_get_smp_processor_id() != target_cpu)
		__sync_fetch_and_add(&nr_tick_wrong_cpu, 1);
}

void BPF_STRUCT_OPS(dispatch_tick_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(dispatch_tick_ops,
	       .init			= (void *)dispatch_tick_init,
	       .enqueue			= (void *)dispatch_tick_enqueue,
	       .dispatch		= (void *)dispatch_tick_dispatch,
	       .tick			= (void *)dispatch_tick_tick,
	       .exit			= (void *)dispatch_tick_exit,
	       .dispatch_max_batch	= 4,
	       .name			= "dispatch_tick_test");
