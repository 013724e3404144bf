// SPDX-License-Identifier: GPL-2.0
/*
 * Every task the scheduler will ever see goes through ops.init_task() (at
 * fork, or for the tasks already there when we attach), ops.enable() when
 * it starts being scheduled by us, ops.disable() when it stops, and
 * ops.exit_task() when it is freed or we detach.
 *
 * We keep global counts, and for the children forked by one process (the
 * test) a per-task record of which callbacks ran, in which order, so user
 * space can match them against the tasks it created.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

enum {
	SEEN_INIT	= 1 << 0,
	SEEN_ENABLE	= 1 << 1,
	SEEN_DISABLE	= 1 << 2,
	SEEN_EXIT	= 1 << 3,
};

s32 parent_tgid;

u64 nr_init_task, nr_init_fork, nr_enable, nr_disable, nr_exit_task;
u64 nr_exit_cancelled;
/* Children of parent_tgid, counted per callback. */
u64 c_init, c_enable, c_disable, c_exit, c_bad_order;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, s32);
	__type(value, u32);
} children SEC(".maps");

/* Record @bit for a child; it is in order if exactly @before was seen. */
static void child_saw(struct task_struct *p, u32 bit, u32 before, u64 *cnt)
{
	s32 pid = p->pid;
	u32 *seen;

	seen = bpf_map_lookup_elem(&children, &pid);
	if (!seen)
		return;
	if (*seen != before)
		__sync_fetch_and_add(&c_bad_order, 1);
	*seen |= bit;
	__sync_fetch_and_add(cnt, 1);
}

s32 BPF_STRUCT_OPS(task_life_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	u32 seen = SEEN_INIT;
	s32 pid = p->pid;

	__sync_fetch_and_add(&nr_init_task, 1);
	if (!args->fork)
		return 0;
	__sync_fetch_and_add(&nr_init_fork, 1);
	/* At fork, current is the parent; p->real_parent is not set yet. */
	if (parent_tgid && bpf_get_current_pid_tgid() >> 32 == parent_tgid) {
		bpf_map_update_elem(&children, &pid, &seen, BPF_ANY);
		__sync_fetch_and_add(&c_init, 1);
	}
	return 0;
}

void BPF_STRUCT_OPS(task_life_enable, struct task_struct *p)
{
	__sync_fetch_and_add(&nr_enable, 1);
	child_saw(p, SEEN_ENABLE, SEEN_INIT, &c_enable);
}

void BPF_STRUCT_OPS(task_life_disable, struct task_struct *p)
{
	__sync_fetch_and_add(&nr_disable, 1);
	child_saw(p, SEEN_DISABLE, SEEN_INIT | SEEN_ENABLE, &c_disable);
}

void BPF_STRUCT_OPS(task_life_exit_task, struct task_struct *p,
		    struct scx_exit_task_args *args)
{
	__sync_fetch_and_add(&nr_exit_task, 1);
	if (args->cancelled)
		__sync_fetch_and_add(&nr_exit_cancelled, 1);
	child_saw(p, SEEN_EXIT, SEEN_INIT | SEEN_ENABLE | SEEN_DISABLE,
		  &c_exit);
}

void BPF_STRUCT_OPS(task_life_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(task_life_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(task_life_ops,
	       .enqueue		= (void *)task_life_enqueue,
	       .init_task	= (void *)task_life_init_task,
	       .enable		= (void *)task_life_enable,
	       .disable		= (void *)task_life_disable,
	       .exit_task	= (void *)task_life_exit_task,
	       .exit		= (void *)task_life_exit,
	       .name		= "task_life_test");
