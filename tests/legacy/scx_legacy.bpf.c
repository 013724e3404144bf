// SPDX-License-Identifier: GPL-2.0
/*
 * A scheduler written the way a 6.12 kernel tree's examples are: it uses
 * only the 6.12 kfunc names (scx_bpf_dispatch, scx_bpf_dispatch_vtime,
 * scx_bpf_consume and the dispatch_from_dsq family, including the
 * __COMPAT_ spellings), to prove that such code builds and loads with
 * our include/scx.  tests/host/legacy-names.sh builds it, and
 * tests/vm/legacy-names.sh runs it under load.
 *
 * Even PIDs queue FIFO on one DSQ, odd ones by vtime on another; dispatch
 * takes from either and, once a second, moves a queued task between them
 * with the iterator, so every renamed kfunc is called for real.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define FIFO_DSQ	1
#define VTIME_DSQ	2

UEI_DEFINE(uei);

u64 nr_moved;
static u64 last_move;

void BPF_STRUCT_OPS(legacy_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (p->pid & 1)
		scx_bpf_dispatch_vtime(p, VTIME_DSQ, SCX_SLICE_DFL,
				       p->scx.dsq_vtime, enq_flags);
	else
		scx_bpf_dispatch(p, FIFO_DSQ, SCX_SLICE_DFL, enq_flags);
}

static void move_one(s32 cpu)
{
	struct task_struct *p;

	bpf_for_each(scx_dsq, p, FIFO_DSQ, 0) {
		__COMPAT_scx_bpf_dispatch_from_dsq_set_slice(BPF_FOR_EACH_ITER,
							     SCX_SLICE_DFL);
		__COMPAT_scx_bpf_dispatch_from_dsq_set_vtime(BPF_FOR_EACH_ITER,
							     p->scx.dsq_vtime);
		if (__COMPAT_scx_bpf_dispatch_vtime_from_dsq(BPF_FOR_EACH_ITER,
							     p, VTIME_DSQ, 0))
			__sync_fetch_and_add(&nr_moved, 1);
		break;
	}
	bpf_for_each(scx_dsq, p, VTIME_DSQ, 0) {
		/* Only this CPU's local DSQ is reachable from here. */
		if (!bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
			continue;
		scx_bpf_dispatch_from_dsq_set_slice(BPF_FOR_EACH_ITER,
						    SCX_SLICE_DFL);
		if (scx_bpf_dispatch_from_dsq(BPF_FOR_EACH_ITER, p,
					      SCX_DSQ_LOCAL, 0))
			__sync_fetch_and_add(&nr_moved, 1);
		break;
	}
}

void BPF_STRUCT_OPS(legacy_dispatch, s32 cpu, struct task_struct *prev)
{
	u64 now = bpf_ktime_get_ns();

	if (now - last_move > NSEC_PER_SEC) {
		last_move = now;
		move_one(cpu);
	}
	if (!scx_bpf_consume(FIFO_DSQ))
		scx_bpf_consume(VTIME_DSQ);
}

void BPF_STRUCT_OPS(legacy_stopping, struct task_struct *p, bool runnable)
{
	p->scx.dsq_vtime += (SCX_SLICE_DFL - p->scx.slice) * 100 / p->scx.weight;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(legacy_init)
{
	s32 ret = scx_bpf_create_dsq(FIFO_DSQ, -1);

	return ret ?: scx_bpf_create_dsq(VTIME_DSQ, -1);
}

void BPF_STRUCT_OPS(legacy_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(legacy_ops,
	       .enqueue		= (void *)legacy_enqueue,
	       .dispatch	= (void *)legacy_dispatch,
	       .stopping	= (void *)legacy_stopping,
	       .init		= (void *)legacy_init,
	       .exit		= (void *)legacy_exit,
	       .name		= "legacy");
