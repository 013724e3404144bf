// SPDX-License-Identifier: GPL-2.0
/*
 * scx_userland: the order of ordinary tasks is decided by a user-space
 * program; this BPF side only carries tasks there and back.
 *
 * When a task becomes runnable, ops.enqueue() writes (pid, weight, run time)
 * into a BPF ring buffer and keeps the task queued in BPF, inserted in no
 * DSQ.  The loader's main thread, the "user-space scheduler", reads those
 * records from shared memory, keeps the tasks in a heap ordered by weighted
 * vruntime, and writes the next few (at most -b per round) into a user ring
 * buffer.  ops.dispatch() drains that ring with bpf_user_ringbuf_drain() and
 * inserts each task in a shared DSQ, ordered by the vtime user space chose.
 *
 * What it shows:
 * - both directions through rings mapped into user space: no bpf() syscall
 *   per task.  A design with QUEUE maps pays one syscall per task each way;
 * - a task that BPF holds (queued, in no DSQ) and inserts later from
 *   ops.dispatch(): that is how the user-space scheduler itself is run, only
 *   when there is work for it;
 * - ops.update_idle() next to the built-in idle tracking
 *   (SCX_OPS_KEEP_BUILTIN_IDLE), to make sure an idle CPU notices work.
 *
 * Some tasks never go to user space, because it could not place them or
 * because it needs them to run:
 * - tasks that may not run on every CPU (per-CPU kthreads among them):
 *   they go straight to the local DSQ of the CPU they were enqueued on;
 * - all other kernel threads too: the user scheduler's own progress hangs
 *   on some of them (the RCU grace-period kthread, the workers that finish
 *   its I/O), and while it is stopped, so would theirs;
 * - the user-space scheduler itself;
 * - the tracer of the user-space scheduler (strace, gdb): while the tracer
 *   waits to run, the traced scheduler is stopped, and would wait forever.
 *
 * If the ring to user space is full (its size is -r), the task goes to a
 * fallback DSQ that every CPU serves first, so the system keeps running
 * even while the user scheduler is stopped; if the ring back is full, user
 * space keeps the task and tries again next round.  Either way it is
 * counted, never lost.
 *
 * Where it breaks down: every scheduling decision waits for one user-space
 * thread, so latency grows with that thread's own delays, and if it stops
 * (a page fault on a file on a stuck disk, a blocking write to a full pipe)
 * every task it holds stops too, until the watchdog ends the scheduler.
 * The user-space side calls mlockall() against the first; the second is
 * up to whoever reads its output.  One shared DSQ also limits it to small
 * machines.  A demonstration, not a production scheduler.
 */
#include <scx/common.bpf.h>
#include "scx_userland.h"

char _license[] SEC("license") = "GPL";

/*
 * Tasks user space ordered, by its vtime; and tasks that did not fit in
 * the ring to user space, in FIFO order.
 */
#define SHARED_DSQ	0
#define FALLBACK_DSQ	1

const volatile s32 usersched_pid;	/* thread id of the user scheduler */
const volatile u32 nr_online_cpus;	/* CPUs online when loaded */
const volatile u32 batch = 8;		/* -b: tasks per round */
const volatile u32 nr_bpf;		/* __NR_bpf, set by the loader */

/*
 * Written by user space through the memory-mapped .bss, read here:
 * tasks it holds in its heap, tasks it has sent back in total, and "wake
 * me, I have been asked to stop".
 */
u64 user_pending;
u64 user_sent;
u32 user_stop;

/*
 * The user scheduler is queued in BPF but not inserted in any DSQ: it
 * yielded with tasks still in its heap, and there is nothing for it to do
 * until the tasks it sent have been drained.
 */
static bool usersched_held;

/* Counters, read by user space from the .bss, so with no syscall either. */
u64 nr_to_user;		/* tasks written to the ring to user space */
u64 nr_fallback;	/* ring to user space full: fallback DSQ */
u64 nr_kept_affinity;	/* kept in BPF: cannot run everywhere */
u64 nr_kept_kthread;	/* kept in BPF: other kernel threads */
u64 nr_kept_tracer;	/* kept in BPF: the user scheduler's tracer */
u64 nr_usersched;	/* the user scheduler, inserted by BPF */
u64 nr_drained;		/* taken from the ring back */
u64 nr_drain_gone;	/* ... of those, tasks that no longer exist */
u64 nr_bpf_syscalls;	/* bpf() calls made by the user scheduler */

UEI_DEFINE(uei);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, USERLAND_ENQ_RING_SIZE);
} to_user SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, USERLAND_DISP_RING_SIZE);
} from_user SEC(".maps");

static void inc(u64 *cnt)
{
	__sync_fetch_and_add(cnt, 1);
}

static bool is_usersched(const struct task_struct *p)
{
	return p->pid == usersched_pid;
}

/* Is @p tracing the user scheduler? */
static bool is_usersched_tracer(const struct task_struct *p)
{
	struct task_struct *us;
	bool ret = false;

	us = bpf_task_from_pid(usersched_pid);
	if (!us)
		return false;
	if (us->ptrace)
		ret = (u64)BPF_CORE_READ(us, parent) == (u64)p;
	bpf_task_release(us);
	return ret;
}

/*
 * Tasks that must not wait for user space.  Affinity first: it covers
 * per-CPU kthreads.  The tracer test, the only costly one, comes last.
 */
static bool keep_in_bpf(const struct task_struct *p)
{
	if (p->nr_cpus_allowed < nr_online_cpus) {
		inc(&nr_kept_affinity);
		return true;
	}
	if (p->flags & PF_KTHREAD) {
		inc(&nr_kept_kthread);
		return true;
	}
	if (is_usersched_tracer(p)) {
		inc(&nr_kept_tracer);
		return true;
	}
	return false;
}

/*
 * Does the user scheduler have something to do?  New records to read, a
 * request to stop, or tasks in its heap while the last batch has been
 * drained and the shared DSQ runs short.
 */
static bool usersched_needed(void)
{
	/* nr_drained: a plain load; clang 19 fails on a volatile one here. */
	u64 sent = READ_ONCE(user_sent), drained = nr_drained;

	if (bpf_ringbuf_query(&to_user, BPF_RB_AVAIL_DATA) || READ_ONCE(user_stop))
		return true;
	return READ_ONCE(user_pending) && !scx_vtime_before(drained, sent) &&
	       scx_bpf_dsq_nr_queued(SHARED_DSQ) < batch;
}

/* Wake one idle CPU, so that it runs ops.dispatch(). */
static void kick_idle_cpu(void)
{
	const struct cpumask *idle = scx_bpf_get_idle_cpumask();
	s32 cpu = scx_bpf_pick_idle_cpu(idle, 0);

	scx_bpf_put_idle_cpumask(idle);
	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

s32 BPF_STRUCT_OPS(userland_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool idle = false;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);
	/*
	 * Only tasks that would skip user space anyway may take an idle CPU
	 * here; everyone else is ordered by user space, or the order would
	 * mean nothing.  The idle CPU picked for them is still woken by the
	 * wakeup and looks at the rings in ops.dispatch().
	 */
	if (idle && is_usersched(p)) {
		inc(&nr_usersched);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(userland_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct userland_enq *rec;

	if (is_usersched(p)) {
		/*
		 * It is here because it woke up (there is work: a ring
		 * notification, a signal), was preempted, or yielded.  Only a
		 * yield with its last batch still undrained leaves it with
		 * nothing to do; then hold it, and let ops.dispatch() insert
		 * it when that changes.
		 */
		if (!usersched_needed() && READ_ONCE(user_pending)) {
			usersched_held = true;
			return;
		}
		inc(&nr_usersched);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
		return;
	}

	if (keep_in_bpf(p)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
		return;
	}

	rec = bpf_ringbuf_reserve(&to_user, sizeof(*rec), 0);
	if (!rec) {
		inc(&nr_fallback);
		scx_bpf_dsq_insert(p, FALLBACK_DSQ, SCX_SLICE_DFL, enq_flags);
		kick_idle_cpu();
		return;
	}
	rec->pid = p->pid;
	rec->weight = p->scx.weight;
	rec->sum_exec = p->se.sum_exec_runtime;
	/* Counted first, so that user space never reads more than we sent. */
	inc(&nr_to_user);
	/*
	 * Default (adaptive) notification: the user scheduler is woken only
	 * if it had read everything before, i.e. if it may be asleep.
	 */
	bpf_ringbuf_submit(rec, 0);

	/*
	 * A held user scheduler is not woken by the ring: it is runnable
	 * already.  Make sure some CPU goes through ops.dispatch() to run it.
	 */
	if (usersched_held)
		kick_idle_cpu();
}

struct drain_ctx {
	u32 slots;	/* inserts ops.dispatch() may still make */
	u32 nr;
};

static long drain_one(struct bpf_dynptr *dynptr, struct drain_ctx *ctx)
{
	struct userland_disp msg;
	struct task_struct *p;

	if (bpf_dynptr_read(&msg, sizeof(msg), dynptr, 0, 0)) {
		scx_bpf_error("short record in the ring from user space");
		return 1;
	}
	inc(&nr_drained);
	p = bpf_task_from_pid(msg.pid);
	if (!p) {
		/* It exited while user space held it: nothing to run. */
		inc(&nr_drain_gone);
	} else {
		/*
		 * If @p was dequeued and queued again since user space heard
		 * of it, this inserts its current queueing and the later
		 * record for it finds it no longer queued; the kernel checks
		 * that, so a stale record is harmless.
		 */
		scx_bpf_dsq_insert_vtime(p, SHARED_DSQ, SCX_SLICE_DFL,
					 msg.vtime, 0);
		bpf_task_release(p);
	}
	return ++ctx->nr >= ctx->slots;
}

/* Insert the held user scheduler on this CPU, ahead of anything local. */
static bool run_usersched(void)
{
	struct task_struct *p;

	if (!usersched_held)
		return false;
	p = bpf_task_from_pid(usersched_pid);
	if (!p)
		return false;
	usersched_held = false;
	inc(&nr_usersched);
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, SCX_ENQ_HEAD);
	bpf_task_release(p);
	return true;
}

void BPF_STRUCT_OPS(userland_dispatch, s32 cpu, struct task_struct *prev)
{
	struct drain_ctx dctx = {};
	u32 i;

	if (scx_dispatch_for_sibling(cpu))
		return;

	/* Keep one insert for the user scheduler. */
	dctx.slots = scx_bpf_dispatch_nr_slots();
	if (dctx.slots <= 1)
		return;
	dctx.slots--;
	bpf_user_ringbuf_drain(&from_user, drain_one, &dctx, 0);

	/*
	 * The inserts above land in the shared DSQ only when this callback
	 * returns, so other CPUs cannot see them yet; wake as many idle CPUs
	 * as there are tasks beyond the one this CPU will take.
	 */
	for (i = 1; i < dctx.nr && i < nr_online_cpus; i++)
		kick_idle_cpu();

	if (usersched_needed() && run_usersched())
		return;
	if (scx_bpf_dsq_move_to_local(FALLBACK_DSQ))
		return;
	if (scx_bpf_dsq_move_to_local(SHARED_DSQ))
		return;
	/*
	 * Nothing else to run here: never idle while the user scheduler
	 * waits, or a quiet system could keep it held forever.
	 */
	run_usersched();
}

void BPF_STRUCT_OPS(userland_update_idle, s32 cpu, bool idle)
{
	/*
	 * ops.dispatch() has just found nothing here, but a task may have
	 * been queued meanwhile on a CPU that found no idle CPU to kick,
	 * because this one was not marked idle yet.  Look once more.
	 */
	if (!idle)
		return;
	if ((usersched_held && usersched_needed()) ||
	    scx_bpf_dsq_nr_queued(FALLBACK_DSQ) ||
	    scx_bpf_dsq_nr_queued(SHARED_DSQ))
		scx_bpf_kick_cpu(cpu, 0);
}

/*
 * The scheduler's own count of its bpf() syscalls, so that its claim of
 * "no syscall per task" can be checked from its stats line.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(userland_sys_enter, struct pt_regs *regs, long id)
{
	if (id == nr_bpf && bpf_get_current_pid_tgid() >> 32 == usersched_pid)
		inc(&nr_bpf_syscalls);
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(userland_init)
{
	s32 ret;

	ret = scx_bpf_create_dsq(SHARED_DSQ, -1);
	if (ret)
		return ret;
	return scx_bpf_create_dsq(FALLBACK_DSQ, -1);
}

void BPF_STRUCT_OPS(userland_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(userland_ops,
	       .select_cpu	= (void *)userland_select_cpu,
	       .enqueue		= (void *)userland_enqueue,
	       .dispatch	= (void *)userland_dispatch,
	       .update_idle	= (void *)userland_update_idle,
	       .init		= (void *)userland_init,
	       .exit		= (void *)userland_exit,
	       /* update_idle() wakes us; the kernel still tracks idle CPUs. */
	       .flags		= SCX_OPS_KEEP_BUILTIN_IDLE,
	       .name		= "userland");
