// SPDX-License-Identifier: GPL-2.0
/*
 * ops.core_sched_before() decides which of two runnable tasks should go
 * first when core scheduling has to pick for a whole SMT core.  The kernel
 * only asks when cookies exist, so user space gives two workers a cookie
 * each and pins them on the two siblings of one core.  Tasks of different
 * cookies may not share a core, so each core-wide pick runs one of them and
 * forces the other sibling idle; which one is up to this callback.
 *
 * The answer is rigged: worker A goes before worker B, always.  If the
 * kernel heeds it, A owns the core and B starves; if it read the answer
 * the wrong way round (as 6.12 did before its fix swapped the arguments),
 * B would own it.  User space measures which.
 *
 * Any other pair gets the kernel's own default order.  6.12 stamps
 * p->scx.core_sched_at when a task becomes runnable and puts the older
 * stamp first; 7.3 dropped the field, and puts a running task after every
 * waiting one and waiting ones by p->scx.runnable_at.  CO-RE tells which
 * the kernel has.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

/* Filled in by user space once the workers exist. */
s32 pid_a, pid_b;

u64 nr_calls;
u64 nr_self;		/* a task compared with itself: never sensible */
u64 nr_ab;		/* A compared with B, either way round */
u64 nr_ab_cookied;	/* ... with both carrying a core-sched cookie */

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

bool BPF_STRUCT_OPS(core_sched_before, struct task_struct *a,
		    struct task_struct *b)
{
	bool a_is_a = pid_a && a->pid == pid_a;
	bool a_is_b = pid_b && a->pid == pid_b;
	bool b_is_a = pid_a && b->pid == pid_a;
	bool b_is_b = pid_b && b->pid == pid_b;

	__sync_fetch_and_add(&nr_calls, 1);
	if (a == b)
		__sync_fetch_and_add(&nr_self, 1);
	if ((a_is_a && b_is_b) || (a_is_b && b_is_a)) {
		__sync_fetch_and_add(&nr_ab, 1);
		if (a->core_cookie && b->core_cookie)
			__sync_fetch_and_add(&nr_ab_cookied, 1);
		/* A first, whichever way round the kernel asks. */
		return a_is_a;
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
