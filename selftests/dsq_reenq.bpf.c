// SPDX-License-Identifier: GPL-2.0
/*
 * scx_bpf_dsq_reenq(dsq_id, reenq_flags), new in 7.x, takes every task
 * queued on a DSQ (a user DSQ, or a CPU's local DSQ) off it and hands it
 * back to the BPF scheduler: each comes through ops.enqueue() again, with
 * SCX_ENQ_REENQ in its enq_flags and SCX_TASK_REENQ_KFUNC in the reason
 * bits of p->scx.flags.  It is in the kfunc set any callback and any
 * BPF_PROG_TYPE_SYSCALL program may call; the only filter flag it takes
 * is SCX_REENQ_ANY, and no filter bit means SCX_REENQ_ANY.  The walk is
 * deferred: the call only queues it on the calling CPU, which runs it soon
 * after, holding each task's rq lock in turn.
 *
 * The experiment: ops.enqueue() parks NR_PARKED spinners in PARK_DSQ, a
 * FIFO no CPU consumes (there is no ops.dispatch(), and the kernel serves
 * only SCX_DSQ_GLOBAL), so they stay there.  A syscall program then calls
 * the kfunc once.  Every parked task must come back exactly once, with
 * both marks of a kfunc re-enqueue, without running in between; ops.enqueue()
 * releases it to SCX_DSQ_GLOBAL, and PARK_DSQ is left empty.
 *
 * The misuse: a scheduler that answers each re-enqueue by parking the
 * task again and asking for another re-enqueue keeps re-deciding a
 * placement that never runs the task.  The kernel counts re-enqueues
 * without a run in p->scx.reenq_cnt and, past SCX_REENQ_MAX_REPEAT (256),
 * ejects the scheduler with SCX_EXIT_ERROR_REENQ before the 257th reaches
 * ops.enqueue().
 *
 * SCX_OPS_ENQ_MIGRATION_DISABLED, which the third test proves, decides
 * who places a task that is put back while migration is disabled for it:
 * without the flag the kernel queues it on its CPU's local DSQ itself
 * (counting SCX_EV_ENQ_SKIP_MIGRATION_DISABLED) and ops.enqueue() never
 * sees it; with the flag it reaches ops.enqueue() like any other task.
 * A BPF_PROG_TYPE_SYSCALL program runs between migrate_disable() and
 * migrate_enable() (bpf_prog_run_pin_on_cpu()), yet preemptibly, so the
 * test's own thread, pinned to a CPU with a spinner, runs the hold
 * program until its short slice runs out at a tick: the kernel then puts
 * it back, migration-disabled, and runs the spinner.  ops.stopping() sees
 * that moment (runnable, slice 0, p->migration_disabled set), and
 * ops.running() the return; in between, ops.enqueue() is called once
 * with the flag and never without it.
 *
 * SCX_OPS_ALLOW_QUEUED_WAKEUP, the fourth test, lets wakeups of the
 * scheduler's tasks take the wake-list path (ttwu_queue_cond()): a waker
 * whose target CPU is idle (or shares no cache with it) only queues the
 * task on that CPU's wake list and sends an IPI, and the target CPU
 * activates the task itself, so ops.enqueue() runs there.  Without the
 * flag, scx_allow_ttwu_queue() refuses that path and the waker takes the
 * target rq's lock and calls ops.enqueue() on its own CPU.  A pingpong
 * child pinned to an idle CPU is woken from the test thread pinned to
 * another; ops.enqueue() records on which CPU each wakeup ran.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define PARK_DSQ	7
#define NR_PARKED	4
#define HOLD_SLICE	(2 * NSEC_PER_MSEC)

/* 7.x only; weak, so the object also loads on 6.12 (where the test skips). */
void scx_bpf_dsq_reenq(u64 dsq_id, u64 reenq_flags) __ksym __weak;

/* Set by user space before attaching. */
s32 parked_pid[NR_PARKED];
bool misuse;

/* What the BPF side saw, per parked task. */
u64 nr_parked[NR_PARKED];	/* plain enqueues into PARK_DSQ */
u64 nr_reenq[NR_PARKED];	/* enqueues with SCX_ENQ_REENQ */
u64 nr_run[NR_PARKED];		/* ops.running() calls */
u64 run_at_call[NR_PARKED];	/* nr_run when the kfunc was called */
u64 run_before_reenq[NR_PARKED];	/* nr_run at the last re-enqueue */
u64 reenq_enq_flags[NR_PARKED];	/* enq_flags of the last re-enqueue */
u32 reenq_task_flags[NR_PARKED]; /* p->scx.flags at that re-enqueue */
bool released[NR_PARKED];

/* The migration-disabled experiment: its thread and what was seen. */
s32 holder_pid;
s32 spinner_pid;
u32 md_in_prog;		/* current->migration_disabled inside hold() */
u32 md_at_stop;		/* p->migration_disabled when it was put back */
u32 md_at_enq;		/* ... and in ops.enqueue() after that, if any */
u64 enq_in_cycle;	/* ops.enqueue() calls from put back to running */
u64 nr_cycles;
bool in_cycle;

/* The queued-wakeup experiment: the wakee, its CPU, the waker's CPU. */
s32 wakee_pid;
s32 wakee_cpu, waker_cpu;
u64 nr_wake_on_waker, nr_wake_on_wakee, nr_wake_other;

/* Filled by the syscall programs. */
s64 queued_before, queued_after;
u64 nr_calls;

static int parked_idx(const struct task_struct *p)
{
	int i;

	for (i = 0; i < NR_PARKED; i++)
		if (p->pid && p->pid == parked_pid[i])
			return i;
	return -1;
}

void BPF_STRUCT_OPS(dsq_reenq_enqueue, struct task_struct *p, u64 enq_flags)
{
	int i = parked_idx(p);

	if (holder_pid && p->pid == holder_pid) {
		if (in_cycle) {
			enq_in_cycle++;
			md_at_enq = p->migration_disabled;
		}
		/* Its own CPU: it may be migration-disabled. */
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, HOLD_SLICE, enq_flags);
		return;
	}
	if (wakee_pid && p->pid == wakee_pid) {
		if (enq_flags & SCX_ENQ_WAKEUP) {
			s32 cpu = bpf_get_smp_processor_id();

			if (cpu == waker_cpu)
				nr_wake_on_waker++;
			else if (cpu == wakee_cpu)
				nr_wake_on_wakee++;
			else
				nr_wake_other++;
		}
		/* The rq locked for this call: the wakee's CPU. */
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	if (spinner_pid && p->pid == spinner_pid) {
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, HOLD_SLICE, enq_flags);
		return;
	}

	if (i < 0 || i >= NR_PARKED) {
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		return;
	}

	if (enq_flags & SCX_ENQ_REENQ) {
		nr_reenq[i]++;
		reenq_enq_flags[i] = enq_flags;
		reenq_task_flags[i] = p->scx.flags;
		run_before_reenq[i] = nr_run[i];
		if (misuse) {
			/* Park it again and ask for yet another walk. */
			scx_bpf_dsq_insert(p, PARK_DSQ, SCX_SLICE_DFL, enq_flags);
			scx_bpf_dsq_reenq(PARK_DSQ, 0);
			return;
		}
		released[i] = true;
	}

	if (released[i]) {
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	nr_parked[i]++;
	scx_bpf_dsq_insert(p, PARK_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(dsq_reenq_running, struct task_struct *p)
{
	int i = parked_idx(p);

	if (holder_pid && p->pid == holder_pid && in_cycle) {
		in_cycle = false;
		nr_cycles++;
	}

	if (i >= 0 && i < NR_PARKED)
		nr_run[i]++;
}

/*
 * The holder's slice ran out while migration was disabled for it: the
 * kernel puts it back now.  (A higher class taking the CPU would leave a
 * slice, and the task at the head of the local DSQ, with or without the
 * flag.)
 */
void BPF_STRUCT_OPS(dsq_reenq_stopping, struct task_struct *p, bool runnable)
{
	if (!holder_pid || p->pid != holder_pid || !runnable ||
	    p->scx.slice || !p->migration_disabled || nr_cycles || in_cycle)
		return;
	md_at_stop = p->migration_disabled;
	enq_in_cycle = 0;
	in_cycle = true;
}

static long hold_cb(u64 i, void *ctx)
{
	return nr_cycles ? 1 : 0;
}

/* Spin with migration disabled until one put-back-and-run cycle is seen. */
SEC("syscall")
int hold(void *ctx)
{
	md_in_prog = bpf_get_current_task_btf()->migration_disabled;
	bpf_loop(1 << 23, hold_cb, NULL, 0);
	return 0;
}

/* How many tasks PARK_DSQ holds now. */
SEC("syscall")
int count_parked(void *ctx)
{
	queued_after = scx_bpf_dsq_nr_queued(PARK_DSQ);
	return 0;
}

/* Re-enqueue PARK_DSQ once; no filter bit is SCX_REENQ_ANY. */
SEC("syscall")
int reenq_parked(void *ctx)
{
	if (!bpf_ksym_exists(scx_bpf_dsq_reenq))
		return -1;
	int i;

	for (i = 0; i < NR_PARKED; i++)
		run_at_call[i] = nr_run[i];
	queued_before = scx_bpf_dsq_nr_queued(PARK_DSQ);
	scx_bpf_dsq_reenq(PARK_DSQ, 0);
	nr_calls++;
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(dsq_reenq_init)
{
	return scx_bpf_create_dsq(PARK_DSQ, -1);
}

void BPF_STRUCT_OPS(dsq_reenq_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(dsq_reenq_ops,
	       .enqueue		= (void *)dsq_reenq_enqueue,
	       .running		= (void *)dsq_reenq_running,
	       .stopping	= (void *)dsq_reenq_stopping,
	       .init		= (void *)dsq_reenq_init,
	       .exit		= (void *)dsq_reenq_exit,
	       .name		= "dsq_reenq");
