// SPDX-License-Identifier: GPL-2.0
/*
 * A task's life on a CPU, as the BPF scheduler sees it: ops.runnable() when
 * it joins a run queue, ops.running() when it gets the CPU, ops.stopping()
 * when it leaves it (still runnable or not), ops.quiescent() when it leaves
 * the run queue.  We follow one task through these as a state machine and
 * count every transition the kernel's documentation does not allow.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

enum lc_state {
	LC_UNKNOWN,	/* before the first event we saw */
	LC_QUIESCENT,	/* not runnable */
	LC_RUNNABLE,	/* on a run queue, not on a CPU */
	LC_RUNNING,	/* on a CPU */
	LC_STOPPED,	/* off the CPU, not runnable, quiescent must follow */
};

s32 target;
u32 state;
u64 nr_runnable, nr_running, nr_stopping, nr_stopping_runnable;
u64 nr_quiescent, nr_enq_wakeup, nr_deq_sleep, nr_bad;
/* The first bad transition, as (from state << 8 | event). */
u32 first_bad;

enum lc_event { EV_RUNNABLE = 1, EV_RUNNING, EV_STOPPING, EV_QUIESCENT };

static void move(u32 event, bool ok, u32 to)
{
	if (state != LC_UNKNOWN && !ok) {
		if (!nr_bad)
			first_bad = state << 8 | event;
		nr_bad++;
	}
	state = to;
}

static bool watched(struct task_struct *p)
{
	return target && p->tgid == target;
}

void BPF_STRUCT_OPS(lifecycle_runnable, struct task_struct *p, u64 enq_flags)
{
	if (!watched(p))
		return;
	nr_runnable++;
	if (enq_flags & SCX_ENQ_WAKEUP)
		nr_enq_wakeup++;
	move(EV_RUNNABLE, state == LC_QUIESCENT, LC_RUNNABLE);
}

void BPF_STRUCT_OPS(lifecycle_running, struct task_struct *p)
{
	if (!watched(p))
		return;
	nr_running++;
	move(EV_RUNNING, state == LC_RUNNABLE, LC_RUNNING);
}

void BPF_STRUCT_OPS(lifecycle_stopping, struct task_struct *p, bool runnable)
{
	if (!watched(p))
		return;
	nr_stopping++;
	if (runnable)
		nr_stopping_runnable++;
	move(EV_STOPPING, state == LC_RUNNING,
	     runnable ? LC_RUNNABLE : LC_STOPPED);
}

void BPF_STRUCT_OPS(lifecycle_quiescent, struct task_struct *p, u64 deq_flags)
{
	if (!watched(p))
		return;
	nr_quiescent++;
	if (deq_flags & SCX_DEQ_SLEEP)
		nr_deq_sleep++;
	/* Leaving the queue without running is fine, leaving a CPU is not. */
	move(EV_QUIESCENT, state == LC_STOPPED || state == LC_RUNNABLE,
	     LC_QUIESCENT);
}

void BPF_STRUCT_OPS(lifecycle_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(lifecycle_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(lifecycle_ops,
	       .enqueue		= (void *)lifecycle_enqueue,
	       .runnable	= (void *)lifecycle_runnable,
	       .running		= (void *)lifecycle_running,
	       .stopping	= (void *)lifecycle_stopping,
	       .quiescent	= (void *)lifecycle_quiescent,
	       .exit		= (void *)lifecycle_exit,
	       .name		= "lifecycle_test");
