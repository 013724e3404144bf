// SPDX-License-Identifier: GPL-2.0
/*
 * ops.core_sched_before() decides which of two runnable tasks should go
 * first when core scheduling has to pick for a whole SMT core.  The kernel
 * only asks when cookies exist, so user space makes two cookie groups of
 * workers and this side counts the calls that compare two of them.
 *
 * The answer copies the kernel's own default order.  6.12 stamps
 * p->scx.core_sched_at when a task becomes runnable and puts the older
 * stamp first; 7.3 dropped the field, and puts a running task after every
 * waiting one and waiting ones by p->scx.runnable_at.  CO-RE tells which
 * the kernel has.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define MAX_WORKERS	8

/* Filled in by user space once the workers exist. */
s32 workers[MAX_WORKERS];

u64 nr_calls;
u64 nr_self;		/* a task compared with itself: never sensible */
u64 nr_ours;		/* both tasks are workers */
u64 nr_ours_cookied;	/* ... and both carry a core-sched cookie */
s32 last_a, last_b;

/* 6.12's field, which vmlinux.h of a later kernel lacks. */
struct sched_ext_entity___core_sched_at {
	u64 core_sched_at;
} __attribute__((preserve_access_index));

struct task_struct___core_sched_at {
	struct sched_ext_entity___core_sched_at scx;
} __attribute__((preserve_access_index));

/* Should @a run before @b when neither says otherwise? */
static bool fifo_before(struct task_struct *a, struct task_struct *b)
{
	struct task_struct___core_sched_at *oa = (void *)a, *ob = (void *)b;

	if (bpf_core_field_exists(oa->scx.core_sched_at))
		return (s64)(oa->scx.core_sched_at - ob->scx.core_sched_at) < 0;
	if (a->on_cpu != b->on_cpu)
		return !a->on_cpu;
	return (long)(a->scx.runnable_at - b->scx.runnable_at) < 0;
}

static bool is_worker(const struct task_struct *p)
{
	int i;

	for (i = 0; i < MAX_WORKERS; i++)
		if (workers[i] && workers[i] == p->pid)
			return true;
	return false;
}

bool BPF_STRUCT_OPS(core_sched_before, struct task_struct *a,
		    struct task_struct *b)
{
	__sync_fetch_and_add(&nr_calls, 1);
	if (a == b)
		__sync_fetch_and_add(&nr_self, 1);
	if (is_worker(a) && is_worker(b)) {
		__sync_fetch_and_add(&nr_ours, 1);
		if (a->core_cookie && b->core_cookie)
			__sync_fetch_and_add(&nr_ours_cookied, 1);
		last_a = a->pid;
		last_b = b->pid;
	}
	return fifo_before(a, b);
}

void BPF_STRUCT_OPS(core_sched_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(core_sched_ops,
	       .core_sched_before	= (void *)core_sched_before,
	       .exit			= (void *)core_sched_exit,
	       .name			= "core_sched");
