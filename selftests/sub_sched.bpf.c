// SPDX-License-Identifier: GPL-2.0
/*
 * 7.3's sub-schedulers: a root scheduler and a sub-scheduler, both cid-form
 * (struct sched_ext_ops_cid), the only form that may nest.  The sub is
 * attached to a cgroup by its ops.sub_cgroup_id and schedules the tasks of
 * that cgroup only; the root decides what it may use, cid by cid:
 * - ops.sub_attach() of the root sees the sub arrive (its cgroup id and
 *   path) and grants it SCX_CAP_ENQ_IMMED | SCX_CAP_ENQ on the cids user
 *   space chose with scx_bpf_sub_grant(), then reads the grant back with
 *   scx_bpf_sub_caps(), cap by cap;
 * - the sub learns what it holds twice: ops.sub_caps_updated() with the
 *   cids and caps that changed, where it also reads its own caps with
 *   scx_bpf_sub_caps(0, ...), and ops.sub_ecaps_updated() for each cid
 *   once the change is in effect on that cid's CPU;
 * - the sub queues its tasks on a DSQ of its own, which nothing but its
 *   ops.dispatch() drains, and that runs only when the root's ops.dispatch()
 *   calls scx_bpf_sub_dispatch(): the root marks the cid while it does, so
 *   the sub can tell a nested call from any other;
 * - on user space's command, carried out by the root's next ops.dispatch(),
 *   the root revokes the caps on one cid with scx_bpf_sub_revoke(), and
 *   later evicts the sub with scx_bpf_sub_kill_bstr(); ops.sub_detach()
 *   then sees it go;
 * - the sub's ops.exit() records how it ended: killed by the parent
 *   (SCX_EXIT_PARENT_KILL) or, once attached again, taken down with the
 *   root (SCX_EXIT_PARENT).
 *
 * In rescue_mode (test sub_sched_rescue) the root grants nothing, lets
 * rescue run at 64 parts per thousand of each CPU in quanta of a tick,
 * and the sub inserts every task straight into its CPU's local DSQ with
 * SCX_ENQ_RESCUE: lacking the caps, each insert waits for rescue, and
 * enough of them on one CPU overload it until the kernel ejects the sub
 * with SCX_EXIT_ERROR_RESCUE.
 *
 * A cid-form scheduler must own a BPF arena: both take the cmasks the cap
 * kfuncs read and write from one page of it, allocated in ops.init().
 *
 * 6.12 has none of this.  So that this builds against 6.12's vmlinux.h,
 * the 7.3 types are declared here with a ___sub suffix (libbpf matches
 * them to the kernel's by name), the kfuncs are weak and the constants are
 * spelled out; user space skips before loading there.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#ifndef __arena
#define __arena __attribute__((address_space(1)))
#endif

UEI_DEFINE(uei);	/* the root's */
UEI_DEFINE(sub_uei);	/* the sub's */

#define MAX_CIDS	64
#define SUB_DSQ		1

/* 7.3's enum scx_cap_flags and SCX_ENQ_RESCUE. */
#define CAP_ENQ_IMMED	(1ULL << 0)
#define CAP_ENQ		(1ULL << 1)
#define CAP_PREEMPT	(1ULL << 2)
#define NR_READ_CAPS	3
#define ENQ_RESCUE	(1ULL << 34)

#define KILL_COOKIE	0x5ca1ab1e

struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 64);	/* pages: ours and the kernel's cmasks */
} arena SEC(".maps");

/*
 * The kernel takes a cid-form scheduler's arena from the programs that use
 * it, and a program may only follow an arena pointer if it names the arena.
 */
static __always_inline void use_arena(void)
{
	asm volatile("" : : "r"(&arena));
}

/* 7.3's struct scx_cmask, with room for MAX_CIDS cids from cid 0. */
struct sub_cmask {
	u32 base;
	u32 nr_cids;
	u32 alloc_words;
	u64 bits[2];
};

struct sched_ext_ops___sub {
	u64 sub_cgroup_id;
} __attribute__((preserve_access_index));

struct scx_sub_attach_args___sub {
	struct sched_ext_ops___sub *ops;
	char *cgroup_path;
} __attribute__((preserve_access_index));

struct scx_sub_detach_args___sub {
	struct sched_ext_ops___sub *ops;
	char *cgroup_path;
} __attribute__((preserve_access_index));

__arena void *bpf_arena_alloc_pages(void *map, __arena void *addr,
				    u32 page_cnt, int node_id, u64 flags) __ksym;

u32 scx_bpf_nr_cids(void) __ksym __weak;
s32 scx_bpf_cid_to_cpu(s32 cid) __ksym __weak;
s32 scx_bpf_task_cid(const struct task_struct *p) __ksym __weak;
bool scx_bpf_sub_dispatch(u64 cgroup_id) __ksym __weak;
s32 scx_bpf_sub_grant(u64 cgroup_id, u64 caps,
		      const struct sub_cmask *cmask__arena,
		      struct sub_cmask *denied_out__arena__nullable) __ksym __weak;
void scx_bpf_sub_revoke(u64 cgroup_id, u64 caps,
			const struct sub_cmask *cmask__arena) __ksym __weak;
s32 scx_bpf_sub_caps(u64 cgroup_id, u64 caps,
		     struct sub_cmask *out__arena) __ksym __weak;
s32 scx_bpf_sub_kill_bstr(u64 cgroup_id, char *fmt, unsigned long long *data,
			  u32 data__sz) __ksym __weak;

/* Evict child @__cgid with a formatted reason. */
#define scx_bpf_sub_kill(__cgid, __fmt, __args...)				\
({										\
	__SCX_BSTR_ARGS(__fmt, ##__args)					\
	scx_bpf_sub_kill_bstr((__cgid), ___scx_fmt, ___scx_data,		\
			      sizeof(___scx_data));				\
})

/* A kfunc takes an arena address in the form user space sees. */
#define ARENA_ARG(__p)	((struct sub_cmask *)(unsigned long)(__p))

/* Set before load. */
const volatile bool rescue_mode;
const volatile u64 sub_cgid;	/* the sub's cgroup, as in its ops */

/* ops.init() of the root: the cid layout, for user space. */
u32 nr_cids;
s32 cid_cpu[MAX_CIDS];

/* The root, set by user space: what to grant, and what to revoke later. */
u64 grant_bits;
s32 revoke_cid;

/* The root's commands, carried out by its next ops.dispatch(). */
enum { CMD_NONE, CMD_REVOKE, CMD_KILL };
u32 cmd;
u32 nr_cmds_done;

/* The root's record of the sub. */
u64 child_cgid;			/* of the sub attached, 0 if none */
u32 nr_attach, nr_detach;
u64 attach_cgid, detach_cgid;
char attach_path[64], detach_path[64];
s32 grant_ret = 1, kill_ret = 1;
/* The sub's cids per cap, read after the grant [0] and the revoke [1]. */
u64 read_caps[2][NR_READ_CAPS];
s32 read_ret[2] = { 1, 1 };
/* scx_bpf_sub_dispatch() per cid: ran the sub to a task, or not. */
u64 nr_sub_dsp_ok[MAX_CIDS], nr_sub_dsp_none[MAX_CIDS];
bool in_sub_dispatch[MAX_CIDS];

static __arena struct sub_cmask *grant_cm, *revoke_cm, *read_cm;

/* The sub's record. */
struct caps_update {
	u64 caps;
	u32 base;
	u64 bits;
	u64 self;	/* scx_bpf_sub_caps(0, ...) from within */
	s32 self_ret;
};

struct ecaps_update {
	u32 nr;
	u64 before;
	u64 after;
};

u32 nr_caps_updated;
struct caps_update caps_updated[2];
struct ecaps_update ecaps_updated[MAX_CIDS];
u64 nr_nested[MAX_CIDS], nr_unnested;
u64 nr_enq_in, nr_enq_out, nr_enq_rescue;

static __arena struct sub_cmask *self_cm;

/* On a fresh arena page, whose bits are all 0. */
static void cmask_init(__arena struct sub_cmask *cm, u32 nr)
{
	cm->base = 0;
	cm->nr_cids = nr;
	cm->alloc_words = 2;	/* SCX_CMASK_NR_WORDS() of up to 64 cids */
}

/* The sub's cids, cap by cap, as the kernel has them. */
static void read_child_caps(u32 when)
{
	u32 i;
	s32 ret = 0;

	if (when >= 2)
		return;
	bpf_for(i, 0, NR_READ_CAPS) {
		read_cm->bits[0] = 0;
		ret |= scx_bpf_sub_caps(child_cgid, 1ULL << i, ARENA_ARG(read_cm));
		read_caps[when][i] = read_cm->bits[0];
	}
	read_ret[when] = ret;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(root_init)
{
	__arena struct sub_cmask *cm;
	u32 i;

	nr_cids = scx_bpf_nr_cids();
	if (nr_cids > MAX_CIDS)
		return -E2BIG;
	bpf_for(i, 0, MAX_CIDS) {
		if (i >= nr_cids)
			break;
		cid_cpu[i] = scx_bpf_cid_to_cpu(i);
	}

	cm = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	if (!cm)
		return -ENOMEM;
	grant_cm = cm;
	revoke_cm = cm + 1;
	read_cm = cm + 2;
	cmask_init(grant_cm, nr_cids);
	cmask_init(revoke_cm, nr_cids);
	cmask_init(read_cm, nr_cids);
	return 0;
}

s32 BPF_STRUCT_OPS(root_sub_attach, struct scx_sub_attach_args___sub *args)
{
	u64 cgid = args->ops->sub_cgroup_id;

	use_arena();
	attach_cgid = cgid;
	bpf_probe_read_kernel_str(attach_path, sizeof(attach_path),
				  args->cgroup_path);
	child_cgid = cgid;
	nr_attach++;

	/*
	 * The sub is not live yet: its ops.sub_caps_updated() comes once it
	 * is, ops.sub_ecaps_updated() once each cid's CPU takes the change.
	 */
	if (!rescue_mode) {
		grant_cm->bits[0] = grant_bits;
		grant_ret = scx_bpf_sub_grant(cgid, CAP_ENQ_IMMED | CAP_ENQ,
					      ARENA_ARG(grant_cm), NULL);
		read_child_caps(0);
	}
	return 0;
}

void BPF_STRUCT_OPS(root_sub_detach, struct scx_sub_detach_args___sub *args)
{
	detach_cgid = args->ops->sub_cgroup_id;
	bpf_probe_read_kernel_str(detach_path, sizeof(detach_path),
				  args->cgroup_path);
	if (detach_cgid == child_cgid)
		child_cgid = 0;
	nr_detach++;
}

static void run_cmd(void)
{
	u32 c = cmd;

	if (!c || __sync_val_compare_and_swap(&cmd, c, CMD_NONE) != c)
		return;

	switch (c) {
	case CMD_REVOKE:
		revoke_cm->bits[0] = 1ULL << (revoke_cid & (MAX_CIDS - 1));
		scx_bpf_sub_revoke(child_cgid, CAP_ENQ_IMMED | CAP_ENQ,
				   ARENA_ARG(revoke_cm));
		read_child_caps(1);
		break;
	case CMD_KILL:
		kill_ret = scx_bpf_sub_kill(child_cgid,
					    "evicted by the root, cookie %x",
					    KILL_COOKIE);
		break;
	}
	__sync_fetch_and_add(&nr_cmds_done, 1);
}

void BPF_STRUCT_OPS(root_dispatch, s32 cid, struct task_struct *prev)
{
	u64 cgid;
	bool ok;

	use_arena();
	run_cmd();

	cgid = child_cgid;
	if (!cgid || cid < 0 || cid >= MAX_CIDS)
		return;
	in_sub_dispatch[cid & (MAX_CIDS - 1)] = true;
	ok = scx_bpf_sub_dispatch(cgid);
	in_sub_dispatch[cid & (MAX_CIDS - 1)] = false;
	if (ok)
		nr_sub_dsp_ok[cid & (MAX_CIDS - 1)]++;
	else
		nr_sub_dsp_none[cid & (MAX_CIDS - 1)]++;
}

void BPF_STRUCT_OPS(root_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

/* The members of 7.3's struct sched_ext_ops_cid the two schedulers set. */
struct sched_ext_ops_cid___sub {
	s32 (*select_cid)(struct task_struct *p, s32 prev_cid, u64 wake_flags);
	void (*enqueue)(struct task_struct *p, u64 enq_flags);
	void (*dispatch)(s32 cid, struct task_struct *prev);
	s32 (*sub_attach)(struct scx_sub_attach_args___sub *args);
	void (*sub_detach)(struct scx_sub_detach_args___sub *args);
	void (*sub_caps_updated)(struct sub_cmask *cmask, u64 caps);
	void (*sub_ecaps_updated)(s32 cid, u64 before, u64 after);
	s32 (*init)(void);
	void (*exit)(struct scx_exit_info *info);
	u32 timeout_ms;
	u32 exit_dump_len;
	u32 rescue_bandwidth_ppt;
	u32 rescue_quantum_us;
	u64 sub_cgroup_id;
	char name[128];
};

SEC(".struct_ops.link")
struct sched_ext_ops_cid___sub root_ops = {
	.dispatch	= (void *)root_dispatch,
	.sub_attach	= (void *)root_sub_attach,
	.sub_detach	= (void *)root_sub_detach,
	.init		= (void *)root_init,
	.exit		= (void *)root_exit,
	.name		= "sub_root",
};

/* The sub-scheduler. */

s32 BPF_STRUCT_OPS_SLEEPABLE(sub_init)
{
	__arena struct sub_cmask *cm;

	cm = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	if (!cm)
		return -ENOMEM;
	self_cm = cm;
	cmask_init(self_cm, scx_bpf_nr_cids());
	return scx_bpf_create_dsq(SUB_DSQ, -1);
}

/* No idle pick that would insert into a local DSQ behind our back. */
s32 BPF_STRUCT_OPS(sub_select_cid, struct task_struct *p, s32 prev_cid,
		   u64 wake_flags)
{
	return prev_cid;
}

void BPF_STRUCT_OPS(sub_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct cgroup *cgrp = scx_bpf_task_cgroup(p);

	if (cgrp->kn->id == sub_cgid)
		__sync_fetch_and_add(&nr_enq_in, 1);
	else
		__sync_fetch_and_add(&nr_enq_out, 1);
	bpf_cgroup_release(cgrp);

	if (rescue_mode) {
		/* Where it is, without the caps: rescue's to run it. */
		__sync_fetch_and_add(&nr_enq_rescue, 1);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | scx_bpf_task_cid(p),
				   SCX_SLICE_DFL, enq_flags | ENQ_RESCUE);
		return;
	}
	scx_bpf_dsq_insert(p, SUB_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(sub_dispatch, s32 cid, struct task_struct *prev)
{
	if (cid < 0 || cid >= MAX_CIDS)
		return;
	if (in_sub_dispatch[cid & (MAX_CIDS - 1)])
		nr_nested[cid & (MAX_CIDS - 1)]++;
	else
		__sync_fetch_and_add(&nr_unnested, 1);
	scx_bpf_dsq_move_to_local(SUB_DSQ);
}

void BPF_STRUCT_OPS(sub_caps_updated_op, u64 cmask, u64 caps)
{
	__arena struct sub_cmask *cm = (__arena struct sub_cmask *)cmask;
	struct caps_update *cu;
	u32 i = nr_caps_updated++;

	use_arena();
	if (i >= 2)
		return;
	cu = &caps_updated[i];
	cu->caps = caps;
	cu->base = cm->base;
	cu->bits = cm->bits[0];
	self_cm->bits[0] = 0;
	cu->self_ret = scx_bpf_sub_caps(0, CAP_ENQ_IMMED | CAP_ENQ,
					ARENA_ARG(self_cm));
	cu->self = self_cm->bits[0];
}

void BPF_STRUCT_OPS(sub_ecaps_updated_op, s32 cid, u64 before, u64 after)
{
	struct ecaps_update *eu;

	if (cid < 0 || cid >= MAX_CIDS)
		return;
	eu = &ecaps_updated[cid & (MAX_CIDS - 1)];
	eu->before = before;
	eu->after = after;
	eu->nr++;
}

void BPF_STRUCT_OPS(sub_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(sub_uei, ei);
}

SEC(".struct_ops.link")
struct sched_ext_ops_cid___sub sub_ops = {
	.select_cid		= (void *)sub_select_cid,
	.enqueue		= (void *)sub_enqueue,
	.dispatch		= (void *)sub_dispatch,
	.sub_caps_updated	= (void *)sub_caps_updated_op,
	.sub_ecaps_updated	= (void *)sub_ecaps_updated_op,
	.init			= (void *)sub_init,
	.exit			= (void *)sub_exit,
	.name			= "sub_child",
};
