// SPDX-License-Identifier: GPL-2.0
/*
 * scx_flatcg: cgroup v2 cpu.weight enforced without a hierarchy of queues.
 *
 * The fair class honours cpu.weight by nesting one run queue per cgroup per
 * CPU, and pays for every level of nesting on each wakeup and each tick.
 * This scheduler keeps the hierarchy out of the hot path.  It multiplies
 * the shares along a cgroup's path into one number, its hierarchical weight
 * (hweight), and then lets every cgroup compete in a single flat layer:
 *
 *   root
 *   +- A  (weight 100)    A1 gets 1/3 * 1/4 = 1/12 of the machine,
 *   |  +- A1 (100)        A2 gets 1/3 * 3/4 = 3/12,
 *   |  +- A2 (300)        B  gets 2/3       = 8/12,
 *   +- B  (weight 200)    when all three have work.
 *
 * Only cgroups with runnable tasks count ("active").  Each cgroup keeps the
 * sum of the weights of its active children; when a cgroup becomes active
 * or idle, ops.runnable()/ops.quiescent() push the change up its path.  Any
 * such change can alter every hweight, so rather than recomputing them all,
 * a global generation counter is bumped and each cgroup recomputes its
 * cached hweight the next time it is asked and finds its copy stale.
 *
 * Every cgroup has its own DSQ, where its tasks wait in vtime order (FIFO
 * with -f).  Cgroups that have queued tasks sit in one BPF rbtree ordered by
 * cgroup vtime (cvtime), which grows by the CPU time its tasks used divided
 * by its hweight.  A CPU that needs work stays on the cgroup it last served
 * for one cgroup slice, then takes the cgroup at the front of the tree: the
 * one that received the least CPU relative to its hweight.  A cgroup that
 * was idle re-enters the tree at most a small budget behind the front, so
 * it cannot bank credit while it sleeps and then monopolise the machine.
 * The rbtree nodes are allocated objects; while a cgroup is out of the tree
 * its node is parked as a kptr in a hash map (the stash).
 *
 * What it shows: the ops.cgroup_*() callbacks, DSQs created and destroyed
 * at run time, bpf_rbtree under bpf_spin_lock, kptr stashing, cgroup local
 * storage, and lock-free bookkeeping shared by all CPUs.
 *
 * Where it breaks down:
 * - Flattening is exact only while the set of active cgroups is stable.
 *   Cgroups that flip between idle and active many times per second see
 *   shares that follow the instantaneous, not the average, hierarchy.
 * - Thundering herd: every enqueue that finds an idle CPU wakes it, and
 *   all CPUs pick from one tree behind one lock.  When many CPUs go idle and
 *   wake together they converge on the same front cgroup and contend on
 *   that lock; on large machines this costs real throughput.
 * - Tasks within a cgroup are ordered by vtime, but one cgroup's tasks and
 *   its child cgroups only compete through a fixed weight of 100 given to
 *   the cgroup's own tasks.
 * - Cgroups nested deeper than FCG_MAX_DEPTH are refused.
 */
#include <scx/common.bpf.h>
#include "scx_flatcg.h"

char _license[] SEC("license") = "GPL";

/* The hweight of the whole machine; hweights are fractions of it. */
#define FCG_ONE			(1LLU << 16)
/* Deepest cgroup level we walk; deeper cgroups are refused. */
#define FCG_MAX_DEPTH		16
/* How a cgroup's own tasks weigh against its child cgroups. */
#define FCG_OWN_WEIGHT		100
/* Idle credit a cgroup may keep, in slices of the whole machine. */
#define FCG_BUDGET_SLICES	4
/* Tree entries one dispatch looks at before giving up. */
#define FCG_PICK_TRIES		16

const volatile u64 slice_ns = SCX_SLICE_DFL;
const volatile bool fifo_sched;

UEI_DEFINE(uei);

/* Bumped whenever any hweight may have changed; read by the loader too. */
u64 hweight_epoch = 1;

/* The cvtime of the cgroup most recently taken from the tree. */
static u64 cvtime_now;

struct fcg_cgroup {
	/* Protects nr_active, weight and child_sum as one unit. */
	struct bpf_spin_lock	lock;
	/* Own tasks runnable (counts 1) plus active children. */
	s32			nr_active;
	u32			weight;
	/* FCG_OWN_WEIGHT if own tasks runnable, plus active children's. */
	s64			child_sum;

	/* Atomics shared by all CPUs. */
	s32			nr_runnable;
	/* Tasks on our DSQ; counts a task until it runs, so may be high. */
	s32			nr_queued;
	u32			in_tree;	/* our node is in the tree */
	u32			dsq_users;	/* CPUs consuming our DSQ */
	u32			dead;		/* cgroup exited */
	u32			dsq_gone;	/* our DSQ is destroyed */
	u64			cvtime;

	/* Plain fields: races only cost a little precision. */
	u64			tvtime_now;	/* vtime clock of our tasks */
	u64			hweight;
	u64			hweight_epoch;
};

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct fcg_cgroup);
} cgrp_ctx SEC(".maps");

struct fcg_task {
	u64	exec_at;	/* se.sum_exec_runtime when it started running */
	bool	counted;	/* counted in its cgroup's nr_queued */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct fcg_task);
} task_ctx SEC(".maps");

struct fcg_node {
	struct bpf_rb_node	rb;
	u64			key;	/* cvtime when it was put in the tree */
	u64			cgid;
};

struct fcg_stash {
	__kptr struct fcg_node *node;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, u64);
	__type(value, struct fcg_stash);
	__uint(max_entries, 16384);
} node_stash SEC(".maps");

private(FCG_TREE) struct bpf_spin_lock tree_lock;
private(FCG_TREE) struct bpf_rb_root tree __contains(fcg_node, rb);

struct fcg_cpu {
	u64	cur_cgid;	/* cgroup this CPU serves, 0 for none */
	u64	cur_at;		/* since when */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, u32);
	__type(value, struct fcg_cpu);
	__uint(max_entries, 1);
} cpu_ctx SEC(".maps");

SCX_STATS(FCG_NR_STATS);

static u64 cgrp_id(struct cgroup *cgrp)
{
	return cgrp->kn->id;
}

static struct fcg_cgroup *cgrp_ctx_of(struct cgroup *cgrp)
{
	struct fcg_cgroup *cgc;

	/*
	 * The root may predate us in ways cgroup_init() did not see; every
	 * other cgroup got its context there.
	 */
	cgc = bpf_cgrp_storage_get(&cgrp_ctx, cgrp, 0, cgrp->level ? 0 :
				   BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!cgc)
		scx_bpf_error("cgroup %llu has no context", cgrp_id(cgrp));
	return cgc;
}

static struct fcg_task *task_ctx_of(struct task_struct *p)
{
	struct fcg_task *tctx;

	tctx = bpf_task_storage_get(&task_ctx, p, 0, 0);
	if (!tctx)
		scx_bpf_error("task %d has no context", p->pid);
	return tctx;
}

/*
 * Add @dnr to the active count and @dw to the child weight sum of @cgrp's
 * ancestor at @level, and carry on upwards for as long as that flips an
 * ancestor between idle and active.
 *
 * The counts are signed and every step is a +-1 done under that cgroup's
 * lock, so updates racing from different CPUs may arrive at a parent in
 * either order: a cgroup contributes to its parent exactly when its count
 * crosses between 0 and 1, and those crossings add up the same whatever the
 * order.  The weight sent up is read under the same lock as the crossing,
 * which keeps cgroup_set_weight() consistent with it.
 */
static void propagate(struct cgroup *cgrp, s32 level, s32 dnr, s64 dw)
{
	s32 i;

	bpf_for(i, 0, FCG_MAX_DEPTH + 1) {
		struct fcg_cgroup *cgc;
		struct cgroup *anc;
		s32 old, new;
		u32 weight;

		if (level - i < 0 || (!dnr && !dw))
			break;
		anc = bpf_cgroup_ancestor(cgrp, level - i);
		if (!anc) {
			scx_bpf_error("no ancestor at level %d", level - i);
			break;
		}
		cgc = cgrp_ctx_of(anc);
		bpf_cgroup_release(anc);
		if (!cgc)
			break;

		bpf_spin_lock(&cgc->lock);
		old = cgc->nr_active;
		new = old + dnr;
		cgc->nr_active = new;
		cgc->child_sum += dw;
		weight = cgc->weight;
		bpf_spin_unlock(&cgc->lock);

		__sync_fetch_and_add(&hweight_epoch, 1);
		if (old <= 0 && new > 0) {
			stat_inc(FCG_STAT_ACT);
			dnr = 1;
			dw = weight;
		} else if (old > 0 && new <= 0) {
			stat_inc(FCG_STAT_DEACT);
			dnr = -1;
			dw = -(s64)weight;
		} else {
			break;
		}
	}
}

/*
 * @cgrp's share of the machine, in units of FCG_ONE, from the cached
 * hweights of its ancestors.  Walk down from the root so that each level is
 * brought up to the current generation before its children use it.
 */
static u64 cgrp_hweight(struct cgroup *cgrp, struct fcg_cgroup *cgc)
{
	u64 gen = READ_ONCE(hweight_epoch);
	s32 level = cgrp->level, i;
	s64 psum = 0;
	u64 hw = FCG_ONE;

	if (cgc->hweight_epoch == gen)
		return cgc->hweight;

	bpf_for(i, 0, FCG_MAX_DEPTH + 1) {
		struct fcg_cgroup *actx;
		struct cgroup *anc;

		if (i > level)
			break;
		anc = bpf_cgroup_ancestor(cgrp, i);
		if (!anc)
			break;
		actx = cgrp_ctx_of(anc);
		bpf_cgroup_release(anc);
		if (!actx)
			break;

		if (i) {
			if (actx->hweight_epoch != gen) {
				s64 w = actx->weight ?: 1;

				/*
				 * An idle cgroup is not in its parent's sum;
				 * price it as if it were about to join.
				 */
				if (READ_ONCE(actx->nr_active) <= 0)
					psum += w;
				if (psum < w)
					psum = w;
				actx->hweight = scx_max(hw * w / psum, 1);
				actx->hweight_epoch = gen;
			}
			hw = actx->hweight;
		}
		psum = READ_ONCE(actx->child_sum);
	}
	return hw;
}

/* The share of the tasks queued directly in @cgrp. */
static u64 task_hweight(struct cgroup *cgrp, struct fcg_cgroup *cgc)
{
	s64 sum = READ_ONCE(cgc->child_sum);

	if (sum < FCG_OWN_WEIGHT)
		sum = FCG_OWN_WEIGHT;
	return scx_max(cgrp_hweight(cgrp, cgc) * FCG_OWN_WEIGHT / sum, 1);
}

static bool node_less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct fcg_node *na = container_of(a, struct fcg_node, rb);
	struct fcg_node *nb = container_of(b, struct fcg_node, rb);

	return scx_vtime_before(na->key, nb->key);
}

static __always_inline void tree_add(struct fcg_node *n)
{
	bpf_spin_lock(&tree_lock);
	bpf_rbtree_add(&tree, &n->rb, node_less);
	bpf_spin_unlock(&tree_lock);
}

/* Park @n in the stash; false (and @n freed) if its cgroup is gone. */
static __always_inline bool stash_node(struct fcg_node *n, u64 cgid)
{
	struct fcg_stash *st = bpf_map_lookup_elem(&node_stash, &cgid);

	if (!st) {
		bpf_obj_drop(n);
		return false;
	}
	n = bpf_kptr_xchg(&st->node, n);
	if (n) {
		scx_bpf_error("cgroup %llu has two tree nodes", cgid);
		bpf_obj_drop(n);
	}
	return true;
}

/* Put @cgrp in the tree unless it is there already. */
static void tree_enter(struct fcg_cgroup *cgc, u64 cgid)
{
	struct fcg_stash *st;
	struct fcg_node *n;
	u64 floor, cvtime;

	if (__sync_val_compare_and_swap(&cgc->in_tree, 0, 1))
		return;

	st = bpf_map_lookup_elem(&node_stash, &cgid);
	if (!st) {
		scx_bpf_error("cgroup %llu has no stash entry", cgid);
		return;
	}
	n = bpf_kptr_xchg(&st->node, NULL);
	if (!n) {
		scx_bpf_error("cgroup %llu lost its tree node", cgid);
		return;
	}

	/*
	 * Credit from the time we were idle is capped: without this a cgroup
	 * that slept for an hour would own the machine until it caught up.
	 */
	floor = READ_ONCE(cvtime_now) - FCG_BUDGET_SLICES * slice_ns;
	cvtime = READ_ONCE(cgc->cvtime);
	if (scx_vtime_before(cvtime, floor)) {
		__sync_fetch_and_add(&cgc->cvtime, floor - cvtime);
		cvtime = floor;
		stat_inc(FCG_STAT_CAP);
	}
	n->key = cvtime;
	tree_add(n);
}

static void destroy_dsq_once(struct fcg_cgroup *cgc, u64 cgid)
{
	if (!__sync_val_compare_and_swap(&cgc->dsq_gone, 0, 1))
		scx_bpf_destroy_dsq(cgid);
}

/*
 * Move the first task of @cgid's DSQ here.  Consuming a destroyed DSQ is an
 * error, and a cgroup may exit on another CPU at any moment, so consumers
 * announce themselves in dsq_users and the last one out of a dead cgroup
 * destroys its DSQ (see flatcg_cgroup_exit()).
 */
static bool consume_cgrp(struct fcg_cgroup *cgc, u64 cgid)
{
	bool moved = false;

	__sync_fetch_and_add(&cgc->dsq_users, 1);
	if (!__sync_fetch_and_add(&cgc->dead, 0))
		moved = scx_bpf_dsq_move_to_local(cgid);
	if (__sync_fetch_and_sub(&cgc->dsq_users, 1) == 1 &&
	    __sync_fetch_and_add(&cgc->dead, 0))
		destroy_dsq_once(cgc, cgid);
	if (moved)
		stat_inc(FCG_STAT_DISP);
	return moved;
}

/* Restricted affinity: not allowed on every online CPU. */
static bool is_restricted(struct task_struct *p)
{
	const struct cpumask *online;
	bool all;

	if (p->nr_cpus_allowed >= scx_bpf_nr_cpu_ids())
		return false;
	online = scx_bpf_get_online_cpumask();
	all = bpf_cpumask_subset(online, p->cpus_ptr);
	scx_bpf_put_cpumask(online);
	return !all;
}

s32 BPF_STRUCT_OPS(flatcg_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool idle = false;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);
	if (idle) {
		/*
		 * An idle CPU means no cgroup is waiting, so there is nobody
		 * to be fair to.  The time is still charged in stopping().
		 */
		stat_inc(FCG_STAT_LOCAL);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(flatcg_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct fcg_task *tctx;
	struct fcg_cgroup *cgc;
	struct cgroup *cgrp;
	u64 cgid, vtime;
	s32 cpu;

	tctx = task_ctx_of(p);
	if (!tctx)
		return;

	/*
	 * A task that cannot run everywhere must not sit in a queue that any
	 * CPU may pick from: the CPU that picks it may be unable to run it
	 * while one that could stays idle.  Per-CPU kthreads are the usual
	 * case.  They go straight to the CPU they are on, and their time is
	 * still charged to their cgroup.
	 */
	if (is_restricted(p)) {
		stat_inc(FCG_STAT_BYPASS);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, enq_flags);
		return;
	}

	cgrp = scx_bpf_task_cgroup(p);
	cgc = cgrp_ctx_of(cgrp);
	if (!cgc)
		goto out;
	cgid = cgrp_id(cgrp);

	/* Counted before the task lands, so tree_leave() cannot miss it. */
	if (!tctx->counted) {
		tctx->counted = true;
		__sync_fetch_and_add(&cgc->nr_queued, 1);
	}
	stat_inc(FCG_STAT_ENQ);

	if (fifo_sched) {
		scx_bpf_dsq_insert(p, cgid, slice_ns, enq_flags);
	} else {
		/* A sleeper may be at most one slice ahead of its cgroup. */
		vtime = p->scx.dsq_vtime;
		if (scx_vtime_before(vtime, cgc->tvtime_now - slice_ns))
			vtime = cgc->tvtime_now - slice_ns;
		scx_bpf_dsq_insert_vtime(p, cgid, slice_ns, vtime, enq_flags);
	}
	tree_enter(cgc, cgid);

	/* Queued work and an idle CPU: wake it to come and take it. */
	cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
out:
	bpf_cgroup_release(cgrp);
}

/*
 * A popped cgroup with nothing queued goes back to the stash.  An enqueue
 * on another CPU may be counting a task in right now, having seen in_tree
 * still set, so look at the count again once in_tree is clear.
 */
static void tree_leave(struct fcg_node *n, struct fcg_cgroup *cgc,
		       u64 cgid)
{
	if (!stash_node(n, cgid))
		return;
	__sync_lock_test_and_set(&cgc->in_tree, 0);
	if (__sync_fetch_and_add(&cgc->nr_queued, 0) > 0)
		tree_enter(cgc, cgid);
}

enum pick_result {
	PICK_NONE,	/* the tree is empty */
	PICK_DONE,	/* a task was moved to this CPU */
	PICK_AGAIN,	/* look at the new front */
};

static int pick_cgrp(struct fcg_cpu *cpuc, u64 now)
{
	struct fcg_cgroup *cgc;
	struct bpf_rb_node *rb;
	struct cgroup *cgrp;
	struct fcg_node *n;
	u64 cgid, key;
	int ret = PICK_AGAIN;

	bpf_spin_lock(&tree_lock);
	rb = bpf_rbtree_first(&tree);
	if (!rb) {
		bpf_spin_unlock(&tree_lock);
		return PICK_NONE;
	}
	rb = bpf_rbtree_remove(&tree, rb);
	bpf_spin_unlock(&tree_lock);
	if (!rb)
		return PICK_NONE;

	n = container_of(rb, struct fcg_node, rb);
	cgid = n->cgid;
	key = n->key;

	cgrp = bpf_cgroup_from_id(cgid);
	if (!cgrp) {
		/* Exited while queued: its stash entry is gone too. */
		bpf_obj_drop(n);
		return PICK_AGAIN;
	}
	cgc = cgrp_ctx_of(cgrp);
	if (!cgc) {
		bpf_obj_drop(n);
		goto out;
	}

	/*
	 * Keys are taken when a node enters the tree and charges land later,
	 * so the front may be stale.  Re-sort it and look again.
	 */
	if (scx_vtime_before(key, READ_ONCE(cgc->cvtime))) {
		n->key = READ_ONCE(cgc->cvtime);
		tree_add(n);
		stat_inc(FCG_STAT_REKEY);
		goto out;
	}

	stat_inc(FCG_STAT_PICK);
	if (consume_cgrp(cgc, cgid)) {
		if (scx_vtime_before(cvtime_now, key))
			WRITE_ONCE(cvtime_now, key);
		cpuc->cur_cgid = cgid;
		cpuc->cur_at = now;
		ret = PICK_DONE;
	} else if (__sync_fetch_and_add(&cgc->nr_queued, 0) <= 0) {
		stat_inc(FCG_STAT_EMPTY);
		tree_leave(n, cgc, cgid);
		goto out;
	}

	/*
	 * Still queued work (or a task on its way to a CPU): back in the tree,
	 * a slice further on as if this CPU will use one, so that other CPUs
	 * spread over the other cgroups until the real charge comes in.
	 */
	n->key = READ_ONCE(cgc->cvtime) +
		 slice_ns * FCG_ONE / task_hweight(cgrp, cgc);
	tree_add(n);
out:
	bpf_cgroup_release(cgrp);
	return ret;
}

void BPF_STRUCT_OPS(flatcg_dispatch, s32 cpu, struct task_struct *prev)
{
	struct fcg_cpu *cpuc;
	u32 zero = 0;
	u64 now = bpf_ktime_get_ns();
	int i;

	if (scx_dispatch_for_sibling(cpu))
		return;

	cpuc = bpf_map_lookup_elem(&cpu_ctx, &zero);
	if (!cpuc)
		return;

	/*
	 * Stay on the current cgroup for a cgroup slice: it saves a trip
	 * through the tree and its lock, and keeps the cgroup's tasks on a
	 * CPU whose caches they have warmed.
	 */
	if (cpuc->cur_cgid && now - cpuc->cur_at < slice_ns) {
		struct fcg_cgroup *cgc;
		struct cgroup *cgrp;
		bool moved = false;

		cgrp = bpf_cgroup_from_id(cpuc->cur_cgid);
		if (cgrp) {
			cgc = cgrp_ctx_of(cgrp);
			if (cgc)
				moved = consume_cgrp(cgc, cpuc->cur_cgid);
			bpf_cgroup_release(cgrp);
		}
		if (moved) {
			stat_inc(FCG_STAT_STAY);
			return;
		}
	}
	cpuc->cur_cgid = 0;

	bpf_for(i, 0, FCG_PICK_TRIES) {
		if (pick_cgrp(cpuc, now) != PICK_AGAIN)
			return;
	}
}

void BPF_STRUCT_OPS(flatcg_runnable, struct task_struct *p, u64 enq_flags)
{
	struct fcg_cgroup *cgc;
	struct cgroup *cgrp;

	cgrp = scx_bpf_task_cgroup(p);
	cgc = cgrp_ctx_of(cgrp);
	if (cgc && !__sync_fetch_and_add(&cgc->nr_runnable, 1))
		propagate(cgrp, cgrp->level, 1, FCG_OWN_WEIGHT);
	bpf_cgroup_release(cgrp);
}

/* The task left its cgroup's DSQ: to run, or to be dequeued. */
static void uncount(struct fcg_task *tctx, struct fcg_cgroup *cgc)
{
	if (tctx->counted) {
		tctx->counted = false;
		__sync_fetch_and_sub(&cgc->nr_queued, 1);
	}
}

void BPF_STRUCT_OPS(flatcg_running, struct task_struct *p)
{
	struct fcg_task *tctx;
	struct fcg_cgroup *cgc;
	struct cgroup *cgrp;

	tctx = task_ctx_of(p);
	if (!tctx)
		return;
	/* +1: 0 means "not running" for a task that never ran yet. */
	tctx->exec_at = p->se.sum_exec_runtime + 1;

	cgrp = scx_bpf_task_cgroup(p);
	cgc = cgrp_ctx_of(cgrp);
	if (cgc) {
		uncount(tctx, cgc);
		if (!fifo_sched && scx_vtime_before(cgc->tvtime_now,
						    p->scx.dsq_vtime))
			cgc->tvtime_now = p->scx.dsq_vtime;
	}
	bpf_cgroup_release(cgrp);
}

void BPF_STRUCT_OPS(flatcg_stopping, struct task_struct *p, bool runnable)
{
	struct fcg_task *tctx;
	struct fcg_cgroup *cgc;
	struct cgroup *cgrp;
	u64 used;

	tctx = task_ctx_of(p);
	if (!tctx)
		return;
	if (!tctx->exec_at)
		return;
	used = p->se.sum_exec_runtime + 1 - tctx->exec_at;
	tctx->exec_at = 0;
	stat_add(FCG_STAT_RUN_NS, used);

	if (!fifo_sched)
		p->scx.dsq_vtime += used * 100 / p->scx.weight;

	/*
	 * Charge the cgroup for what the task really used, whichever way it
	 * reached the CPU; the idle and restricted paths are paid for here.
	 */
	cgrp = scx_bpf_task_cgroup(p);
	cgc = cgrp_ctx_of(cgrp);
	if (cgc)
		__sync_fetch_and_add(&cgc->cvtime,
				     used * FCG_ONE / task_hweight(cgrp, cgc));
	bpf_cgroup_release(cgrp);
}

void BPF_STRUCT_OPS(flatcg_quiescent, struct task_struct *p, u64 deq_flags)
{
	struct fcg_task *tctx;
	struct fcg_cgroup *cgc;
	struct cgroup *cgrp;

	tctx = task_ctx_of(p);
	if (!tctx)
		return;

	cgrp = scx_bpf_task_cgroup(p);
	cgc = cgrp_ctx_of(cgrp);
	if (cgc) {
		uncount(tctx, cgc);
		if (__sync_fetch_and_sub(&cgc->nr_runnable, 1) == 1)
			propagate(cgrp, cgrp->level, -1, -FCG_OWN_WEIGHT);
	}
	bpf_cgroup_release(cgrp);
}

s32 BPF_STRUCT_OPS(flatcg_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	if (!bpf_task_storage_get(&task_ctx, p, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE))
		return -ENOMEM;
	p->scx.dsq_vtime = 0;
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(flatcg_cgroup_init, struct cgroup *cgrp,
			     struct scx_cgroup_init_args *args)
{
	struct fcg_stash empty = {}, *st;
	struct fcg_cgroup *cgc;
	u64 cgid = cgrp_id(cgrp);
	struct fcg_node *n;
	s32 ret;

	if (cgrp->level > FCG_MAX_DEPTH)
		return -E2BIG;

	cgc = bpf_cgrp_storage_get(&cgrp_ctx, cgrp, 0,
				   BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!cgc)
		return -ENOMEM;
	cgc->weight = args->weight;

	ret = scx_bpf_create_dsq(cgid, -1);
	if (ret)
		return ret;

	n = bpf_obj_new(struct fcg_node);
	if (!n) {
		ret = -ENOMEM;
		goto err_dsq;
	}
	n->cgid = cgid;

	ret = bpf_map_update_elem(&node_stash, &cgid, &empty, BPF_NOEXIST);
	if (ret) {
		bpf_obj_drop(n);
		goto err_dsq;
	}
	st = bpf_map_lookup_elem(&node_stash, &cgid);
	if (!st) {
		bpf_obj_drop(n);
		ret = -ENOENT;
		goto err_dsq;
	}
	n = bpf_kptr_xchg(&st->node, n);
	if (n)
		bpf_obj_drop(n);
	return 0;

err_dsq:
	scx_bpf_destroy_dsq(cgid);
	return ret;
}

void BPF_STRUCT_OPS(flatcg_cgroup_exit, struct cgroup *cgrp)
{
	struct fcg_cgroup *cgc;
	u64 cgid = cgrp_id(cgrp);

	/*
	 * A cgroup exits only once it has no tasks, so its DSQ is empty, but
	 * a CPU may be about to consume from it.  Whoever of us and the last
	 * consumer comes second destroys it: both sides write their flag and
	 * then read the other's, so at least one sees both.
	 */
	cgc = bpf_cgrp_storage_get(&cgrp_ctx, cgrp, 0, 0);
	if (cgc) {
		__sync_lock_test_and_set(&cgc->dead, 1);
		if (!__sync_fetch_and_add(&cgc->dsq_users, 0))
			destroy_dsq_once(cgc, cgid);
	} else {
		scx_bpf_destroy_dsq(cgid);
	}
	/*
	 * Frees the node if it is parked; a node in the tree is dropped when
	 * it comes to the front.
	 */
	bpf_map_delete_elem(&node_stash, &cgid);
}

void BPF_STRUCT_OPS(flatcg_cgroup_move, struct task_struct *p,
		    struct cgroup *from, struct cgroup *to)
{
	struct fcg_cgroup *fctx, *tctx;
	s64 delta;

	/*
	 * The runnable counts need nothing here: a runnable task is taken
	 * off its queue (quiescent() in the old cgroup) and put back
	 * (runnable() in the new one) around the move.  Its vtime does: it
	 * is relative to the old cgroup's clock, so carry the task's lead or
	 * lag over to the new one's, within a slice.
	 */
	fctx = bpf_cgrp_storage_get(&cgrp_ctx, from, 0, 0);
	tctx = bpf_cgrp_storage_get(&cgrp_ctx, to, 0, 0);
	if (!fctx || !tctx)
		return;
	delta = p->scx.dsq_vtime - fctx->tvtime_now;
	if (delta < -(s64)slice_ns)
		delta = -(s64)slice_ns;
	if (delta > (s64)slice_ns)
		delta = slice_ns;
	p->scx.dsq_vtime = tctx->tvtime_now + delta;
}

void BPF_STRUCT_OPS(flatcg_cgroup_set_weight, struct cgroup *cgrp, u32 weight)
{
	struct fcg_cgroup *cgc;
	bool active;
	u32 old;

	cgc = cgrp_ctx_of(cgrp);
	if (!cgc)
		return;

	bpf_spin_lock(&cgc->lock);
	old = cgc->weight;
	cgc->weight = weight;
	active = cgc->nr_active > 0;
	bpf_spin_unlock(&cgc->lock);

	/* Only active cgroups are in their parent's sum. */
	if (active && cgrp->level)
		propagate(cgrp, cgrp->level - 1, 0, (s64)weight - old);
	__sync_fetch_and_add(&hweight_epoch, 1);
}

void BPF_STRUCT_OPS(flatcg_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(flatcg_ops,
	       .select_cpu		= (void *)flatcg_select_cpu,
	       .enqueue			= (void *)flatcg_enqueue,
	       .dispatch		= (void *)flatcg_dispatch,
	       .runnable		= (void *)flatcg_runnable,
	       .running			= (void *)flatcg_running,
	       .stopping		= (void *)flatcg_stopping,
	       .quiescent		= (void *)flatcg_quiescent,
	       .init_task		= (void *)flatcg_init_task,
	       .cgroup_init		= (void *)flatcg_cgroup_init,
	       .cgroup_exit		= (void *)flatcg_cgroup_exit,
	       .cgroup_move		= (void *)flatcg_cgroup_move,
	       .cgroup_set_weight	= (void *)flatcg_cgroup_set_weight,
	       .exit			= (void *)flatcg_exit,
	       .name			= "flatcg");
