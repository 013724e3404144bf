// SPDX-License-Identifier: GPL-2.0
/*
 * scx_pair: core scheduling done by a BPF scheduler.
 *
 * The CPUs are split into pairs (CPU c and CPU c + STRIDE; by default the
 * stride is half the CPUs, -S picks another).  At every instant the two CPUs
 * of a pair run tasks of the same cgroup, or one of them idles.  That is the
 * guarantee SMT core scheduling gives to distrusting tenants, here made by a
 * BPF program: give each tenant a cgroup, pair the SMT siblings (-S), and no
 * tenant shares a core with another.
 *
 * Every cgroup gets a queue (a DSQ) of its own; ops.enqueue() puts a task on
 * the queue of its cgroup.  Each pair has a context shared by its two CPUs:
 * the queue the pair serves, since when, whether it is draining, and what
 * each CPU runs or is about to run.  ops.dispatch() takes tasks only from
 * the pair's queue.  Once a pair has served one cgroup for PAIR_SLICE_NS
 * while another waits, it drains: no new task of the old cgroup starts, the
 * sibling is kicked with SCX_KICK_PREEMPT, and the first CPU to find both
 * halves clear of the old cgroup switches the pair to the next queue with
 * work (round-robin) and kicks its sibling with SCX_KICK_IDLE to join it.
 * A CPU that must wait for its sibling goes idle and is kicked back when the
 * sibling's task stops.  Every decision is taken under the pair's
 * bpf_spin_lock, so the two CPUs never see the context half-updated.
 *
 * The queue decides where a task may run, but the check does not trust it:
 * ops.running() compares the cgroup of the task starting with the cgroup of
 * the sibling's running task, under the same lock, and counts every clash
 * in PAIR_STAT_MISMATCH.  A correct run keeps it at zero.
 *
 * What it shows: DSQs as per-cgroup queues, ops.cgroup_init()/exit(), state
 * shared by two CPUs under bpf_spin_lock, scx_bpf_kick_cpu() with
 * SCX_KICK_PREEMPT and SCX_KICK_IDLE, ops.select_cpu() that picks a CPU
 * without dispatching (the kernel's default would dispatch straight to an
 * idle CPU and bypass the pairing), SCX_OPS_ENQ_LAST and keeping a task
 * running by refilling its slice from ops.dispatch().
 *
 * Where it breaks down:
 * - A sibling idles whenever its partner runs a cgroup with nothing else
 *   runnable: with one busy task per cgroup, half of the CPUs idle.  That
 *   is the price of the guarantee, as with kernel core scheduling.
 * - The pair switches at slice ends and kicks, so a cgroup waits up to
 *   PAIR_SLICE_NS plus one task slice; there are no weights.
 * - PAIR_MAX_CGRPS queues: creating a cgroup with the cpu controller beyond
 *   that fails with -ENOSPC, and loading fails if more exist already.
 * - Every task is subject to the pairing, kernel threads too (they belong
 *   to the root cgroup), so a per-CPU kthread waits for its pair to serve
 *   the root cgroup.
 * - A task moved to another cgroup while it runs keeps running: its next
 *   ops.running() may clash with the sibling and is counted.
 * - CPU hotplug: no ops.cpu_online()/cpu_offline(), so the kernel stops the
 *   scheduler with SCX_ECODE_ACT_RESTART and the loader loads it again.  A
 *   CPU whose partner is offline runs alone.
 * - The pairs are given by a stride, not read from the topology: choose
 *   -S so that pairs are the SMT siblings if that is the point.
 */
#include <scx/common.bpf.h>
#include "scx_pair.h"

char _license[] SEC("license") = "GPL";

/* How long a pair keeps serving one cgroup while another one waits. */
#define PAIR_SLICE_NS		(20ULL * NSEC_PER_MSEC)
/* Queues one ops.dispatch() tries before this CPU gives up and idles. */
#define PAIR_PICK_TRIES		4
/* The root cgroup's queue; also where tasks of a cgroup without one go. */
#define ROOT_Q			1

const volatile u32 nr_cpu_ids = 1;
/* Set by the loader: each CPU's pair, its half (0 or 1), its sibling. */
const volatile u32 pair_id[PAIR_MAX_CPUS];
const volatile u32 pair_half[PAIR_MAX_CPUS];
const volatile s32 pair_peer[PAIR_MAX_CPUS];

UEI_DEFINE(uei);

/* Owner of each queue (its cgroup id), 0 if free; read by the loader. */
u64 q_cgid[PAIR_MAX_CGRPS];
/* Tasks started from each queue since its cgroup got it. */
u64 q_runs[PAIR_MAX_CGRPS];
/* Highest queue handed out so far: find_queue() looks no further. */
u32 nr_queues = ROOT_Q;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, u64);	/* cgroup id */
	__type(value, u32);	/* its queue, which is also its DSQ id */
	__uint(max_entries, PAIR_MAX_CGRPS);
} cgrp_q SEC(".maps");

/* What the two CPUs of a pair share.  Arrays are indexed by half. */
struct pair_ctx {
	struct bpf_spin_lock	lock;
	u32			q;		/* queue served, 0: none */
	bool			draining;	/* q's time is up */
	u64			started_at;	/* when the pair took q */
	u32			run_q[2];	/* queue of the running task */
	u32			resv_q[2];	/* queue of a task on its way */
	u64			run_cgid[2];	/* cgroup of the running task */
	bool			waiting[2];	/* idle until the sibling stops */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, u32);
	__type(value, struct pair_ctx);
	__uint(max_entries, PAIR_MAX_CPUS / 2);
} pairs SEC(".maps");

struct pair_task_ctx {
	u32	q;		/* the queue the task was last put on */
	bool	move_kicked;	/* sent round once since, for a cgroup move */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pair_task_ctx);
} task_ctx SEC(".maps");

SCX_STATS(PAIR_NR_STATS);

static struct pair_ctx *pair_of(s32 cpu, u32 *half, s32 *peer)
{
	struct pair_ctx *pc;
	u32 id;

	if (cpu < 0 || cpu >= nr_cpu_ids || cpu >= PAIR_MAX_CPUS) {
		scx_bpf_error("CPU %d is not in a pair", cpu);
		return NULL;
	}
	id = pair_id[cpu];
	*half = pair_half[cpu] & 1;
	*peer = pair_peer[cpu];
	pc = bpf_map_lookup_elem(&pairs, &id);
	if (!pc)
		scx_bpf_error("no context for pair %u", id);
	return pc;
}

static struct pair_task_ctx *task_ctx_of(struct task_struct *p)
{
	struct pair_task_ctx *tctx;

	tctx = bpf_task_storage_get(&task_ctx, p, 0, 0);
	if (!tctx)
		scx_bpf_error("task %d has no context", p->pid);
	return tctx;
}

static u64 task_cgid(struct task_struct *p)
{
	struct cgroup *cgrp = scx_bpf_task_cgroup(p);
	u64 cgid = cgrp->kn->id;

	bpf_cgroup_release(cgrp);
	return cgid;
}

/*
 * The first queue with tasks after @after, wrapping around and ending with
 * @after itself; 0 if all are empty.  Starting after the current one makes
 * the pairs go round the cgroups in turn.  Queues whose cgroup is gone are
 * included: a task that was still queued there must run too.
 */
static u32 find_queue(u32 after)
{
	u32 n = READ_ONCE(nr_queues), i, q;

	bpf_for(i, 0, n) {
		q = (after + i) % n + 1;
		if (q >= PAIR_MAX_CGRPS)
			break;
		if (scx_bpf_dsq_nr_queued(q) > 0)
			return q;
	}
	return 0;
}

/* This CPU has nothing of a queue on its way any more. */
static void unreserve(struct pair_ctx *pc, u32 half)
{
	bpf_spin_lock(&pc->lock);
	pc->resv_q[half] = 0;
	bpf_spin_unlock(&pc->lock);
}

/*
 * Pick a CPU for a waking task, but do not dispatch to it: whether it may
 * run there depends on what its pair serves, which ops.dispatch() decides.
 * The CPU chosen, if idle, is woken and will look.
 */
s32 BPF_STRUCT_OPS(pair_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool idle = false;

	return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);
}

void BPF_STRUCT_OPS(pair_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct pair_task_ctx *tctx;
	u32 *qp, q = ROOT_Q;
	u64 cgid;
	s32 cpu;

	tctx = task_ctx_of(p);
	if (!tctx)
		return;

	/* A cgroup being removed may have lost its queue already. */
	cgid = task_cgid(p);
	qp = bpf_map_lookup_elem(&cgrp_q, &cgid);
	if (qp)
		q = *qp;
	else
		stat_inc(PAIR_STAT_NOQ);
	tctx->q = q;
	tctx->move_kicked = false;
	stat_inc(PAIR_STAT_ENQ);
	scx_bpf_dsq_insert(p, q, SCX_SLICE_DFL, enq_flags);

	/*
	 * The CPU the task was placed on may belong to a pair busy with
	 * another cgroup.  An idle CPU elsewhere may be free to serve this
	 * one; it only idles again if not.
	 */
	cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

void BPF_STRUCT_OPS(pair_dispatch, s32 cpu, struct task_struct *prev)
{
	struct pair_task_ctx *tctx;
	struct pair_ctx *pc;
	u32 half, prev_q = 0, i;
	bool tried_empty = false, wake;
	s32 peer;

	if (scx_dispatch_for_sibling(cpu))
		return;

	pc = pair_of(cpu, &half, &peer);
	if (!pc)
		return;
	if (prev && (prev->scx.flags & SCX_TASK_QUEUED)) {
		/* Still runnable: it leaves in ops.stopping() after us. */
		tctx = task_ctx_of(prev);
		if (tctx)
			prev_q = tctx->q;
	} else {
		/* Whatever ran here has stopped for good (see pair_stopping()). */
		bpf_spin_lock(&pc->lock);
		pc->run_q[half] = 0;
		pc->run_cgid[half] = 0;
		wake = pc->waiting[half ^ 1];
		pc->waiting[half ^ 1] = false;
		bpf_spin_unlock(&pc->lock);
		if (wake)
			scx_bpf_kick_cpu(peer, SCX_KICK_IDLE);
	}

	bpf_for(i, 0, PAIR_PICK_TRIES) {
		u32 next, take = 0, sib_run, sib_resv;
		bool drain = false, switched = false;
		u64 now;

		/* kfuncs cannot be called under the lock: look first. */
		next = find_queue(READ_ONCE(pc->q));
		now = bpf_ktime_get_ns();

		bpf_spin_lock(&pc->lock);
		/*
		 * ops.dispatch() runs only when the local DSQ is empty, so
		 * nothing reserved for this CPU is on its way any more.  @prev
		 * is still in run_q until it stops, which the sibling must
		 * see: only this CPU knows it is about to leave.
		 */
		pc->resv_q[half] = 0;
		sib_run = pc->run_q[half ^ 1];
		sib_resv = pc->resv_q[half ^ 1];

		if (pc->q && !pc->draining && next && next != pc->q &&
		    now - pc->started_at >= PAIR_SLICE_NS) {
			pc->draining = true;
			drain = true;
		}

		if (pc->q && !pc->draining && !tried_empty) {
			/* Serve the pair's cgroup, unless the sibling lags. */
			if ((!sib_run || sib_run == pc->q) &&
			    (!sib_resv || sib_resv == pc->q))
				take = pc->q;
		} else if (!sib_run && !sib_resv) {
			/* Both halves are clear: the pair may move on. */
			switched = next != pc->q;
			pc->q = next;
			pc->draining = false;
			pc->started_at = now;
			take = next;
		}
		if (take)
			pc->resv_q[half] = take;
		else if (sib_run || sib_resv)
			pc->waiting[half] = true;
		bpf_spin_unlock(&pc->lock);

		if (drain) {
			stat_inc(PAIR_STAT_DRAIN);
			/* Cut the sibling's slice short; it switches on its way out. */
			if (sib_run || sib_resv) {
				scx_bpf_kick_cpu(peer, SCX_KICK_PREEMPT);
				stat_inc(PAIR_STAT_PREEMPT);
			}
		}
		if (!take) {
			if (sib_run || sib_resv)
				stat_inc(PAIR_STAT_WAIT);
			return;
		}
		if (switched)
			stat_inc(PAIR_STAT_SWITCH);

		if (scx_bpf_dsq_move_to_local(take)) {
			stat_inc(PAIR_STAT_DISP);
			/* The sibling may be idle: the new cgroup may have more. */
			if (switched)
				scx_bpf_kick_cpu(peer, SCX_KICK_IDLE);
			return;
		}
		if (prev && take == prev_q) {
			/* Its cgroup has nothing else for this CPU: carry on. */
			prev->scx.slice = SCX_SLICE_DFL;
			stat_inc(PAIR_STAT_KEEP);
			return;
		}
		if (switched) {
			/* Its tasks may be allowed on the sibling only. */
			unreserve(pc, half);
			scx_bpf_kick_cpu(peer, SCX_KICK_IDLE);
			return;
		}
		/* Nothing here for this CPU: look at the other queues. */
		tried_empty = true;
	}
	unreserve(pc, half);
}

void BPF_STRUCT_OPS(pair_running, struct task_struct *p)
{
	struct pair_task_ctx *tctx;
	struct pair_ctx *pc;
	u32 half, q, cur_q, *qp;
	u64 cgid, *runs;
	bool clash;
	s32 peer;

	pc = pair_of(scx_bpf_task_cpu(p), &half, &peer);
	tctx = task_ctx_of(p);
	if (!pc || !tctx)
		return;
	q = tctx->q;
	cgid = task_cgid(p);
	/*
	 * The pairing follows the cgroup the task is in now, which is not
	 * its queue's if it was moved while it ran (see below).
	 */
	qp = bpf_map_lookup_elem(&cgrp_q, &cgid);
	cur_q = qp ? *qp : q;

	bpf_spin_lock(&pc->lock);
	pc->run_q[half] = cur_q;
	pc->resv_q[half] = 0;
	pc->run_cgid[half] = cgid;
	clash = pc->run_cgid[half ^ 1] && pc->run_cgid[half ^ 1] != cgid;
	bpf_spin_unlock(&pc->lock);

	if (clash)
		stat_inc(PAIR_STAT_MISMATCH);
	runs = ARRAY_ELEM_PTR(q_runs, q, PAIR_MAX_CGRPS);
	if (runs)
		__sync_fetch_and_add(runs, 1);

	/*
	 * Moved to another cgroup while it ran: the kernel restarts a running
	 * task in place, through the local DSQ, without ops.enqueue(), so it
	 * started next to whatever its sibling runs (counted above, if that
	 * was another cgroup).  Send it round once, so that it queues where
	 * it now belongs.  Once: a task the kernel places itself (q 0: bypass,
	 * a CPU coming online) never reaches ops.enqueue() at all.
	 */
	if (q && cur_q != q && !tctx->move_kicked) {
		tctx->move_kicked = true;
		stat_inc(PAIR_STAT_MOVED);
		scx_bpf_kick_cpu(scx_bpf_task_cpu(p), SCX_KICK_PREEMPT);
	}
}

void BPF_STRUCT_OPS(pair_stopping, struct task_struct *p, bool runnable)
{
	struct pair_task_ctx *tctx;
	struct pair_ctx *pc;
	u32 half, q;
	bool wake;
	s32 peer;

	pc = pair_of(scx_bpf_task_cpu(p), &half, &peer);
	tctx = task_ctx_of(p);
	if (!pc || !tctx)
		return;
	q = tctx->q;

	/*
	 * Not runnable: the task sleeps, or the kernel is about to restart it
	 * in place (a cgroup move, an affinity or priority change: stopping,
	 * then running, under the rq lock but not under ours).  Either way
	 * the CPU stays on the task's cgroup until ops.dispatch() says it
	 * left or ops.running() says what it runs now, so the sibling cannot
	 * switch in between.
	 */
	if (!runnable)
		return;

	bpf_spin_lock(&pc->lock);
	pc->run_q[half] = 0;
	pc->run_cgid[half] = 0;
	/*
	 * Preempted by a higher class with slice left, the task goes back to
	 * the head of the local DSQ and starts again without ops.dispatch():
	 * the pair must not switch cgroup under it.
	 */
	if (p->scx.slice)
		pc->resv_q[half] = q;
	wake = pc->waiting[half ^ 1];
	pc->waiting[half ^ 1] = false;
	bpf_spin_unlock(&pc->lock);

	if (wake)
		scx_bpf_kick_cpu(peer, SCX_KICK_IDLE);
}

s32 BPF_STRUCT_OPS(pair_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	if (!bpf_task_storage_get(&task_ctx, p, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE))
		return -ENOMEM;
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(pair_cgroup_init, struct cgroup *cgrp,
			     struct scx_cgroup_init_args *args)
{
	u64 cgid = cgrp->kn->id, *runs, *owner;
	u32 q, val;

	bpf_for(q, ROOT_Q, PAIR_MAX_CGRPS) {
		if (!cgrp->level && q != ROOT_Q)
			break;
		if (cgrp->level && q == ROOT_Q)
			continue;
		/* Hide bpf_for()'s bound: the verifier must see our own check. */
		barrier_var(q);
		owner = ARRAY_ELEM_PTR(q_cgid, q, PAIR_MAX_CGRPS);
		runs = ARRAY_ELEM_PTR(q_runs, q, PAIR_MAX_CGRPS);
		if (!owner || !runs)
			break;
		/* A queue still holding tasks of a removed cgroup drains first. */
		if (*owner || scx_bpf_dsq_nr_queued(q) > 0)
			continue;
		if (__sync_val_compare_and_swap(owner, 0, cgid))
			continue;
		*runs = 0;
		val = q;
		if (bpf_map_update_elem(&cgrp_q, &cgid, &val, BPF_ANY)) {
			*owner = 0;
			return -ENOMEM;
		}
		/* ops.cgroup_init() calls are serialized by the cgroup core. */
		if (q > nr_queues)
			WRITE_ONCE(nr_queues, q);
		return 0;
	}
	return -ENOSPC;
}

void BPF_STRUCT_OPS(pair_cgroup_exit, struct cgroup *cgrp)
{
	u64 cgid = cgrp->kn->id, *owner;
	u32 *qp;

	qp = bpf_map_lookup_elem(&cgrp_q, &cgid);
	if (!qp)
		return;
	owner = ARRAY_ELEM_PTR(q_cgid, *qp, PAIR_MAX_CGRPS);
	if (owner)
		*owner = 0;
	bpf_map_delete_elem(&cgrp_q, &cgid);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(pair_init)
{
	s32 ret;
	u32 q;

	/*
	 * All queues exist for the scheduler's whole life: a DSQ destroyed
	 * with a task still on its way into it would be an error, and a
	 * cgroup may go while a dying task of it is being queued.
	 */
	bpf_for(q, ROOT_Q, PAIR_MAX_CGRPS) {
		ret = scx_bpf_create_dsq(q, -1);
		if (ret) {
			scx_bpf_error("cannot create queue %u: %d", q, ret);
			return ret;
		}
	}
	return 0;
}

void BPF_STRUCT_OPS(pair_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(pair_ops,
	       .select_cpu	= (void *)pair_select_cpu,
	       .enqueue		= (void *)pair_enqueue,
	       .dispatch	= (void *)pair_dispatch,
	       .running		= (void *)pair_running,
	       .stopping	= (void *)pair_stopping,
	       .init_task	= (void *)pair_init_task,
	       .cgroup_init	= (void *)pair_cgroup_init,
	       .cgroup_exit	= (void *)pair_cgroup_exit,
	       .init		= (void *)pair_init,
	       .exit		= (void *)pair_exit,
	       /*
		* Exiting tasks would otherwise go straight to their CPU, and
		* a CPU with nothing else would keep its last task running,
		* both behind the pairing's back.
		*/
	       .flags		= SCX_OPS_ENQ_LAST | SCX_OPS_ENQ_EXITING,
	       .name		= "pair");
