// SPDX-License-Identifier: GPL-2.0
/*
 * A vtime-ordered user DSQ hands out its tasks by vtime, not by arrival.
 * ops.enqueue() puts NR_WORKERS watched workers, all pinned on one CPU,
 * into VTIME_DSQ with the vtime user space chose for each, and everything
 * else into the global DSQ.  Until @released is set nothing takes from
 * VTIME_DSQ, so user space can wake the workers one by one and then ask
 * snapshot() what the DSQ holds: the count from scx_bpf_dsq_nr_queued() and
 * the workers in the order the DSQ iterator walks them.  release() sets
 * @released and kicks the workers' CPU, whose ops.dispatch() then takes them
 * one at a time; ops.running() writes down the order they ran in.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define VTIME_DSQ	0x77
#define NR_WORKERS	4

/* Set by user space before it wakes the workers. */
s32 pids[NR_WORKERS];
u64 vtimes[NR_WORKERS];
s32 target_cpu;
bool released;

u64 nr_inserted;	/* workers' inserts into VTIME_DSQ */
s32 nr_queued = -1;	/* what snapshot() read */
s32 walked[NR_WORKERS];	/* indexes of the workers, in iterator order */
u64 walked_vtime[NR_WORKERS];
u32 nr_walked;
s32 ran[NR_WORKERS];	/* indexes, in the order they first ran */
u32 nr_ran;
u32 nr_ran_twice;	/* a worker seen running after its first run */

static int worker_idx(const struct task_struct *p)
{
	int i;

	for (i = 0; i < NR_WORKERS; i++)
		if (pids[i] && pids[i] == p->pid)
			return i;
	return -1;
}

void BPF_STRUCT_OPS(dsq_vtime_enqueue, struct task_struct *p, u64 enq_flags)
{
	int i = worker_idx(p);

	if (i < 0) {
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	__sync_fetch_and_add(&nr_inserted, 1);
	scx_bpf_dsq_insert_vtime(p, VTIME_DSQ, SCX_SLICE_DFL, vtimes[i],
				 enq_flags);
}

void BPF_STRUCT_OPS(dsq_vtime_dispatch, s32 cpu, struct task_struct *prev)
{
	if (released && cpu == target_cpu)
		scx_bpf_dsq_move_to_local(VTIME_DSQ);
}

void BPF_STRUCT_OPS(dsq_vtime_running, struct task_struct *p)
{
	int i = worker_idx(p);
	u32 n, j;

	if (i < 0)
		return;
	n = nr_ran;
	for (j = 0; j < NR_WORKERS && j < n; j++) {
		if (ran[j] == i) {
			nr_ran_twice++;
			return;
		}
	}
	if (n < NR_WORKERS) {
		ran[n] = i;
		nr_ran = n + 1;
	}
}

/* What VTIME_DSQ holds now: its count, and the workers in walk order. */
SEC("syscall")
int snapshot(void *ctx)
{
	struct task_struct *p;
	u32 n = 0;

	nr_queued = scx_bpf_dsq_nr_queued(VTIME_DSQ);
	/* Outside a scheduler callback, the walk needs RCU held. */
	bpf_rcu_read_lock();
	bpf_for_each(scx_dsq, p, VTIME_DSQ, 0) {
		if (n >= NR_WORKERS)
			break;
		walked[n] = worker_idx(p);
		walked_vtime[n] = p->scx.dsq_vtime;
		n++;
	}
	bpf_rcu_read_unlock();
	nr_walked = n;
	return 0;
}

SEC("syscall")
int release(void *ctx)
{
	released = true;
	scx_bpf_kick_cpu(target_cpu, 0);
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(dsq_vtime_init)
{
	return scx_bpf_create_dsq(VTIME_DSQ, -1);
}

void BPF_STRUCT_OPS(dsq_vtime_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(dsq_vtime_ops,
	       .enqueue			= (void *)dsq_vtime_enqueue,
	       .dispatch		= (void *)dsq_vtime_dispatch,
	       .running			= (void *)dsq_vtime_running,
	       .init			= (void *)dsq_vtime_init,
	       .exit			= (void *)dsq_vtime_exit,
	       .name			= "dsq_vtime");
