// SPDX-License-Identifier: GPL-2.0
/*
 * scx_cpu0: every task that may run on CPU 0 runs on CPU 0, and nowhere else.
 *
 * All such tasks wait in one FIFO dispatch queue (DSQ) that only CPU 0's
 * ops.dispatch() takes from; the other CPUs run only what cannot run on CPU
 * 0 (tasks pinned elsewhere, per-CPU kthreads of other CPUs), which goes
 * straight to the local DSQ of the CPU it is on.  It is the smallest example
 * of a deliberately overloaded CPU: one long queue, which is how the kernel's
 * protections against a scheduler that starves tasks are seen at work.
 *
 * What it shows:
 * - what a scheduler must do to keep a placement promise, because the
 *   kernel places tasks by itself unless told otherwise:
 *   - ops.select_cpu() is implemented, and picks CPU 0: without it the
 *     kernel's default would put a waking task straight into the local DSQ
 *     of any idle CPU, without calling ops.enqueue();
 *   - SCX_OPS_ENQ_LAST: without it a CPU with nothing else to do keeps
 *     running its last task when the slice ends, again without asking, so
 *     a task whose affinity has just grown to include CPU 0 could stay
 *     where it is for good;
 * - ops.timeout_ms, the watchdog timeout, lowered from the loader (-t) so
 *   that an overload ends the scheduler in seconds rather than 30;
 * - per-task storage and ops.running()/ops.quiescent() to tell the tasks
 *   we placed from those the kernel placed on its own (see below);
 * - per-CPU counters that the loader sums for its stats.
 *
 * Who else puts a task that may run on CPU 0 on another CPU: the kernel,
 * without calling ops.enqueue().  While it enables or disables a scheduler
 * (or suspends), it is in bypass mode and runs tasks from a queue every CPU
 * serves; a 7.x kernel sends migration-disabled tasks to their own CPU
 * unless SCX_OPS_ENQ_MIGRATION_DISABLED is set; exiting tasks stay on their
 * CPU unless SCX_OPS_ENQ_EXITING is set; and so do tasks on a CPU going
 * offline.  6.12 calls ops.enqueue() for a migration-disabled task, which
 * must then go to its own CPU as well: CPU 0 may not take it.  So
 * ops.running() on another CPU of a task allowed on CPU 0 is counted as
 * nr_kernel when the kernel placed it, and as nr_off_cpu0 when we did,
 * which would be a bug in this file: nr_off_cpu0 stays 0.
 *
 * Where it breaks down: everywhere, on purpose.  Throughput is one CPU's,
 * and a task waits behind every other runnable task for a slice each, so
 * with more than timeout / slice of them (1500 with the default 30 s and
 * 20 ms; -t and -s change both) the watchdog ends the scheduler with SCX_EXIT_ERROR_STALL ("runnable
 * task stall") and the fair class takes over.  Tasks pinned away from CPU 0
 * are the only ones the other CPUs run.  Use it to watch queueing, the
 * watchdog and bypass, not to schedule anything real.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

/* The queue only CPU 0 serves; IDs below 2^63 are ours to use. */
#define CPU0_DSQ	0

UEI_DEFINE(uei);

const volatile u64 slice_ns = SCX_SLICE_DFL;	/* -s */

/* Counters, summed over CPUs by the loader, which prints them in this order. */
enum cpu0_stat {
	STAT_QUEUED,	/* queued on CPU 0's DSQ */
	STAT_LOCAL,	/* sent to its own CPU: it cannot run on CPU 0 now */
	STAT_ON_CPU0,	/* ops.running() on CPU 0 */
	STAT_OFF_CPU0,	/* ... elsewhere, of a task allowed on CPU 0 we placed */
	STAT_KERNEL,	/* ... elsewhere, of one the kernel placed */
	CPU0_NR_STATS,
};

SCX_STATS(CPU0_NR_STATS);

struct cpu0_task_ctx {
	/* We chose where it runs next, since it last ran or was dequeued. */
	bool	placed;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cpu0_task_ctx);
} task_ctx SEC(".maps");

static void set_placed(struct task_struct *p, bool placed)
{
	struct cpu0_task_ctx *tctx = bpf_task_storage_get(&task_ctx, p, 0, 0);

	if (tctx)
		tctx->placed = placed;
}

/*
 * Could CPU 0 take @p now?  Not if its affinity leaves CPU 0 out, nor while
 * it is in a migrate_disable() section on another CPU: until it leaves that,
 * its cpus_ptr may still include CPU 0, but the kernel refuses to move it.
 */
static bool fits_cpu0(const struct task_struct *p)
{
	if (!bpf_cpumask_test_cpu(0, p->cpus_ptr))
		return false;
	return scx_bpf_task_cpu(p) == 0 || !is_migration_disabled(p);
}

s32 BPF_STRUCT_OPS(zero_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool idle = false;
	s32 cpu;

	/*
	 * Wake it on CPU 0's runqueue: ops.enqueue() then runs there, CPU 0
	 * takes the task without moving it between runqueues, and the wakeup
	 * itself rouses CPU 0 if it is idle.  Returning without an insert is
	 * what keeps the kernel's default (an idle CPU, any CPU) out of it.
	 */
	if (bpf_cpumask_test_cpu(0, p->cpus_ptr))
		return 0;

	/* The rest are free to use the other CPUs as they please. */
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);
	if (idle) {
		set_placed(p, true);
		stat_inc(STAT_LOCAL);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(zero_enqueue, struct task_struct *p, u64 enq_flags)
{
	s32 cpu = scx_bpf_task_cpu(p);

	/*
	 * A task still running with slice left is being re-queued around a
	 * change to it (its affinity, its nice level): the kernel takes it
	 * back off our queue at once and lets it run on where it is, so where
	 * it runs next is not our doing.
	 */
	set_placed(p, !(scx_bpf_task_running(p) && p->scx.slice));
	if (!fits_cpu0(p)) {
		stat_inc(STAT_LOCAL);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, enq_flags);
		return;
	}

	stat_inc(STAT_QUEUED);
	/*
	 * SCX_ENQ_LAST on CPU 0: our queue is empty and CPU 0 is about to go
	 * idle.  The kernel only reschedules it for a task put on its local
	 * DSQ, so the task goes there, where it would have ended up anyway.
	 */
	if ((enq_flags & SCX_ENQ_LAST) && cpu == 0) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, enq_flags);
		return;
	}

	scx_bpf_dsq_insert(p, CPU0_DSQ, slice_ns, enq_flags);
	/*
	 * Queued from another CPU's runqueue (a wakeup that did not go through
	 * ops.select_cpu(), a task whose affinity changed, or SCX_ENQ_LAST
	 * there): nothing tells CPU 0 about it, so wake it if it sleeps.
	 */
	if (cpu != 0)
		scx_bpf_kick_cpu(0, SCX_KICK_IDLE);
}

void BPF_STRUCT_OPS(zero_dispatch, s32 cpu, struct task_struct *prev)
{
	if (scx_dispatch_for_sibling(cpu))
		return;

	/* The other CPUs only ever run what is already on their local DSQ. */
	if (cpu == 0)
		scx_bpf_dsq_move_to_local(CPU0_DSQ);
}

void BPF_STRUCT_OPS(zero_running, struct task_struct *p)
{
	struct cpu0_task_ctx *tctx = bpf_task_storage_get(&task_ctx, p, 0, 0);
	bool placed = tctx && tctx->placed;

	if (tctx)
		tctx->placed = false;

	if (scx_bpf_task_cpu(p) == 0) {
		stat_inc(STAT_ON_CPU0);
		return;
	}
	/* Pinned elsewhere, or in a migrate_disable() section: fine. */
	if (!bpf_cpumask_test_cpu(0, p->cpus_ptr) || is_migration_disabled(p))
		return;
	stat_inc(placed ? STAT_OFF_CPU0 : STAT_KERNEL);
}

void BPF_STRUCT_OPS(zero_quiescent, struct task_struct *p, u64 deq_flags)
{
	/*
	 * Whatever we decided no longer holds once the task is off its queue:
	 * if it comes back without ops.enqueue() (bypass mode re-queues every
	 * task that way), the kernel placed it.  A wakeup's ops.select_cpu()
	 * comes after this, so its direct inserts still count as ours.
	 */
	set_placed(p, false);
}

s32 BPF_STRUCT_OPS(zero_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	if (!bpf_task_storage_get(&task_ctx, p, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE))
		return -ENOMEM;
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(zero_init)
{
	return scx_bpf_create_dsq(CPU0_DSQ, -1 /* any NUMA node */);
}

void BPF_STRUCT_OPS(zero_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(cpu0_ops,
	       .select_cpu	= (void *)zero_select_cpu,
	       .enqueue		= (void *)zero_enqueue,
	       .dispatch	= (void *)zero_dispatch,
	       .running		= (void *)zero_running,
	       .quiescent	= (void *)zero_quiescent,
	       .init_task	= (void *)zero_init_task,
	       .init		= (void *)zero_init,
	       .exit		= (void *)zero_exit,
	       .flags		= SCX_OPS_ENQ_LAST,
	       .name		= "cpu0");
