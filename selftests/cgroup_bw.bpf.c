// SPDX-License-Identifier: GPL-2.0
/*
 * CPU bandwidth and idleness of cgroups, handed to the BPF scheduler.
 *
 * With CONFIG_EXT_GROUP_SCHED (7.x), the cpu controller's knobs are passed
 * on to sched_ext instead of being enforced by the kernel for it:
 * - cpu.max ("QUOTA PERIOD", or "max" for no limit) and cpu.max.burst end
 *   in tg_set_bandwidth(), which checks the values and then calls
 *   ops.cgroup_set_bandwidth(cgrp, period_us, quota_us, burst_us) with all
 *   three, whichever file was written.  A write keeps what it does not
 *   name: "max" keeps the period, cpu.max keeps the burst.  "max" arrives
 *   as the kernel's RUNTIME_INF, all ones.
 * - cpu.idle 1 or 0 calls ops.cgroup_set_idle(cgrp, true or false).
 * The kernel calls either op only when a value changes, and keeps the
 * values while no scheduler is loaded: ops.cgroup_init() gets them in its
 * args (bw_period_us, bw_quota_us, bw_burst_us, sched_idle), for cgroups
 * that exist when the scheduler attaches as for new ones.  No ops flag is
 * needed; implementing the op is enough.
 *
 * The experiment logs every call about the test's cgroups, in order and
 * with its arguments, and user space compares the log with the writes it
 * made.  6.12 has none of this: its sched_ext_ops has no such members and
 * its scx_cgroup_init_args only a weight.  So that one source builds
 * against both kernels' vmlinux.h, the ops struct and the init args are
 * declared here with a ___bw suffix: libbpf and CO-RE match them to the
 * kernel's types by name, and user space skips before loading on 6.12.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

/* The members of 7.x's struct sched_ext_ops this scheduler sets. */
struct sched_ext_ops___bw {
	s32 (*cgroup_init)(struct cgroup *cgrp, void *args);
	void (*cgroup_set_bandwidth)(struct cgroup *cgrp, u64 period_us,
				     u64 quota_us, u64 burst_us);
	void (*cgroup_set_idle)(struct cgroup *cgrp, bool idle);
	void (*exit)(struct scx_exit_info *ei);
	u32 exit_dump_len;
	char name[128];
};

/* 7.x's struct scx_cgroup_init_args; relocated field by field. */
struct scx_cgroup_init_args___bw {
	u32 weight;
	u64 bw_period_us;
	u64 bw_quota_us;
	u64 bw_burst_us;
	bool sched_idle;
} __attribute__((preserve_access_index));

enum { EV_INIT = 1, EV_BW, EV_IDLE };

struct event {
	u32 type;
	u32 idle;
	u64 cgid;
	u64 period_us;
	u64 quota_us;
	u64 burst_us;
};

#define MAX_EVENTS	32

/* The id of SCX_TEST_CGROUP: only its children are logged. */
u64 parent_cgid;

struct event events[MAX_EVENTS];
u32 nr_events;

static bool ours(struct cgroup *cgrp)
{
	struct cgroup_subsys_state *parent = cgrp->self.parent;

	return parent_cgid && parent && parent->cgroup->kn->id == parent_cgid;
}

static void log_ev(u32 type, struct cgroup *cgrp, u64 period_us,
		   u64 quota_us, u64 burst_us, bool idle)
{
	u32 i = __sync_fetch_and_add(&nr_events, 1);
	struct event *ev;

	if (i >= MAX_EVENTS)
		return;
	ev = &events[i];
	ev->type = type;
	ev->cgid = cgrp->kn->id;
	ev->period_us = period_us;
	ev->quota_us = quota_us;
	ev->burst_us = burst_us;
	ev->idle = idle;
}

s32 BPF_STRUCT_OPS(bw_cgroup_init, struct cgroup *cgrp,
		   struct scx_cgroup_init_args___bw *args)
{
	if (ours(cgrp))
		log_ev(EV_INIT, cgrp, args->bw_period_us, args->bw_quota_us,
		       args->bw_burst_us, args->sched_idle);
	return 0;
}

void BPF_STRUCT_OPS(bw_cgroup_set_bandwidth, struct cgroup *cgrp,
		    u64 period_us, u64 quota_us, u64 burst_us)
{
	if (ours(cgrp))
		log_ev(EV_BW, cgrp, period_us, quota_us, burst_us, false);
}

void BPF_STRUCT_OPS(bw_cgroup_set_idle, struct cgroup *cgrp, bool idle)
{
	if (ours(cgrp))
		log_ev(EV_IDLE, cgrp, 0, 0, 0, idle);
}

void BPF_STRUCT_OPS(bw_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

/* What SCX_OPS_DEFINE() would make, with the type above. */
SEC(".struct_ops.link")
struct sched_ext_ops___bw cgroup_bw_ops = {
	.cgroup_init		= (void *)bw_cgroup_init,
	.cgroup_set_bandwidth	= (void *)bw_cgroup_set_bandwidth,
	.cgroup_set_idle	= (void *)bw_cgroup_set_idle,
	.exit			= (void *)bw_exit,
	.name			= "cgroup_bw",
};
