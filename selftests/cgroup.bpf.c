// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup callbacks, logged in the order they arrive: cgroup_init when
 * a cgroup with the cpu controller appears, cgroup_set_weight when its
 * cpu.weight changes, cgroup_prep_move and cgroup_move around a write to
 * cgroup.procs, and cgroup_exit when it goes away.  Cgroups are named by
 * their id, which is the inode user space sees.
 *
 * The flags are user space's to set, from what the kernel knows: 6.12
 * warns about a scheduler without SCX_OPS_HAS_CGROUP_WEIGHT (it honours
 * cpu.weight), and 7.3, which no longer has the flag, refuses it.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

enum { EV_INIT = 1, EV_EXIT, EV_PREP, EV_MOVE, EV_WEIGHT };

struct event {
	u32 type;
	s32 pid;
	u64 cgid;	/* the cgroup, or the destination of a move */
	u64 from;
	u64 weight;
};

#define MAX_EVENTS	64

/* Only cgroups at this level or below are logged: ours, not systemd's. */
const volatile u32 min_level = 2;
s32 worker_pid;

struct event events[MAX_EVENTS];
u32 nr_events;
u64 worker_cgid;	/* scx_bpf_task_cgroup() of the worker when it runs */

static void log_ev(u32 type, s32 pid, struct cgroup *cgrp, struct cgroup *from,
		   u64 weight)
{
	u32 i = __sync_fetch_and_add(&nr_events, 1);
	struct event *ev;

	if (i >= MAX_EVENTS)
		return;
	ev = &events[i];
	ev->type = type;
	ev->pid = pid;
	ev->cgid = cgrp->kn->id;
	ev->from = from ? from->kn->id : 0;
	ev->weight = weight;
}

void BPF_STRUCT_OPS(cgroup_running, struct task_struct *p)
{
	struct cgroup *cgrp;

	if (p->pid != worker_pid)
		return;
	cgrp = scx_bpf_task_cgroup(p);
	worker_cgid = cgrp->kn->id;
	bpf_cgroup_release(cgrp);
}

s32 BPF_STRUCT_OPS(cgroup_cgroup_init, struct cgroup *cgrp,
		   struct scx_cgroup_init_args *args)
{
	if (cgrp->level >= min_level)
		log_ev(EV_INIT, 0, cgrp, NULL, args->weight);
	return 0;
}

void BPF_STRUCT_OPS(cgroup_cgroup_exit, struct cgroup *cgrp)
{
	if (cgrp->level >= min_level)
		log_ev(EV_EXIT, 0, cgrp, NULL, 0);
}

s32 BPF_STRUCT_OPS(cgroup_cgroup_prep_move, struct task_struct *p,
		   struct cgroup *from, struct cgroup *to)
{
	if (p->pid == worker_pid)
		log_ev(EV_PREP, p->pid, to, from, 0);
	return 0;
}

void BPF_STRUCT_OPS(cgroup_cgroup_move, struct task_struct *p,
		    struct cgroup *from, struct cgroup *to)
{
	if (p->pid == worker_pid)
		log_ev(EV_MOVE, p->pid, to, from, 0);
}

void BPF_STRUCT_OPS(cgroup_cgroup_set_weight, struct cgroup *cgrp, u32 weight)
{
	if (cgrp->level >= min_level)
		log_ev(EV_WEIGHT, 0, cgrp, NULL, weight);
}

void BPF_STRUCT_OPS(cgroup_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(cgroup_ops,
	       .running			= (void *)cgroup_running,
	       .cgroup_init		= (void *)cgroup_cgroup_init,
	       .cgroup_exit		= (void *)cgroup_cgroup_exit,
	       .cgroup_prep_move	= (void *)cgroup_cgroup_prep_move,
	       .cgroup_move		= (void *)cgroup_cgroup_move,
	       .cgroup_set_weight	= (void *)cgroup_cgroup_set_weight,
	       .exit			= (void *)cgroup_exit,
	       .name			= "cgroup");
