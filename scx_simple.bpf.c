// SPDX-License-Identifier: GPL-2.0
/*
 * scx_simple: one shared run queue, ordered by weighted virtual time.
 *
 * The smallest scheduler that is still fair.  Every task that does not find
 * an idle CPU on wakeup waits in one shared dispatch queue (DSQ); a CPU that
 * runs out of work pulls the head of that queue into its local DSQ.  The
 * queue is ordered by each task's virtual time, which advances by the time
 * the task ran divided by its weight, so a nice -5 task gets about three
 * times the CPU of a nice 0 one.  With -f the queue is plain FIFO instead.
 *
 * What it shows:
 * - ops.select_cpu() with the kernel's default idle-CPU picker, and direct
 *   dispatch to SCX_DSQ_LOCAL when that CPU is idle, skipping the queue;
 * - a user DSQ made in ops.init(), because the built-in SCX_DSQ_GLOBAL is
 *   FIFO only and cannot be ordered by vtime;
 * - vtime bookkeeping in ops.running()/ops.stopping()/ops.enable();
 * - per-CPU counters that the loader sums for its stats.
 *
 * Where it breaks down: one queue shared by all CPUs is a point of lock
 * contention on big machines and knows nothing of caches or NUMA.  A task
 * that slept a long time may lag at most one slice behind the current
 * vtime, which keeps it from monopolising the CPU but also limits how much
 * it is favoured after waking.  And the weights hold only roughly for busy
 * tasks: the kernel asks ops.dispatch() for the next task before it queues
 * the one whose slice ended, so that one always yields to the queue's head,
 * even when its own vtime is lower, and a task that should run most of the
 * time gets at most every other slice (make bench measures it; scx_sdt
 * shows the fix).  Good for small, uniform machines and as a starting
 * point.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

/* Our one shared queue; IDs below 2^63 are free for schedulers to use. */
#define SHARED_DSQ	0

const volatile bool fifo_order;

/* The vtime of the task that most recently started running. */
static u64 vtime_now;

UEI_DEFINE(uei);

/* Counters: how tasks were queued.  Summed over CPUs by the loader. */
enum simple_stat {
	STAT_LOCAL,	/* dispatched straight to an idle CPU's local DSQ */
	STAT_SHARED,	/* queued on the shared DSQ */
	SIMPLE_NR_STATS,
};

SCX_STATS(SIMPLE_NR_STATS);

s32 BPF_STRUCT_OPS(smpl_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool idle = false;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);
	if (idle) {
		/*
		 * Nobody is waiting on an idle CPU, so ordering does not
		 * matter: skip the shared queue, and ops.enqueue() with it.
		 */
		stat_inc(STAT_LOCAL);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(smpl_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 vtime = p->scx.dsq_vtime, floor;

	stat_inc(STAT_SHARED);
	if (fifo_order) {
		scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
		return;
	}

	/*
	 * A task that slept does not keep the vtime it had when it went to
	 * sleep: that would let it run unopposed until it caught up.  It may
	 * lag at most one slice behind the current vtime.
	 */
	floor = vtime_now - SCX_SLICE_DFL;
	if (scx_vtime_before(vtime, floor))
		vtime = floor;

	scx_bpf_dsq_insert_vtime(p, SHARED_DSQ, SCX_SLICE_DFL, vtime, enq_flags);
}

void BPF_STRUCT_OPS(smpl_dispatch, s32 cpu, struct task_struct *prev)
{
	/*
	 * Under core scheduling, the kernel also calls us for an SMT sibling
	 * of the CPU that schedules; that sibling dispatches for itself when
	 * it schedules, so there is nothing to do (see common.bpf.h).
	 */
	if (scx_dispatch_for_sibling(cpu))
		return;

	scx_bpf_dsq_move_to_local(SHARED_DSQ);
}

void BPF_STRUCT_OPS(smpl_running, struct task_struct *p)
{
	if (fifo_order)
		return;
	/*
	 * The queue hands out tasks in vtime order, so the global clock only
	 * moves forward; several CPUs racing here may lose an update, which
	 * costs a little precision and nothing else.
	 */
	u64 started = p->scx.dsq_vtime;

	if (scx_vtime_before(vtime_now, started))
		vtime_now = started;
}

void BPF_STRUCT_OPS(smpl_stopping, struct task_struct *p, bool runnable)
{
	u64 used;

	if (fifo_order)
		return;
	/*
	 * Charge what was used of the slice, scaled by the inverse of the
	 * weight (100 for nice 0).  p->scx.slice counts down as the task runs,
	 * so the difference is the time it ran; a task that yielded keeps a
	 * slice of 0 and is charged the full slice.
	 */
	used = SCX_SLICE_DFL - p->scx.slice;
	p->scx.dsq_vtime += used * 100 / p->scx.weight;
}

void BPF_STRUCT_OPS(smpl_enable, struct task_struct *p)
{
	/* Newcomers start level with whoever runs now. */
	p->scx.dsq_vtime = READ_ONCE(vtime_now);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(smpl_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1 /* any NUMA node */);
}

void BPF_STRUCT_OPS(smpl_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(simple_ops,
	       .select_cpu	= (void *)smpl_select_cpu,
	       .enqueue		= (void *)smpl_enqueue,
	       .dispatch	= (void *)smpl_dispatch,
	       .running		= (void *)smpl_running,
	       .stopping	= (void *)smpl_stopping,
	       .enable		= (void *)smpl_enable,
	       .init		= (void *)smpl_init,
	       .exit		= (void *)smpl_exit,
	       .name		= "simple");
