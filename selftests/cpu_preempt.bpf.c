// SPDX-License-Identifier: GPL-2.0
/*
 * ops.cpu_release() tells the scheduler that a higher sched class (here an
 * RT task) took a CPU away; ops.cpu_acquire() that the CPU came back.
 * The pair is the place to empty the CPU's local DSQ with
 * scx_bpf_reenqueue_local(), because whatever waits there would otherwise
 * sit behind the RT task: the test counts the tasks it hands back, which
 * come again through ops.enqueue() with SCX_ENQ_REENQ.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define MAX_CPUS	64

s32 rt_pid;		/* set by user space before it starts the RT task */

u64 seq;

/*
 * Per CPU: what we heard last.  A CPU may already be released when we load
 * (an RT task ran while the previous scheduler left), so its first event
 * can be an acquire; after that, releases and acquires must alternate.
 */
enum { HEARD_NOTHING, HEARD_RELEASE, HEARD_ACQUIRE };
u8 heard[MAX_CPUS];
u64 nr_release, nr_acquire, nr_unpaired;
u64 nr_reenq_tasks, nr_enq_reenq;

/* The release that made way for rt_pid, and the acquire that followed. */
u64 rt_release_seq, rt_acquire_seq;
s32 rt_release_cpu = -1;
s32 rt_release_reason = -1;

static u8 *heard_of(s32 cpu)
{
	u32 i = cpu;

	if (i >= MAX_CPUS)
		return NULL;
	/* Hide the test from clang so the mask stays to bound the index. */
	barrier_var(i);
	return &heard[i & (MAX_CPUS - 1)];
}

void BPF_STRUCT_OPS(cpu_preempt_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (enq_flags & SCX_ENQ_REENQ)
		__sync_fetch_and_add(&nr_enq_reenq, 1);
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(cpu_preempt_cpu_release, s32 cpu,
		    struct scx_cpu_release_args *args)
{
	u32 n = scx_bpf_reenqueue_local();
	u8 *h = heard_of(cpu);

	__sync_fetch_and_add(&nr_release, 1);
	__sync_fetch_and_add(&nr_reenq_tasks, n);
	if (h) {
		if (*h == HEARD_RELEASE)
			__sync_fetch_and_add(&nr_unpaired, 1);
		*h = HEARD_RELEASE;
	}
	if (rt_pid && args->task && args->task->pid == rt_pid &&
	    !rt_release_seq) {
		rt_release_seq = __sync_add_and_fetch(&seq, 1);
		rt_release_cpu = cpu;
		rt_release_reason = args->reason;
	}
}

void BPF_STRUCT_OPS(cpu_preempt_cpu_acquire, s32 cpu,
		    struct scx_cpu_acquire_args *args)
{
	u8 *h = heard_of(cpu);

	__sync_fetch_and_add(&nr_acquire, 1);
	if (h) {
		if (*h == HEARD_ACQUIRE)
			__sync_fetch_and_add(&nr_unpaired, 1);
		*h = HEARD_ACQUIRE;
	}
	if (rt_release_seq && cpu == rt_release_cpu && !rt_acquire_seq)
		rt_acquire_seq = __sync_add_and_fetch(&seq, 1);
}

void BPF_STRUCT_OPS(cpu_preempt_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(cpu_preempt_ops,
	       .enqueue			= (void *)cpu_preempt_enqueue,
	       .cpu_release		= (void *)cpu_preempt_cpu_release,
	       .cpu_acquire		= (void *)cpu_preempt_cpu_acquire,
	       .exit			= (void *)cpu_preempt_exit,
	       .name			= "cpu_preempt");
