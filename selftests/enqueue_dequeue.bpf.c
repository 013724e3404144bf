// SPDX-License-Identifier: GPL-2.0
/*
 * ops.enqueue() hands a runnable task to the BPF scheduler.  While the
 * scheduler keeps it (inserts it into no DSQ), the task is in BPF custody,
 * and if the kernel has to take it back, e.g. to change its priority, it
 * says so with ops.dequeue() and then enqueues it again.  We hold one task
 * (the test's child) in custody until user space lets it go, and record
 * every enqueue and dequeue of it and whether it ran in between.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

s32 target;
bool hold;

u64 nr_enqueue, nr_enq_wakeup, nr_held, nr_dequeue, nr_deq_sleep;
u64 nr_running, nr_released;
/* Set while the target sits in custody and must not run. */
u32 in_custody;
u64 nr_ran_in_custody;

/* Never insert in select_cpu: the default would bypass ops.enqueue(). */
s32 BPF_STRUCT_OPS(enqueue_dequeue_select_cpu, struct task_struct *p,
		   s32 prev_cpu, u64 wake_flags)
{
	return prev_cpu;
}

void BPF_STRUCT_OPS(enqueue_dequeue_enqueue, struct task_struct *p,
		    u64 enq_flags)
{
	if (target && p->tgid == target) {
		__sync_fetch_and_add(&nr_enqueue, 1);
		if (enq_flags & SCX_ENQ_WAKEUP)
			__sync_fetch_and_add(&nr_enq_wakeup, 1);
		if (hold) {
			__sync_fetch_and_add(&nr_held, 1);
			in_custody = 1;
			return;
		}
	}
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(enqueue_dequeue_dequeue, struct task_struct *p,
		    u64 deq_flags)
{
	if (!target || p->tgid != target)
		return;
	__sync_fetch_and_add(&nr_dequeue, 1);
	if (deq_flags & SCX_DEQ_SLEEP)
		__sync_fetch_and_add(&nr_deq_sleep, 1);
	in_custody = 0;
}

void BPF_STRUCT_OPS(enqueue_dequeue_dispatch, s32 cpu,
		    struct task_struct *prev)
{
	struct task_struct *p;

	if (hold || !target)
		return;
	/* Several CPUs may dispatch at once: one of them lets it go. */
	if (!__sync_bool_compare_and_swap(&in_custody, 1, 0))
		return;
	p = bpf_task_from_pid(target);
	if (!p) {
		in_custody = 1;
		return;
	}
	__sync_fetch_and_add(&nr_released, 1);
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, 0);
	bpf_task_release(p);
}

void BPF_STRUCT_OPS(enqueue_dequeue_running, struct task_struct *p)
{
	if (!target || p->tgid != target)
		return;
	__sync_fetch_and_add(&nr_running, 1);
	if (in_custody)
		__sync_fetch_and_add(&nr_ran_in_custody, 1);
}

void BPF_STRUCT_OPS(enqueue_dequeue_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(enqueue_dequeue_ops,
	       .select_cpu	= (void *)enqueue_dequeue_select_cpu,
	       .enqueue		= (void *)enqueue_dequeue_enqueue,
	       .dequeue		= (void *)enqueue_dequeue_dequeue,
	       .dispatch	= (void *)enqueue_dequeue_dispatch,
	       .running		= (void *)enqueue_dequeue_running,
	       .exit		= (void *)enqueue_dequeue_exit,
	       .name		= "enqueue_dequeue_test");
