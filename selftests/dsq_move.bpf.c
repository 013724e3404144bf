// SPDX-License-Identifier: GPL-2.0
/*
 * Walking a DSQ and moving tasks out of it from ops.dispatch(): the DSQ
 * iterator (bpf_for_each(scx_dsq, ...)) visits the watched workers that
 * ops.enqueue() parked on a FIFO DSQ; every other one it meets is moved
 * with scx_bpf_dsq_move_vtime() to a vtime-ordered DSQ, after
 * scx_bpf_dsq_move_set_slice() and _set_vtime() give it a slice and a
 * vtime, and the rest go straight to the local DSQ with
 * scx_bpf_dsq_move().  Vtimes count down, so the vtime DSQ's order is
 * the reverse of arrival; walking it checks that order and that the slice
 * and vtime set on the iterator arrived with the task.
 *
 * Each move is written down in the task's storage, and ops.running() checks
 * that the task arrived: one moved to the local DSQ runs on the CPU whose
 * dispatch moved it, one moved to the vtime DSQ runs with the vtime it was
 * moved with.  A failed move (another CPU's walk took the task first) is
 * not noted; a new ops.enqueue() of the task forgets the move.
 *
 * ops.init() also makes and destroys a third DSQ, to see
 * scx_bpf_destroy_dsq() take effect.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define FIFO_DSQ	100
#define VTIME_DSQ	101
#define GONE_DSQ	102
#define MOVE_SLICE	(3 * NSEC_PER_MSEC + 1234)

s32 target_tgid;

s32 gone_before, gone_after;	/* nr_queued of GONE_DSQ around destroy */
u64 nr_parked, nr_iterated, nr_moved_local, nr_moved_vtime, nr_move_failed;
u64 nr_vtime_seen, nr_vtime_multi, nr_misordered, nr_bad_slice, nr_bad_vtime;
u64 vclock = 1ULL << 40;
u64 nr_local_arrived, nr_local_astray, nr_vtime_arrived, nr_vtime_astray;

enum route { ROUTE_NONE, ROUTE_LOCAL, ROUTE_VTIME };

/* The last move of a task, until it runs or is enqueued again. */
struct move {
	u32 route;
	s32 cpu;
	u64 vtime;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct move);
} moves SEC(".maps");

static void note_move(struct task_struct *p, u32 route, s32 cpu, u64 vtime)
{
	struct move *m;

	m = bpf_task_storage_get(&moves, p, NULL,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!m)
		return;
	m->cpu = cpu;
	m->vtime = vtime;
	m->route = route;
}

void BPF_STRUCT_OPS(dsq_move_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct move *m;

	m = bpf_task_storage_get(&moves, p, NULL, 0);
	if (m)
		m->route = ROUTE_NONE;
	if (target_tgid && p->tgid == target_tgid) {
		__sync_fetch_and_add(&nr_parked, 1);
		scx_bpf_dsq_insert(p, FIFO_DSQ, SCX_SLICE_DFL, enq_flags);
		return;
	}
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

/*
 * Loop state lives in a map value: a counter in a register would differ
 * on every pass and keep the verifier from seeing the loop converge.
 */
struct walk {
	u64 last;
	u64 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct walk);
} walks SEC(".maps");

/* Walk the vtime DSQ: ascending vtime, each with what the mover gave it. */
static void check_vtime_dsq(void)
{
	struct task_struct *p;
	struct walk *w;
	u32 zero = 0;

	w = bpf_map_lookup_elem(&walks, &zero);
	if (!w)
		return;
	w->last = 0;
	w->n = 0;
	bpf_for_each(scx_dsq, p, VTIME_DSQ, 0) {
		u64 slice = READ_ONCE(p->scx.slice);
		u64 vtime = READ_ONCE(p->scx.dsq_vtime);
		struct scx_dispatch_q *dsq = READ_ONCE(p->scx.dsq);

		/*
		 * The iterator does not hold the DSQ's lock: another CPU may
		 * have taken the task and run it (using up its slice) since
		 * the iterator returned it.  Judge only tasks still queued
		 * here after their slice and vtime were read.
		 */
		if (!dsq || dsq->id != VTIME_DSQ)
			continue;
		if (w->n && vtime < w->last)
			__sync_fetch_and_add(&nr_misordered, 1);
		if (slice != MOVE_SLICE)
			__sync_fetch_and_add(&nr_bad_slice, 1);
		if (vtime > (1ULL << 40) || vtime < (1ULL << 39))
			__sync_fetch_and_add(&nr_bad_vtime, 1);
		w->last = vtime;
		w->n++;
	}
	__sync_fetch_and_add(&nr_vtime_seen, w->n);
	if (w->n >= 2)
		__sync_fetch_and_add(&nr_vtime_multi, 1);
}

void BPF_STRUCT_OPS(dsq_move_dispatch, s32 cpu, struct task_struct *prev)
{
	struct task_struct *p;

	bpf_for_each(scx_dsq, p, FIFO_DSQ, 0) {
		bool ok;
		u64 vtime;

		/* Every other task takes the vtime route. */
		if (__sync_fetch_and_add(&nr_iterated, 1) % 2 == 0) {
			vtime = __sync_sub_and_fetch(&vclock, 1);
			scx_bpf_dsq_move_set_slice(BPF_FOR_EACH_ITER,
						   MOVE_SLICE);
			scx_bpf_dsq_move_set_vtime(BPF_FOR_EACH_ITER, vtime);
			ok = scx_bpf_dsq_move_vtime(BPF_FOR_EACH_ITER, p,
						    VTIME_DSQ, 0);
			/*
			 * Another CPU may take it from the vtime DSQ and run
			 * it before this note; that run goes unchecked.
			 */
			if (ok) {
				note_move(p, ROUTE_VTIME, cpu, vtime);
				__sync_fetch_and_add(&nr_moved_vtime, 1);
			}
		} else {
			/* Only this CPU, busy here, can run it: no race. */
			ok = scx_bpf_dsq_move(BPF_FOR_EACH_ITER, p,
					      SCX_DSQ_LOCAL, 0);
			if (ok) {
				note_move(p, ROUTE_LOCAL, cpu, 0);
				__sync_fetch_and_add(&nr_moved_local, 1);
			}
		}
		if (!ok)
			__sync_fetch_and_add(&nr_move_failed, 1);
	}

	check_vtime_dsq();
	scx_bpf_dsq_move_to_local(VTIME_DSQ);
}

/* Did the task arrive where its last move sent it? */
void BPF_STRUCT_OPS(dsq_move_running, struct task_struct *p)
{
	struct move *m;

	m = bpf_task_storage_get(&moves, p, NULL, 0);
	if (!m || m->route == ROUTE_NONE)
		return;
	if (m->route == ROUTE_LOCAL) {
		if (m->cpu == bpf_get_smp_processor_id())
			__sync_fetch_and_add(&nr_local_arrived, 1);
		else
			__sync_fetch_and_add(&nr_local_astray, 1);
	} else {
		if (p->scx.dsq_vtime == m->vtime)
			__sync_fetch_and_add(&nr_vtime_arrived, 1);
		else
			__sync_fetch_and_add(&nr_vtime_astray, 1);
	}
	m->route = ROUTE_NONE;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(dsq_move_init)
{
	s32 ret;

	ret = scx_bpf_create_dsq(FIFO_DSQ, -1);
	if (!ret)
		ret = scx_bpf_create_dsq(VTIME_DSQ, -1);
	if (!ret)
		ret = scx_bpf_create_dsq(GONE_DSQ, -1);
	if (ret)
		return ret;
	gone_before = scx_bpf_dsq_nr_queued(GONE_DSQ);
	scx_bpf_destroy_dsq(GONE_DSQ);
	gone_after = scx_bpf_dsq_nr_queued(GONE_DSQ);
	return 0;
}

void BPF_STRUCT_OPS(dsq_move_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(dsq_move_ops,
	       .enqueue			= (void *)dsq_move_enqueue,
	       .dispatch		= (void *)dsq_move_dispatch,
	       .running			= (void *)dsq_move_running,
	       .init			= (void *)dsq_move_init,
	       .exit			= (void *)dsq_move_exit,
	       .name			= "dsq_move");
