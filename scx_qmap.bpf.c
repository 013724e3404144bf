// SPDX-License-Identifier: GPL-2.0
/*
 * scx_qmap: five FIFO queues of PIDs, and a tour of most of sched_ext.
 *
 * The scheduling policy is deliberately simple so that the plumbing around
 * it stays readable.  On enqueue a task's PID is pushed onto one of five
 * BPF_MAP_TYPE_QUEUE maps, picked by its weight: the lightest tasks (nice 6
 * and up) go to queue 0, nice 0 to queue 2, the heaviest (nice -8 and below)
 * to queue 4.  The queues are the inner maps of an ARRAY_OF_MAPS so that
 * ops.dispatch() can index them with a number.
 *
 * Each CPU visits the queues round-robin, and on a visit to queue i it may
 * take up to 2^i tasks: 1 from queue 0, 2 from queue 1, ... 16 from queue 4.
 * Why that weights the queues: while every queue has work, one full round of
 * a CPU takes 1 + 2 + 4 + 8 + 16 tasks, so a task in queue i gets on a CPU
 * 2^i times as often as one in queue 0, in proportion to its weight class.
 * Nobody starves, because every round still takes one task from queue 0,
 * and an empty queue costs nothing because the CPU moves straight on.  The
 * price is coarseness: the five classes are powers of two apart, and within
 * a class a task's exact weight no longer matters.
 *
 * Popped PIDs are looked up and inserted into one shared DSQ, and the CPU
 * then moves the head of the shared DSQ to its local DSQ.  The shared DSQ
 * is FIFO and every dispatch feeds it from the queues, so a task that made
 * it there runs in turn.  Going through a DSQ instead of inserting into the
 * local DSQ straight away is what lets the -H boosting below find and
 * reorder tasks that were already popped.
 *
 * What else it shows, callback by callback:
 * - ops.select_cpu() inserts straight into SCX_DSQ_LOCAL when the previous
 *   CPU, or any CPU, is idle; ops.enqueue() does the same with
 *   SCX_DSQ_LOCAL_ON | cpu for tasks that never went through select_cpu
 *   (those lack SCX_ENQ_CPU_SELECTED: a preempted task, a task that yielded
 *   or a task bound to one CPU, which goes to its CPU even when busy);
 * - ops.cpu_release(): when a higher class (RT, deadline, stop) takes a CPU,
 *   scx_bpf_reenqueue_local() hands its local DSQ back to ops.enqueue() with
 *   SCX_ENQ_REENQ, and those tasks go to the shared DSQ and wake an idle CPU
 *   rather than waiting for the CPU they lost;
 * - a full queue falls back to the shared DSQ, so a task is never dropped;
 * - ops.core_sched_before() orders two tasks by how many rounds each still
 *   has to wait in its queue, so core scheduling agrees with the queues;
 *   under core scheduling ops.dispatch() is also called for SMT siblings,
 *   from the CPU that schedules, and returns at once there (see
 *   scx_dispatch_for_sibling());
 * - ops.tick() sets each CPU's performance target from the weights of the
 *   tasks it runs (scx_bpf_cpuperf_set()), for schedutil to act on;
 * - ops.dequeue() is counted; ops.cpu_online()/ops.cpu_offline() exist, so a
 *   CPU hotplug no longer forces the scheduler to restart;
 * - -H: nice -20 tasks are picked out of the shared DSQ with the DSQ
 *   iterator, moved to a high-priority DSQ with scx_bpf_dsq_move(), and from
 *   there to a CPU's local DSQ with SCX_ENQ_PREEMPT, ahead of everyone else;
 * - a one-second bpf_timer does the boosting when no CPU dispatches, gathers
 *   the cpuperf numbers for the loader, and with -P prints the shared DSQ to
 *   trace_pipe;
 * - ops.dump(), ops.dump_cpu() and ops.dump_task() add the queues' state to
 *   the kernel's debug dump (-S leaves them out);
 * - options that break the scheduler on purpose (-e, -t, -T, -l), to watch
 *   the kernel's error, stall and dispatch-loop protections at work.
 *
 * Where it breaks down: the queues know PIDs, not tasks, so a task that left
 * and came back can sit in a queue twice (the stale entry is harmless: the
 * kernel ignores an insert of a task that is no longer queued); the global
 * shared DSQ and the queue maps are points of contention; the five weight
 * classes are coarse, and nothing here knows about caches or NUMA.  It is a
 * demonstration, not a scheduler to run in production.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define NR_QUEUES	5
#define QUEUE_LEN	4096
#define SHARED_DSQ	0
#define HIGHPRI_DSQ	1

#define SCHED_EXT	7
/* static_prio of a nice -20 task: MAX_RT_PRIO (100) + 20 + nice. */
#define NICE_M20_PRIO	100

const volatile u64 slice_ns = SCX_SLICE_DFL;
const volatile u64 error_after;		/* -e */
const volatile u32 stall_user_nth;	/* -t */
const volatile u32 stall_kernel_nth;	/* -T */
const volatile u64 dsp_loop_after;	/* -l */
const volatile u32 dsp_batch;		/* -b */
const volatile bool print_shared_dsq;	/* -P */
const volatile bool highpri_boosting;	/* -H */
const volatile s32 disallow_tgid;	/* -d */
const volatile bool suppress_dump;	/* -S */

UEI_DEFINE(uei);

/*
 * Stats, read by the loader from .bss.  Unlike the per-CPU SCX_STATS() of
 * the other examples, these are global counts bumped atomically, because
 * the scheduler reads them itself: -e and -l act on the Nth enqueue and
 * dispatch system-wide, and ops.dump() prints them.
 */
u64 nr_enqueued, nr_dispatched, nr_reenqueued, nr_dequeued;
u64 nr_core_sched, nr_dsp_sibling;
u64 nr_direct_select, nr_direct_enq, nr_overflow;
u64 nr_boost_queued, nr_boost_local, nr_boost_remote, nr_boost_timer;
u64 nr_boost_lost, nr_cpu_online, nr_cpu_offline;
u32 perf_cur_min, perf_cur_avg, perf_cur_max;
u32 perf_tgt_min, perf_tgt_avg, perf_tgt_max;

struct pid_queue {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, QUEUE_LEN);
	__type(value, u32);
};

struct pid_queue queue0 SEC(".maps"), queue1 SEC(".maps"),
	queue2 SEC(".maps"), queue3 SEC(".maps"), queue4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, NR_QUEUES);
	__type(key, u32);
	__array(values, struct pid_queue);
} queues SEC(".maps") = {
	.values = { &queue0, &queue1, &queue2, &queue3, &queue4 },
};

/*
 * Pushes and pops per queue.  A task pushed as number @seq has
 * @seq - pops entries ahead of it; see core_sched_before.  A map rather
 * than a global array, so that the map lookup does the bounds check.
 */
struct queue_seq {
	u64 pushes;
	u64 pops;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_QUEUES);
	__type(key, u32);
	__type(value, struct queue_seq);
} queue_seqs SEC(".maps");

struct task_ctx {
	bool queued;	/* its PID was pushed and not yet popped or dequeued */
	u32 qidx;
	u64 seq;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

struct cpu_ctx {
	u32 qidx;		/* the queue this CPU is visiting */
	u32 left;		/* tasks it may still take on this visit */
	u64 avg_weight;		/* of the tasks it ran, decaying */
	u32 perf_target;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct cpu_ctx);
} cpu_ctxs SEC(".maps");

struct monitor {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct monitor);
} monitor SEC(".maps");

/*
 * Look up queue @idx through a copy, so that @idx itself never has its
 * address taken and keeps the bounds the verifier learnt for it.
 */
static void *queue_map(u32 idx)
{
	u32 key = idx;

	return bpf_map_lookup_elem(&queues, &key);
}

static struct queue_seq *queue_seq(u32 idx)
{
	return bpf_map_lookup_elem(&queue_seqs, &idx);
}

static struct task_ctx *task_ctx(struct task_struct *p)
{
	return bpf_task_storage_get(&task_ctxs, p, 0, 0);
}

static struct cpu_ctx *cpu_ctx(s32 cpu)
{
	u32 zero = 0;

	if (cpu < 0)
		return bpf_map_lookup_elem(&cpu_ctxs, &zero);
	return bpf_map_lookup_percpu_elem(&cpu_ctxs, &zero, cpu);
}

/* nice 0 weighs 100; nice -20 8668 and nice 19 1. */
static u32 weight_to_queue(u32 weight)
{
	if (weight <= 30)
		return 0;
	if (weight <= 70)
		return 1;
	if (weight <= 150)
		return 2;
	if (weight <= 500)
		return 3;
	return 4;
}

/*
 * @prev if it is idle, else any idle CPU @p may use, else -EBUSY.  A task
 * bound to one CPU gets @prev, idle or not: it can wait nowhere else, and
 * the queues would only delay it.  Only ops.enqueue() sees such a task: the
 * kernel skips ops.select_cpu() for it.
 */
static s32 idle_cpu_for(struct task_struct *p, s32 prev)
{
	if (p->nr_cpus_allowed == 1 || scx_bpf_test_and_clear_cpu_idle(prev))
		return prev;
	return scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
}

s32 BPF_STRUCT_OPS(qm_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	s32 cpu = idle_cpu_for(p, prev_cpu);

	if (cpu < 0)
		return prev_cpu;
	/*
	 * The CPU is idle and we claimed it, so nobody is waiting for it:
	 * queueing @p would only add latency.  Inserting here also means
	 * ops.enqueue() is skipped.
	 */
	__sync_fetch_and_add(&nr_direct_select, 1);
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
	return cpu;
}

/* -t and -T: forget every Nth task, and let the watchdog notice. */
static bool stall_on_purpose(struct task_struct *p)
{
	static u64 user_cnt, kernel_cnt;

	if (p->flags & PF_KTHREAD)
		return stall_kernel_nth &&
		       !(__sync_add_and_fetch(&kernel_cnt, 1) % stall_kernel_nth);
	return stall_user_nth &&
	       !(__sync_add_and_fetch(&user_cnt, 1) % stall_user_nth);
}

void BPF_STRUCT_OPS(qm_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct task_ctx *tctx;
	struct queue_seq *qs;
	u32 pid = p->pid, idx;
	void *queue;
	u64 nr;
	s32 cpu;

	nr = __sync_add_and_fetch(&nr_enqueued, 1);
	if (error_after && nr == error_after)
		scx_bpf_error("qmap: enqueue number %llu, the error -e asked for",
			      nr);

	if (stall_on_purpose(p))
		return;

	tctx = task_ctx(p);
	if (!tctx) {
		scx_bpf_error("qmap: no task_ctx for %s[%d]", p->comm, p->pid);
		return;
	}
	tctx->queued = false;

	/*
	 * Our CPU was taken by a higher class.  These tasks already waited
	 * their turn; put them where any CPU can take them and wake one.
	 */
	if (enq_flags & SCX_ENQ_REENQ) {
		__sync_fetch_and_add(&nr_reenqueued, 1);
		scx_bpf_dsq_insert(p, SHARED_DSQ, slice_ns, enq_flags);
		cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
		if (cpu >= 0)
			scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
		return;
	}

	/*
	 * ops.select_cpu() did not run for this wakeup, so nobody looked for
	 * an idle CPU yet (or @p is bound to one CPU: see idle_cpu_for()).
	 * SCX_DSQ_LOCAL would mean the CPU @p was on, so name the CPU
	 * explicitly.
	 */
	if (!(enq_flags & SCX_ENQ_CPU_SELECTED)) {
		cpu = idle_cpu_for(p, scx_bpf_task_cpu(p));
		if (cpu >= 0) {
			__sync_fetch_and_add(&nr_direct_enq, 1);
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | cpu, slice_ns,
					   enq_flags);
			return;
		}
	}

	idx = weight_to_queue(p->scx.weight);
	queue = queue_map(idx);
	qs = queue_seq(idx);
	if (!queue || !qs) {
		scx_bpf_error("qmap: no queue %u", idx);
		return;
	}

	if (bpf_map_push_elem(queue, &pid, 0)) {
		/* Full: the shared DSQ has no limit, so nothing is lost. */
		__sync_fetch_and_add(&nr_overflow, 1);
		scx_bpf_dsq_insert(p, SHARED_DSQ, slice_ns, enq_flags);
		return;
	}
	tctx->qidx = idx;
	tctx->seq = __sync_fetch_and_add(&qs->pushes, 1);
	tctx->queued = true;
}

void BPF_STRUCT_OPS(qm_dequeue, struct task_struct *p, u64 deq_flags)
{
	struct task_ctx *tctx = task_ctx(p);

	__sync_fetch_and_add(&nr_dequeued, 1);
	/* Its PID stays in the queue; the pop will find it stale. */
	if (tctx)
		tctx->queued = false;
}

/*
 * Move nice -20 tasks from the shared DSQ to HIGHPRI_DSQ, then from there
 * onto CPUs with SCX_ENQ_PREEMPT.  @this_cpu is the dispatching CPU, which
 * gets the first boosted task it can run, or -1 from the timer.  Returns
 * whether a task went to @this_cpu.
 */
static bool boost_highpri(s32 this_cpu)
{
	struct task_struct *p;
	bool got_one = false;

	bpf_for_each(scx_dsq, p, SHARED_DSQ, 0) {
		if (p->static_prio > NICE_M20_PRIO)
			continue;
		if (scx_bpf_dsq_move(BPF_FOR_EACH_ITER, p, HIGHPRI_DSQ, 0))
			__sync_fetch_and_add(&nr_boost_queued, 1);
	}

	bpf_for_each(scx_dsq, p, HIGHPRI_DSQ, 0) {
		s32 cpu = this_cpu;

		if (cpu < 0 || got_one || !bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
			cpu = scx_bpf_pick_any_cpu(p->cpus_ptr, 0);
		if (cpu < 0)
			break;
		if (!scx_bpf_dsq_move(BPF_FOR_EACH_ITER, p,
				      SCX_DSQ_LOCAL_ON | cpu, SCX_ENQ_PREEMPT)) {
			/* Dequeued or taken by another CPU meanwhile. */
			__sync_fetch_and_add(&nr_boost_lost, 1);
			continue;
		}
		if (this_cpu < 0) {
			__sync_fetch_and_add(&nr_boost_timer, 1);
		} else if (cpu == this_cpu) {
			__sync_fetch_and_add(&nr_boost_local, 1);
			got_one = true;
		} else {
			__sync_fetch_and_add(&nr_boost_remote, 1);
		}
	}
	return got_one;
}

/*
 * -l: keep "dispatching" kthreadd, which is asleep nearly always.  The
 * kernel drops an insert of a task that is not queued, finds the local DSQ
 * still empty and calls us again; after SCX_DSP_MAX_LOOPS rounds it gives
 * up and kicks the CPU, and since nothing real ever runs, the watchdog
 * ends the scheduler.
 */
static void dispatch_forever(void)
{
	struct task_struct *p = bpf_task_from_pid(2);

	if (p) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
		bpf_task_release(p);
	}
}

/*
 * Pop up to @max PIDs from the queue @cpuc is visiting into the shared DSQ.
 * An empty queue ends the visit.  Returns whether anything was popped.
 */
static bool take_from_queue(struct cpu_ctx *cpuc, u32 max)
{
	u32 idx = cpuc->qidx, pid, i;
	struct task_struct *p;
	struct queue_seq *qs;
	bool popped = false;
	void *queue;

	queue = queue_map(idx);
	qs = queue_seq(idx);
	if (!queue || !qs)
		return false;

	bpf_for(i, 0, max) {
		if (!cpuc->left || !scx_bpf_dispatch_nr_slots())
			break;
		if (bpf_map_pop_elem(queue, &pid)) {
			cpuc->left = 0;
			break;
		}
		__sync_fetch_and_add(&qs->pops, 1);
		cpuc->left--;
		popped = true;

		p = bpf_task_from_pid(pid);
		if (!p)
			continue;	/* exited while it waited */
		scx_bpf_dsq_insert(p, SHARED_DSQ, slice_ns, 0);
		bpf_task_release(p);
		__sync_fetch_and_add(&nr_dispatched, 1);
	}
	return popped;
}

void BPF_STRUCT_OPS(qm_dispatch, s32 cpu, struct task_struct *prev)
{
	struct cpu_ctx *cpuc;
	u32 i, max;

	if (scx_dispatch_for_sibling(cpu)) {
		__sync_fetch_and_add(&nr_dsp_sibling, 1);
		return;
	}

	if (dsp_loop_after && nr_dispatched > dsp_loop_after) {
		dispatch_forever();
		return;
	}

	if (highpri_boosting &&
	    (boost_highpri(cpu) || scx_bpf_dsq_move_to_local(HIGHPRI_DSQ)))
		return;

	/*
	 * Feed the shared DSQ from the queues on every call, even when it
	 * still holds tasks.  Serving it first instead would starve the
	 * queues whenever overflowed or reenqueued tasks keep it busy.  The
	 * inserts are flushed after we return, so the shared DSQ's head is
	 * what earlier calls put there; if it is empty, the kernel calls us
	 * again and the tasks popped now are there.
	 */
	cpuc = cpu_ctx(-1);
	if (cpuc) {
		max = dsp_batch ?: 1U << (NR_QUEUES - 1);
		bpf_for(i, 0, NR_QUEUES) {
			if (!cpuc->left) {
				cpuc->qidx = (cpuc->qidx + 1) % NR_QUEUES;
				cpuc->left = 1U << cpuc->qidx;
			}
			if (take_from_queue(cpuc, max))
				break;
			/* Empty: this visit is over, on to the next queue. */
			cpuc->left = 0;
		}
	}

	scx_bpf_dsq_move_to_local(SHARED_DSQ);
}

/*
 * Rounds @p still has to wait: the entries ahead of it in its queue over
 * the number a CPU takes from that queue per visit.  -1 for a task that is
 * in no queue (running, or in a DSQ already), which puts it first.
 */
static s64 rounds_to_wait(struct task_struct *p)
{
	struct task_ctx *tctx = task_ctx(p);
	struct queue_seq *qs;
	s64 ahead;

	if (!tctx || !tctx->queued)
		return -1;
	qs = queue_seq(tctx->qidx);
	if (!qs)
		return -1;
	ahead = tctx->seq - qs->pops;
	return ahead < 0 ? -1 : ahead >> (tctx->qidx & 7);
}

bool BPF_STRUCT_OPS(qm_core_sched_before, struct task_struct *a,
		    struct task_struct *b)
{
	__sync_fetch_and_add(&nr_core_sched, 1);
	return rounds_to_wait(a) < rounds_to_wait(b);
}

void BPF_STRUCT_OPS(qm_cpu_release, s32 cpu,
		    struct scx_cpu_release_args *args)
{
	/* Each comes back through ops.enqueue() with SCX_ENQ_REENQ. */
	scx_bpf_reenqueue_local();
}

void BPF_STRUCT_OPS(qm_tick, struct task_struct *p)
{
	struct cpu_ctx *cpuc = cpu_ctx(-1);
	u64 avg;

	if (!cpuc)
		return;
	/*
	 * Heavier tasks ask for a faster CPU.  weight / (weight + 100) puts
	 * nice 0 at half speed, nice -20 near full speed and nice 19 near the
	 * bottom, and never exceeds SCX_CPUPERF_ONE.
	 */
	avg = (cpuc->avg_weight * 3 + p->scx.weight) / 4;
	cpuc->avg_weight = avg;
	cpuc->perf_target = SCX_CPUPERF_ONE * avg / (avg + 100);
	scx_bpf_cpuperf_set(bpf_get_smp_processor_id(), cpuc->perf_target);
}

static void reset_cpu(s32 cpu)
{
	struct cpu_ctx *cpuc = cpu_ctx(cpu);

	if (cpuc) {
		cpuc->qidx = 0;
		cpuc->left = 0;
		cpuc->avg_weight = 100;
		cpuc->perf_target = 0;
	}
}

void BPF_STRUCT_OPS(qm_cpu_online, s32 cpu)
{
	/* Whatever it was doing before it went away is stale. */
	reset_cpu(cpu);
	__sync_fetch_and_add(&nr_cpu_online, 1);
}

void BPF_STRUCT_OPS(qm_cpu_offline, s32 cpu)
{
	/*
	 * The kernel moves the tasks of its local DSQ elsewhere; the queues
	 * and the shared DSQ belong to no CPU, so there is nothing to move.
	 */
	__sync_fetch_and_add(&nr_cpu_offline, 1);
}

s32 BPF_STRUCT_OPS(qm_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	/*
	 * Refusing a SCHED_EXT task at fork is an error, so -d only applies
	 * to tasks the kernel can still turn away.
	 */
	if (disallow_tgid && p->tgid == disallow_tgid &&
	    !(args->fork && p->policy == SCHED_EXT))
		p->scx.disallow = true;

	if (!bpf_task_storage_get(&task_ctxs, p, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE))
		return -ENOMEM;
	return 0;
}

void BPF_STRUCT_OPS(qm_dump, struct scx_dump_ctx *dctx)
{
	struct queue_seq *qs;
	u32 i;

	if (suppress_dump)
		return;
	scx_bpf_dump("qmap: enq=%llu dsp=%llu reenq=%llu deq=%llu overflow=%llu\n",
		     nr_enqueued, nr_dispatched, nr_reenqueued, nr_dequeued,
		     nr_overflow);
	bpf_for(i, 0, NR_QUEUES) {
		qs = queue_seq(i);
		if (qs)
			scx_bpf_dump("qmap: queue%u pushed=%llu popped=%llu\n",
				     i, qs->pushes, qs->pops);
	}
}

void BPF_STRUCT_OPS(qm_dump_cpu, struct scx_dump_ctx *dctx, s32 cpu,
		    bool idle)
{
	struct cpu_ctx *cpuc;

	if (suppress_dump || idle)
		return;
	cpuc = cpu_ctx(cpu);
	if (cpuc)
		scx_bpf_dump("qmap: visiting queue%u, %u left, avg weight %llu, perf target %u\n",
			     cpuc->qidx, cpuc->left, cpuc->avg_weight,
			     cpuc->perf_target);
}

void BPF_STRUCT_OPS(qm_dump_task, struct scx_dump_ctx *dctx,
		    struct task_struct *p)
{
	struct task_ctx *tctx;

	if (suppress_dump)
		return;
	tctx = task_ctx(p);
	if (tctx)
		scx_bpf_dump("qmap: queued=%d queue%u seq=%llu slice=%llu\n",
			     tctx->queued, tctx->qidx, tctx->seq,
			     p->scx.slice);
}

/*
 * Sums and extremes of the CPUs' current and target performance.  Kept in
 * a global rather than in locals: the verifier then sees unknown values
 * each round of the loop below instead of following every exact sum.
 */
struct {
	u64 cur_sum, tgt_sum, n;
	u32 cur_min, cur_max, tgt_min, tgt_max;
} acc;

/* The spread of current and target performance over the online CPUs. */
static void gather_cpuperf(void)
{
	u32 zero = 0, nr_cpus = scx_bpf_nr_cpu_ids(), cpu, cur, tgt;
	const struct cpumask *online;
	struct cpu_ctx *cpuc;

	acc.cur_sum = acc.tgt_sum = acc.n = 0;
	acc.cur_min = acc.tgt_min = ~0U;
	acc.cur_max = acc.tgt_max = 0;

	online = scx_bpf_get_online_cpumask();
	bpf_for(cpu, 0, nr_cpus) {
		if (!bpf_cpumask_test_cpu(cpu, online))
			continue;
		cpuc = bpf_map_lookup_percpu_elem(&cpu_ctxs, &zero, cpu);
		if (!cpuc)
			continue;
		cur = scx_bpf_cpuperf_cur(cpu);
		tgt = cpuc->perf_target;
		if (cur < acc.cur_min)
			acc.cur_min = cur;
		if (cur > acc.cur_max)
			acc.cur_max = cur;
		if (tgt < acc.tgt_min)
			acc.tgt_min = tgt;
		if (tgt > acc.tgt_max)
			acc.tgt_max = tgt;
		acc.cur_sum += cur;
		acc.tgt_sum += tgt;
		acc.n++;
	}
	scx_bpf_put_cpumask(online);
	if (!acc.n)
		return;
	perf_cur_min = acc.cur_min;
	perf_cur_avg = acc.cur_sum / acc.n;
	perf_cur_max = acc.cur_max;
	perf_tgt_min = acc.tgt_min;
	perf_tgt_avg = acc.tgt_sum / acc.n;
	perf_tgt_max = acc.tgt_max;
}

static void print_shared(void)
{
	struct task_struct *p;

	bpf_printk("qmap: shared DSQ holds %d tasks",
		   scx_bpf_dsq_nr_queued(SHARED_DSQ));
	bpf_for_each(scx_dsq, p, SHARED_DSQ, 0)
		bpf_printk("qmap:   %s[%d] weight %u", p->comm, p->pid,
			   p->scx.weight);
}

static int monitor_fire(void *map, int *key, struct bpf_timer *timer)
{
	/*
	 * A boosted task should not wait for the next dispatch: CPUs busy
	 * with long slices may not dispatch for a while.
	 */
	/*
	 * The timer was set up by the sleepable ops.init(), so the verifier
	 * wants the DSQ iterators' RCU protection spelled out.
	 */
	bpf_rcu_read_lock();
	if (highpri_boosting)
		boost_highpri(-1);
	if (print_shared_dsq)
		print_shared();
	bpf_rcu_read_unlock();
	gather_cpuperf();
	bpf_timer_start(timer, NSEC_PER_SEC, 0);
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(qm_init)
{
	struct bpf_timer *timer;
	u32 zero = 0;
	s32 ret;

	ret = scx_bpf_create_dsq(SHARED_DSQ, -1);
	if (ret)
		return ret;
	ret = scx_bpf_create_dsq(HIGHPRI_DSQ, -1);
	if (ret)
		return ret;

	timer = bpf_map_lookup_elem(&monitor, &zero);
	if (!timer)
		return -ESRCH;
	bpf_timer_init(timer, &monitor, CLOCK_MONOTONIC);
	bpf_timer_set_callback(timer, monitor_fire);
	return bpf_timer_start(timer, NSEC_PER_SEC, 0);
}

void BPF_STRUCT_OPS(qm_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(qmap_ops,
	       .select_cpu		= (void *)qm_select_cpu,
	       .enqueue			= (void *)qm_enqueue,
	       .dequeue			= (void *)qm_dequeue,
	       .dispatch		= (void *)qm_dispatch,
	       .tick			= (void *)qm_tick,
	       .core_sched_before	= (void *)qm_core_sched_before,
	       .cpu_release		= (void *)qm_cpu_release,
	       .init_task		= (void *)qm_init_task,
	       .dump			= (void *)qm_dump,
	       .dump_cpu		= (void *)qm_dump_cpu,
	       .dump_task		= (void *)qm_dump_task,
	       .cpu_online		= (void *)qm_cpu_online,
	       .cpu_offline		= (void *)qm_cpu_offline,
	       .init			= (void *)qm_init,
	       .exit			= (void *)qm_exit,
	       .name			= "qmap");
