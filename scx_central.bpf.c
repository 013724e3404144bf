// SPDX-License-Identifier: GPL-2.0
/*
 * scx_central: one CPU makes every scheduling decision; the others just run
 * what they are given, for as long as they are allowed to, without a tick.
 *
 * Every wakeup is steered to the central CPU and every runnable task goes
 * into one FIFO (a BPF queue map of pids).  A CPU that runs dry does not
 * pick anything itself: it raises its hand and kicks the central CPU, whose
 * ops.dispatch() pops tasks and inserts them straight into the local DSQs of
 * the CPUs that asked, with an infinite slice.  A task with an infinite
 * slice lets a nohz_full CPU stop its scheduler tick, so the worker CPUs
 * take no timer interrupts while they run.  Time slicing has not gone away,
 * it has moved: a bpf_timer pinned to the central CPU looks at every other
 * CPU once per slice and preempts those that have run their task longer
 * than the slice while others wait.  That suits VMs (a guest vCPU that
 * takes no ticks does not exit to the host) and HPC jobs that own their
 * CPUs.
 *
 * What it shows:
 * - dispatching to another CPU's local DSQ (SCX_DSQ_LOCAL_ON | cpu) from
 *   one ops.dispatch(), within scx_bpf_dispatch_nr_slots();
 * - SCX_SLICE_INF, and scx_bpf_kick_cpu() with and without SCX_KICK_PREEMPT
 *   to wake a CPU or to take it back;
 * - SCX_ENQ_PREEMPT for per-CPU kthreads, which only have one place to run;
 * - SCX_OPS_ENQ_LAST, so that even "keep running what you ran" is decided
 *   here and not by the kernel, which would refill a finite slice;
 * - a bpf_timer pinned with BPF_F_TIMER_CPU_PIN;
 * - a user DSQ as the fallback for what the central path cannot place.
 *
 * Where it breaks down: the central CPU is a bottleneck by design.  Every
 * wakeup on the machine costs it a kick, and it can place only what it has
 * time for, so with many CPUs or a high wakeup rate the others wait on it
 * and its own tasks are preempted whenever someone asks for work.  The FIFO
 * knows no weights or priorities.  Pids, not task pointers, sit in the
 * queue, so a task that was dequeued and queued again appears twice; the
 * kernel drops the stale insert, at the price of a wasted round trip.  CPU
 * hotplug is not handled: the kernel stops the scheduler and the loader
 * starts it again.
 */
#include <scx/common.bpf.h>
#include "scx_central.h"

char _license[] SEC("license") = "GPL";

/* Tasks that the central path could not place, picked up by any CPU. */
#define FALLBACK_DSQ		0
/* How many queue entries one placement may look at before giving up. */
#define MAX_POPS		32

const volatile s32 central_cpu;		/* -c */
const volatile u32 nr_possible_cpus = 1;
const volatile u64 slice_ns = SCX_SLICE_DFL;	/* -s, in ns */
const volatile bool timer_no_pin;

UEI_DEFINE(uei);

/* The central queue; the loader sets max_entries from -q. */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4096);
	__type(value, s32);
} central_q SEC(".maps");

struct central_timer {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct central_timer);
} central_timer SEC(".maps");

/* CPU n has asked the central CPU for work and not yet been given any. */
u32 cpu_wants[CENTRAL_MAX_CPUS];
/* How many cpu_wants[] are set, so that enqueue need not scan them. */
u32 nr_wanting;
/* When the task on CPU n started, 0 if none; the central CPU is not kept. */
u64 cpu_started_at[CENTRAL_MAX_CPUS];

SCX_STATS(CENTRAL_NR_STATS);
/* The timer runs unpinned; the loader warns once. */
bool timer_unpinned;
static bool timer_armed;
/* Where the next round of placements starts, so no CPU is always last. */
static u32 dispatch_cursor;

static void set_wants(u32 cpu)
{
	if (cpu >= CENTRAL_MAX_CPUS)
		return;
	if (!__sync_val_compare_and_swap(&cpu_wants[cpu], 0, 1))
		__sync_fetch_and_add(&nr_wanting, 1);
}

static void clear_wants(u32 cpu)
{
	if (cpu >= CENTRAL_MAX_CPUS)
		return;
	if (__sync_val_compare_and_swap(&cpu_wants[cpu], 1, 0))
		__sync_fetch_and_sub(&nr_wanting, 1);
}

static bool queue_empty(void)
{
	s32 pid;

	return bpf_map_peek_elem(&central_q, &pid) != 0;
}

/*
 * A task still on a CPU is either a stale queue entry or is being switched
 * out right now, before the kernel has narrowed its cpus_ptr for a
 * migration-disabled section; either way it must not be sent elsewhere.
 */
static bool task_fits_cpu(struct task_struct *p, s32 cpu)
{
	if (scx_bpf_task_running(p) && scx_bpf_task_cpu(p) != cpu)
		return false;
	return bpf_cpumask_test_cpu(cpu, p->cpus_ptr) &&
	       !is_migration_disabled(p);
}

/*
 * Park @p on the fallback DSQ.  Any CPU that dispatches takes it if it may
 * run it there, so it needs no owner; an idle CPU that could is woken, and
 * busy ones are preempted by the timer once their slice is over.
 */
static void to_fallback(struct task_struct *p, u64 enq_flags)
{
	s32 cpu;

	scx_bpf_dsq_insert(p, FALLBACK_DSQ, slice_ns, enq_flags);
	if (is_migration_disabled(p))
		cpu = scx_bpf_task_cpu(p);
	else
		cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

s32 BPF_STRUCT_OPS(cntr_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	/*
	 * Wake everyone up on the central CPU's runqueue: the worker CPUs
	 * should not spend time on wakeups, and the central CPU will move the
	 * task anyway.  A task that may not run there is moved by the kernel
	 * to a CPU it allows, and ops.enqueue() copes with that.
	 */
	return central_cpu;
}

void BPF_STRUCT_OPS(cntr_enqueue, struct task_struct *p, u64 enq_flags)
{
	s32 pid = p->pid;
	s32 this_cpu = bpf_get_smp_processor_id();

	stat_inc(CSTAT_TOTAL);

	/*
	 * A per-CPU kthread can run in one place only, and it is usually
	 * something the CPU's current task waits for (a kworker flushing its
	 * I/O, ksoftirqd).  Going around the central CPU would only add a
	 * round trip, so it goes to the head of its own CPU and preempts.
	 */
	if ((p->flags & PF_KTHREAD) && p->nr_cpus_allowed == 1) {
		stat_inc(CSTAT_LOCAL);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns,
				   enq_flags | SCX_ENQ_PREEMPT);
		return;
	}

	/* It must finish on the CPU it is on, where the queue cannot send it. */
	if (is_migration_disabled(p)) {
		stat_inc(CSTAT_MISMATCH);
		to_fallback(p, enq_flags);
		return;
	}

	/*
	 * SCX_ENQ_LAST: the CPU found nothing else to run.  If nobody else is
	 * waiting either, the central CPU would only hand the task straight
	 * back, so keep it running here, with the slice it would have been
	 * given.
	 */
	if ((enq_flags & SCX_ENQ_LAST) && queue_empty()) {
		stat_inc(CSTAT_LOCAL);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL,
				   this_cpu == central_cpu ? slice_ns :
							     SCX_SLICE_INF,
				   enq_flags);
		return;
	}

	if (bpf_map_push_elem(&central_q, &pid, 0)) {
		stat_inc(CSTAT_OVERFLOW);
		to_fallback(p, enq_flags);
		return;
	}
	stat_inc(CSTAT_QUEUED);

	/*
	 * On the central CPU this is either its own scheduling path, which
	 * dispatches next anyway, or an interrupt there, which the timer
	 * catches.  Elsewhere, take the central CPU from its task only when a
	 * CPU is waiting for work; if not, waking it when idle is enough.
	 */
	if (this_cpu == central_cpu)
		return;
	scx_bpf_kick_cpu(central_cpu,
			 READ_ONCE(nr_wanting) ? SCX_KICK_PREEMPT : SCX_KICK_IDLE);
}

enum place_result {
	PLACE_EMPTY,		/* nothing in the queue for this CPU */
	PLACE_DONE,		/* a task is on its way */
	PLACE_NO_SLOTS,		/* this ops.dispatch() call is out of slots */
};

/*
 * Pop tasks until one can go to @cpu and insert it there.  Every insert
 * takes a dispatch slot, those to the fallback DSQ too, so the slots are
 * checked before every pop: a popped task always has somewhere to go.
 */
static enum place_result place_one(s32 cpu)
{
	enum place_result res = PLACE_EMPTY;
	bool central = cpu == central_cpu;
	s32 first_back = 0;
	u32 i;

	bpf_for(i, 0, MAX_POPS) {
		struct task_struct *p;
		s32 pid;

		if (!scx_bpf_dispatch_nr_slots()) {
			res = PLACE_NO_SLOTS;
			break;
		}
		if (bpf_map_pop_elem(&central_q, &pid))
			break;

		/* Back where we started: nothing in the queue fits. */
		if (first_back && pid == first_back) {
			if (bpf_map_push_elem(&central_q, &pid, 0) == 0)
				break;
			first_back = 0;
		}

		p = bpf_task_from_pid(pid);
		if (!p) {
			stat_inc(CSTAT_LOST);
			continue;
		}

		if (task_fits_cpu(p, cpu)) {
			/*
			 * The central CPU must keep a finite slice: it is the
			 * one that needs to come back to this function.
			 */
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | cpu,
					   central ? slice_ns : SCX_SLICE_INF, 0);
			bpf_task_release(p);
			stat_inc(CSTAT_DISPATCH);
			res = PLACE_DONE;
			break;
		}

		/*
		 * Tickless setups usually keep work off the central CPU, so a
		 * task that may not run there is common: it goes back to the
		 * tail to wait for a worker CPU, and we look further for one
		 * of our own.  A task that may not run on the worker that
		 * asked is rare; it goes where any allowed CPU finds it.
		 */
		if (central && !bpf_map_push_elem(&central_q, &pid, 0)) {
			if (!first_back)
				first_back = pid;
		} else {
			stat_inc(CSTAT_MISMATCH);
			to_fallback(p, 0);
		}
		bpf_task_release(p);
	}
	return res;
}

static void arm_timer(void)
{
	struct central_timer *ct;
	u32 key = 0;
	int ret;

	ct = bpf_map_lookup_elem(&central_timer, &key);
	if (!ct)
		return;

	ret = -EINVAL;
	if (!timer_no_pin)
		ret = bpf_timer_start(&ct->timer, slice_ns,
				      BPF_F_TIMER_CPU_PIN);
	if (ret == -EINVAL) {
		/* A kernel without BPF_F_TIMER_CPU_PIN: unpinned, but alive. */
		timer_unpinned = true;
		ret = bpf_timer_start(&ct->timer, slice_ns, 0);
	}
	if (ret)
		scx_bpf_error("cannot start the slice timer (%d)", ret);
}

static void dispatch_central(void)
{
	u32 i, start = dispatch_cursor;

	/*
	 * ops.init() runs on whatever CPU the kernel's enable worker is on,
	 * so the timer is started here, where we know which CPU we are on.
	 */
	if (!timer_armed) {
		timer_armed = true;
		arm_timer();
	}

	bpf_for(i, 0, nr_possible_cpus) {
		u64 cpu = ((u64)start + i) % nr_possible_cpus;
		enum place_result res;

		if (cpu >= CENTRAL_MAX_CPUS)
			break;
		if (cpu == central_cpu || !READ_ONCE(cpu_wants[cpu]))
			continue;
		res = place_one(cpu);
		if (res == PLACE_DONE) {
			clear_wants(cpu);
			/*
			 * PREEMPT: if the CPU found something else to do in
			 * the meantime, that may be an infinite slice too.
			 */
			scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
			continue;
		}
		if (res == PLACE_NO_SLOTS) {
			/*
			 * Come back once the kernel has flushed this batch,
			 * starting with the CPU that missed out.
			 */
			stat_inc(CSTAT_RETRY);
			dispatch_cursor = cpu;
			scx_bpf_kick_cpu(central_cpu, SCX_KICK_PREEMPT);
			return;
		}
		if (queue_empty())
			break;
	}
	dispatch_cursor = (start + 1) % nr_possible_cpus;

	/* And something for ourselves. */
	if (!scx_bpf_dsq_move_to_local(FALLBACK_DSQ))
		place_one(central_cpu);
}

void BPF_STRUCT_OPS(cntr_dispatch, s32 cpu, struct task_struct *prev)
{
	if (scx_dispatch_for_sibling(cpu))
		return;

	if (cpu == central_cpu) {
		dispatch_central();
		return;
	}

	/*
	 * What the central path could not place comes first: it may have
	 * nowhere else to go.  Otherwise ask, and wait to be kicked.
	 */
	if (scx_bpf_dsq_move_to_local(FALLBACK_DSQ))
		return;
	set_wants(cpu);
	scx_bpf_kick_cpu(central_cpu, SCX_KICK_PREEMPT);
}

void BPF_STRUCT_OPS(cntr_running, struct task_struct *p)
{
	u32 cpu = scx_bpf_task_cpu(p);
	u64 now = bpf_ktime_get_ns();

	if (cpu == central_cpu || cpu >= CENTRAL_MAX_CPUS)
		return;
	/* 0 means "nothing running" to the timer. */
	cpu_started_at[cpu] = now ?: 1;
}

void BPF_STRUCT_OPS(cntr_stopping, struct task_struct *p, bool runnable)
{
	u32 cpu = scx_bpf_task_cpu(p);

	if (cpu == central_cpu || cpu >= CENTRAL_MAX_CPUS)
		return;
	cpu_started_at[cpu] = 0;
}

/*
 * Once per slice, on the central CPU: take back the CPUs that have run one
 * task for a slice or more while others wait.  Their tasks have infinite
 * slices, so nothing else would.
 */
static int central_timerfn(void *map, u32 *key, struct bpf_timer *timer)
{
	u64 now = bpf_ktime_get_ns();
	bool fallback = scx_bpf_dsq_nr_queued(FALLBACK_DSQ) > 0;
	bool waiting = fallback || !queue_empty();
	u32 i;

	bpf_for(i, 0, nr_possible_cpus) {
		u64 cpu = i;
		u64 started;

		if (cpu >= CENTRAL_MAX_CPUS)
			break;
		if (cpu == central_cpu)
			continue;
		started = READ_ONCE(cpu_started_at[cpu]);
		if (!started) {
			/* Idle CPUs pick up what waits on the fallback DSQ. */
			if (fallback)
				scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
			continue;
		}
		if (now - started < slice_ns)
			continue;
		if (!waiting &&
		    scx_bpf_dsq_nr_queued(SCX_DSQ_LOCAL_ON | cpu) <= 0)
			continue;
		stat_inc(CSTAT_TIMER);
		scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
	}

	/* CPUs asked while the central CPU was busy with a task: serve them. */
	if (waiting && READ_ONCE(nr_wanting))
		scx_bpf_kick_cpu(central_cpu, SCX_KICK_PREEMPT);

	bpf_timer_start(timer, slice_ns,
			timer_unpinned ? 0 : BPF_F_TIMER_CPU_PIN);
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(cntr_init)
{
	struct central_timer *ct;
	u32 key = 0;
	s32 ret;

	ret = scx_bpf_create_dsq(FALLBACK_DSQ, -1);
	if (ret)
		return ret;

	ct = bpf_map_lookup_elem(&central_timer, &key);
	if (!ct)
		return -ENOENT;
	ret = bpf_timer_init(&ct->timer, &central_timer, CLOCK_MONOTONIC);
	if (ret)
		return ret;
	ret = bpf_timer_set_callback(&ct->timer, central_timerfn);
	if (ret)
		return ret;

	/* Make sure the central CPU runs ops.dispatch(), which arms it. */
	scx_bpf_kick_cpu(central_cpu, SCX_KICK_PREEMPT);
	return 0;
}

void BPF_STRUCT_OPS(cntr_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(central_ops,
	       .select_cpu	= (void *)cntr_select_cpu,
	       .enqueue		= (void *)cntr_enqueue,
	       .dispatch	= (void *)cntr_dispatch,
	       .running		= (void *)cntr_running,
	       .stopping	= (void *)cntr_stopping,
	       .init		= (void *)cntr_init,
	       .exit		= (void *)cntr_exit,
	       .flags		= SCX_OPS_ENQ_LAST,
	       .name		= "central");
