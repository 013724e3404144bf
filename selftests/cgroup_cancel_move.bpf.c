// SPDX-License-Identifier: GPL-2.0
/*
 * ops.cgroup_cancel_move() undoes a cgroup_prep_move() whose migration
 * did not happen.  Writing a tgid to cgroup.procs migrates all of its
 * threads as one: each is prep_move()'d in turn, and when one fails the
 * kernel cancels the ones already prepared.  This scheduler fails the
 * prep_move of the third thread and logs who was prepared and cancelled.
 * Its flags are set by user space, from what the kernel knows (see
 * cgroup.bpf.c).
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define MAX_LOG		16
#define FAIL_AT		2	/* the third thread's prep_move fails */

s32 target_tgid;

s32 prepped[MAX_LOG];
u64 prep_to[MAX_LOG];
u32 nr_prep;
s32 cancelled[MAX_LOG];
u64 cancel_from[MAX_LOG], cancel_to[MAX_LOG];
u32 nr_cancel;
u32 nr_move;
s32 failed_pid;

s32 BPF_STRUCT_OPS(ccm_cgroup_prep_move, struct task_struct *p,
		   struct cgroup *from, struct cgroup *to)
{
	u32 i;

	if (p->tgid != target_tgid)
		return 0;
	i = __sync_fetch_and_add(&nr_prep, 1);
	if (i < MAX_LOG) {
		prepped[i] = p->pid;
		prep_to[i] = to->kn->id;
	}
	if (i == FAIL_AT) {
		failed_pid = p->pid;
		return -EBUSY;
	}
	return 0;
}

void BPF_STRUCT_OPS(ccm_cgroup_cancel_move, struct task_struct *p,
		    struct cgroup *from, struct cgroup *to)
{
	u32 i;

	if (p->tgid != target_tgid)
		return;
	i = __sync_fetch_and_add(&nr_cancel, 1);
	if (i < MAX_LOG) {
		cancelled[i] = p->pid;
		cancel_from[i] = from->kn->id;
		cancel_to[i] = to->kn->id;
	}
}

void BPF_STRUCT_OPS(ccm_cgroup_move, struct task_struct *p,
		    struct cgroup *from, struct cgroup *to)
{
	if (p->tgid == target_tgid)
		__sync_fetch_and_add(&nr_move, 1);
}

void BPF_STRUCT_OPS(ccm_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(cgroup_cancel_move_ops,
	       .cgroup_prep_move	= (void *)ccm_cgroup_prep_move,
	       .cgroup_cancel_move	= (void *)ccm_cgroup_cancel_move,
	       .cgroup_move		= (void *)ccm_cgroup_move,
	       .exit			= (void *)ccm_exit,
	       .name			= "cgroup_cancel_move");
