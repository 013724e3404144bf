// SPDX-License-Identifier: GPL-2.0
/*
 * ops.core_sched_before() decides which of two runnable tasks should go
 * first when core scheduling has to pick for a whole SMT core.  The kernel
 * only asks when cookies exist, so user space makes two cookie groups of
 * workers and this side counts the calls that compare two of them.
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
	/* First come, first served, like the kernel's default. */
	return (s64)(a->scx.core_sched_at - b->scx.core_sched_at) < 0;
}

void BPF_STRUCT_OPS(core_sched_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(core_sched_ops,
	       .core_sched_before	= (void *)core_sched_before,
	       .exit			= (void *)core_sched_exit,
	       .name			= "core_sched");
