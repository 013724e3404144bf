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

void BPF_STRUCT_OPS(dsq_move_enqueue, struct task_struct *p, u64 enq_flags)
{
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

		/* Every other task takes the vtime route. */
		if (__sync_fetch_and_add(&nr_iterated, 1) % 2 == 0) {
			scx_bpf_dsq_move_set_slice(BPF_FOR_EACH_ITER,
						   MOVE_SLICE);
			scx_bpf_dsq_move_set_vtime(BPF_FOR_EACH_ITER,
						   __sync_sub_and_fetch(&vclock, 1));
			ok = scx_bpf_dsq_move_vtime(BPF_FOR_EACH_ITER, p,
						    VTIME_DSQ, 0);
			if (ok)
				__sync_fetch_and_add(&nr_moved_vtime, 1);
		} else {
			ok = scx_bpf_dsq_move(BPF_FOR_EACH_ITER, p,
					      SCX_DSQ_LOCAL, 0);
			if (ok)
				__sync_fetch_and_add(&nr_moved_local, 1);
		}
		if (!ok)
			__sync_fetch_and_add(&nr_move_failed, 1);
	}

	check_vtime_dsq();
	scx_bpf_dsq_move_to_local(VTIME_DSQ);
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
	       .init			= (void *)dsq_move_init,
	       .exit			= (void *)dsq_move_exit,
	       .name			= "dsq_move");
