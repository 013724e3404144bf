// SPDX-License-Identifier: GPL-2.0
/*
 * 7.3's sub-schedulers (sub_sched.bpf.c has the two schedulers).
 *
 * sub_sched: a cid-form root is enabled, a cgroup made and a ping-pong
 * child moved into it, pinned to the CPU of cid 0.  Then:
 * 1. The sub-scheduler is attached with the cgroup's id in
 *    ops.sub_cgroup_id: it must appear in sysfs under that id, the root's
 *    ops.sub_attach() must have seen that id and the cgroup's path, and the
 *    sub must be handed the tasks of the cgroup and no others.
 * 2. From ops.sub_attach() the root granted SCX_CAP_ENQ_IMMED and
 *    SCX_CAP_ENQ on every cid but the last: scx_bpf_sub_grant() returns
 *    0, scx_bpf_sub_caps() reads exactly those cids back for each of the
 *    two caps and none for SCX_CAP_PREEMPT; the sub's
 *    ops.sub_caps_updated() gets those cids and caps, and reads the same
 *    cids with scx_bpf_sub_caps() on itself; ops.sub_ecaps_updated() comes
 *    for each granted cid, from no caps to both, and never for the last.
 * 3. The ping-pong child answers 20 rounds: the sub's task runs only if
 *    its ops.dispatch() moves it from the sub's own DSQ, which happens only
 *    within scx_bpf_sub_dispatch() of the root.  The sub's ops.dispatch()
 *    must have run nested in it on cid 0, never outside it, and never on
 *    the last cid, which the sub holds no caps on.
 * 4. The root revokes both caps on cid 1 with scx_bpf_sub_revoke(): cid 1
 *    is gone from scx_bpf_sub_caps(), from the sub's second
 *    ops.sub_caps_updated() (which names cid 1 alone) and, through
 *    ops.sub_ecaps_updated(), from the sub's effective caps on cid 1.
 * 5. The root evicts the sub with scx_bpf_sub_kill_bstr(): the sub exits
 *    with SCX_EXIT_PARENT_KILL and the root's message, the root's
 *    ops.sub_detach() sees the cgroup go, its sysfs entry goes too, and
 *    the root schedules the child again.
 * 6. The sub is attached again and the root detached: the sub exits with
 *    SCX_EXIT_PARENT.
 *
 * sub_sched_rescue: the root grants nothing and runs rescue at 64 parts
 * per thousand in quanta of 1 ms, which the kernel raises to a tick (call
 * it Q: 4 ms at HZ=250, 1 ms at HZ=1000).  128 spinners of the cgroup,
 * pinned to one CPU, are inserted there by the sub with SCX_ENQ_RESCUE.
 * Each admission runs one waiter for Q (the quantum shared among the
 * waiters, but never less than a tick or 1 ms) and needs Q of budget,
 * which accrues at 64/1024 of the time: one admission every 16 Q, so the
 * head of the queue waits some 128 * 16 Q, at least 2 s.  The kernel ejects
 * the sub with SCX_EXIT_ERROR_RESCUE once the head has waited 16 funding
 * periods (16 * 16 Q) or 1 s, whichever is longer: always sooner, at any
 * HZ from 100 to 1000.
 *
 * 6.12 has no sub-schedulers: both tests skip there.
 */
#include <stdlib.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"

/* As in sub_sched.bpf.c; the skeleton refers to them by name. */
struct caps_update {
	u64 caps;
	u32 base;
	u64 bits;
	u64 self;
	s32 self_ret;
};

struct ecaps_update {
	u32 nr;
	u64 before;
	u64 after;
};

enum { CMD_NONE, CMD_REVOKE, CMD_KILL };

#include "sub_sched.bpf.skel.h"

#define CG		"sub"
#define CG_PATH		"/scx_selftest/sub"	/* as the kernel names it */
#define MAX_CIDS	64			/* as in sub_sched.bpf.c */
#define KILL_MSG	"evicted by the root, cookie 5ca1ab1e"
#define CAPS		0x3ULL			/* SCX_CAP_ENQ_IMMED | SCX_CAP_ENQ */
#define PP_CID		0			/* the ping-pong child's */
#define REVOKE_CID	1
#define ROUNDS		20
#define ROUND_MS	2000
#define WAIT_MS		5000

/* 7.3's exit kinds that include/scx/common.h does not have. */
#define EXIT_PARENT		68
#define EXIT_PARENT_KILL	69
#define EXIT_ERROR_REENQ	1027
#define EXIT_ERROR_RESCUE	1028

/* Rescue, for sub_sched_rescue. */
#define RESCUE_PPT		64
#define RESCUE_QUANTUM_US	1000	/* the least; the kernel makes it a tick */
#define NR_SPINNERS		128
#define RESCUE_WAIT_MS		10000

struct ctx {
	struct sub_sched *skel;
	struct bpf_link *root, *sub;
	struct scx_util_pingpong pp;
	pid_t spinners[NR_SPINNERS];
	u64 cgid;
	char sysfs[128];	/* the sub's directory */
};

static const char *const kfuncs[] = {
	"scx_bpf_sub_dispatch", "scx_bpf_sub_grant", "scx_bpf_sub_revoke",
	"scx_bpf_sub_caps", "scx_bpf_sub_kill_bstr", "scx_bpf_cid_to_cpu",
};

/*
 * Unregister the sub.  Workers forked after the attach hold the link's fd
 * too: detach explicitly.  The kernel has run ops.exit() on return.
 */
static void detach_sub(struct ctx *c)
{
	if (!c->sub)
		return;
	bpf_link_detach(bpf_link__fd(c->sub));
	bpf_link__destroy(c->sub);
	c->sub = NULL;
}

static enum scx_test_status setup_common(void **ctxp, bool rescue)
{
	struct ctx *c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kfuncs); i++) {
		if (!__COMPAT_has_ksym(kfuncs[i])) {
			printf("kernel lacks %s (7.3 has sub-schedulers)\n",
			       kfuncs[i]);
			return SCX_TEST_SKIP_KERNEL;
		}
	}
	if (!__COMPAT_struct_has_field("sched_ext_ops_cid", "sub_attach")) {
		printf("kernel lacks sched_ext_ops_cid.sub_attach (7.3 has it)\n");
		return SCX_TEST_SKIP_KERNEL;
	}
	if (scx_util_nr_cpus() < 3 || scx_util_nr_cpus() > MAX_CIDS) {
		printf("needs 3 to %d CPUs\n", MAX_CIDS);
		return SCX_TEST_SKIP;
	}
	if (access("/sys/fs/cgroup/cgroup.subtree_control", W_OK)) {
		printf("needs cgroup v2 at /sys/fs/cgroup\n");
		return SCX_TEST_SKIP;
	}

	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->pp.pid = -1;
	c->pp.to = c->pp.from = -1;
	for (i = 0; i < NR_SPINNERS; i++)
		c->spinners[i] = -1;
	*ctxp = c;

	SCX_EQ(scx_util_cgroup_create(CG), 0);
	c->cgid = scx_util_cgroup_id(CG);
	SCX_ASSERT(c->cgid > 1);
	snprintf(c->sysfs, sizeof(c->sysfs),
		 SCX_SYSFS "/root/sub/sub-%llu", (unsigned long long)c->cgid);

	c->skel = sub_sched__open();
	if (!c->skel)
		SCX_FAIL("cannot open the BPF object");
	c->skel->rodata->rescue_mode = rescue;
	c->skel->rodata->sub_cgid = c->cgid;
	c->skel->struct_ops.sub_ops->sub_cgroup_id = c->cgid;
	if (rescue) {
		c->skel->struct_ops.root_ops->rescue_bandwidth_ppt = RESCUE_PPT;
		c->skel->struct_ops.root_ops->rescue_quantum_us =
			RESCUE_QUANTUM_US;
	}
	UEI_SET_SIZE(c->skel, sub_ops, sub_uei);
	if (SCX_UTIL_LOAD(c->skel, sub_sched, root_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status setup(void **ctxp)
{
	return setup_common(ctxp, false);
}

static enum scx_test_status setup_rescue(void **ctxp)
{
	return setup_common(ctxp, true);
}

static void attach_root(struct ctx *c)
{
	struct sub_sched__bss *bss = c->skel->bss;

	c->root = scx_util_attach(c->skel->maps.root_ops);
	if (!c->root)
		SCX_FAIL("cannot attach the root: %s", strerror(errno));
	printf("root: %u cids, cid 0 is CPU %d\n", bss->nr_cids,
	       bss->cid_cpu[0]);
	SCX_ASSERT(bss->nr_cids >= 3 && bss->nr_cids <= MAX_CIDS);
}

static void attach_sub(struct ctx *c)
{
	c->sub = scx_util_attach(c->skel->maps.sub_ops);
	if (!c->sub)
		SCX_FAIL("cannot attach the sub-scheduler: %s", strerror(errno));
}

/* The sub must not have died, nor the root. */
static void check_alive(struct ctx *c)
{
	const struct user_exit_info *r = &c->skel->data->uei;
	const struct user_exit_info *s = &c->skel->data->sub_uei;

	if (r->kind)
		SCX_FAIL("the root exited (kind %d): %s (%s)", r->kind,
			 r->reason, r->msg);
	if (s->kind)
		SCX_FAIL("the sub exited (kind %d): %s (%s)", s->kind,
			 s->reason, s->msg);
}

/* Have the root's next ops.dispatch() carry out @cmd. */
static void root_cmd(struct ctx *c, u32 cmd)
{
	struct sub_sched__bss *bss = c->skel->bss;
	u32 done = bss->nr_cmds_done;

	bss->cmd = cmd;
	SCX_ASSERT(SCX_WAIT_FOR(bss->nr_cmds_done > done, WAIT_MS));
}

static void print_caps(const struct sub_sched__bss *bss, u32 i)
{
	const struct caps_update *cu = &bss->caps_updated[i];

	printf("ops.sub_caps_updated() #%u: caps 0x%llx cids 0x%llx (base %u); sub_caps(self) %d 0x%llx\n",
	       i + 1, (unsigned long long)cu->caps,
	       (unsigned long long)cu->bits, cu->base, cu->self_ret,
	       (unsigned long long)cu->self);
}

static void print_read(const struct sub_sched *skel, u32 i)
{
	const struct sub_sched__bss *bss = skel->bss;
	const struct sub_sched__data *data = skel->data;

	printf("sub_caps() of the sub: %d; enq_immed 0x%llx enq 0x%llx preempt 0x%llx\n",
	       data->read_ret[i], (unsigned long long)bss->read_caps[i][0],
	       (unsigned long long)bss->read_caps[i][1],
	       (unsigned long long)bss->read_caps[i][2]);
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct sub_sched__bss *bss = c->skel->bss;
	struct sub_sched__data *data = c->skel->data;
	struct user_exit_info *sub_uei = &data->sub_uei;
	u64 grant, left, nested = 0, ok_dsp = 0;
	u32 nr, cid;
	int i, ret;

	attach_root(c);
	nr = bss->nr_cids;
	grant = (1ULL << (nr - 1)) - 1;		/* all but the last cid */
	left = grant & ~(1ULL << REVOKE_CID);
	bss->grant_bits = grant;
	bss->revoke_cid = REVOKE_CID;

	/* The ping-pong child: in the cgroup, on cid 0, answering the root. */
	SCX_EQ(scx_util_pingpong_start(&c->pp), 0);
	SCX_EQ(scx_util_pin(c->pp.pid, bss->cid_cpu[PP_CID]), 0);
	SCX_EQ(scx_util_cgroup_move(CG, c->pp.pid), 0);
	SCX_EQ(scx_util_pingpong_round(&c->pp, ROUND_MS), 0);

	/* 1. Attached to the cgroup of ops.sub_cgroup_id. */
	attach_sub(c);
	printf("sub attached: %s %s; ops.sub_attach() #%u: cgroup %llu %s\n",
	       c->sysfs, access(c->sysfs, F_OK) ? "missing" : "present",
	       bss->nr_attach, (unsigned long long)bss->attach_cgid,
	       bss->attach_path);
	SCX_PROVE_MSG("field:sub_cgroup_id", !access(c->sysfs, F_OK),
		      "no %s after the sub attached", c->sysfs);
	SCX_PROVE_EQ("ops:sub_attach", bss->nr_attach, 1);
	SCX_PROVE_EQ("ops:sub_attach field:sub_cgroup_id", bss->attach_cgid,
		     c->cgid);
	SCX_PROVE_MSG("ops:sub_attach", !strcmp(bss->attach_path, CG_PATH),
		      "ops.sub_attach() saw path \"%s\", expected \"%s\"",
		      bss->attach_path, CG_PATH);

	/* 2. The grant, read back by the root and seen by the sub. */
	printf("granted 0x%llx on cids 0x%llx: %d\n", CAPS,
	       (unsigned long long)grant, data->grant_ret);
	print_read(c->skel, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_sub_grant", data->grant_ret, 0);
	SCX_EQ(data->read_ret[0], 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_sub_grant kfunc:scx_bpf_sub_caps",
		     bss->read_caps[0][0], grant);
	SCX_PROVE_EQ("kfunc:scx_bpf_sub_grant kfunc:scx_bpf_sub_caps",
		     bss->read_caps[0][1], grant);
	SCX_PROVE_EQ("kfunc:scx_bpf_sub_caps", bss->read_caps[0][2], 0);

	SCX_WAIT_FOR(bss->nr_caps_updated >= 1, WAIT_MS);
	check_alive(c);
	SCX_PROVE_MSG("ops:sub_caps_updated", bss->nr_caps_updated == 1,
		      "%u ops.sub_caps_updated() after the grant, expected 1",
		      bss->nr_caps_updated);
	print_caps(bss, 0);
	SCX_PROVE_EQ("ops:sub_caps_updated", bss->caps_updated[0].caps, CAPS);
	SCX_PROVE_EQ("ops:sub_caps_updated", bss->caps_updated[0].base, 0);
	SCX_PROVE_EQ("ops:sub_caps_updated kfunc:scx_bpf_sub_grant",
		     bss->caps_updated[0].bits, grant);
	SCX_EQ(bss->caps_updated[0].self_ret, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_sub_caps", bss->caps_updated[0].self,
		     grant);

	/* Each granted cid's CPU takes the change when it next dispatches. */
	SCX_WAIT_FOR(({
		bool all = true;

		for (cid = 0; cid < nr - 1; cid++)
			all &= bss->ecaps_updated[cid].nr > 0;
		all;
	}), WAIT_MS);
	for (cid = 0; cid < nr; cid++) {
		const struct ecaps_update *eu = &bss->ecaps_updated[cid];

		printf("cid %u: %u ops.sub_ecaps_updated(), last 0x%llx -> 0x%llx\n",
		       cid, eu->nr, (unsigned long long)eu->before,
		       (unsigned long long)eu->after);
		if (!(grant & (1ULL << cid))) {
			SCX_PROVE_MSG("ops:sub_ecaps_updated", !eu->nr,
				      "ops.sub_ecaps_updated() on cid %u, never granted",
				      cid);
			continue;
		}
		SCX_PROVE_MSG("ops:sub_ecaps_updated kfunc:scx_bpf_sub_grant",
			      eu->nr == 1 && !eu->before && eu->after == CAPS,
			      "cid %u: %u ops.sub_ecaps_updated(), last 0x%llx -> 0x%llx; expected one, 0 -> 0x%llx",
			      cid, eu->nr, (unsigned long long)eu->before,
			      (unsigned long long)eu->after, CAPS);
	}

	/* 3. The sub's task runs through the root's scx_bpf_sub_dispatch(). */
	for (i = 0; i < ROUNDS; i++) {
		ret = scx_util_pingpong_round(&c->pp, ROUND_MS);
		SCX_PROVE_MSG("kfunc:scx_bpf_sub_dispatch", !ret,
			      "round %d: the sub's task did not answer within %d ms (%d)",
			      i, ROUND_MS, ret);
	}
	check_alive(c);
	for (cid = 0; cid < nr; cid++) {
		printf("cid %u: sub_dispatch() ran a task %llu times, nothing %llu times; the sub's ops.dispatch() nested %llu times\n",
		       cid, (unsigned long long)bss->nr_sub_dsp_ok[cid],
		       (unsigned long long)bss->nr_sub_dsp_none[cid],
		       (unsigned long long)bss->nr_nested[cid]);
		nested += bss->nr_nested[cid];
		ok_dsp += bss->nr_sub_dsp_ok[cid];
	}
	printf("the sub's ops.dispatch() outside sub_dispatch(): %llu times; tasks enqueued from its cgroup %llu, from others %llu\n",
	       (unsigned long long)bss->nr_unnested,
	       (unsigned long long)bss->nr_enq_in,
	       (unsigned long long)bss->nr_enq_out);
	SCX_PROVE_GT("kfunc:scx_bpf_sub_dispatch", bss->nr_nested[PP_CID], 0);
	SCX_PROVE_GT("kfunc:scx_bpf_sub_dispatch", ok_dsp, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_sub_dispatch", bss->nr_unnested, 0);
	/* Not on the cid it holds no caps on, however often it was asked. */
	SCX_PROVE_EQ("kfunc:scx_bpf_sub_dispatch", bss->nr_nested[nr - 1], 0);
	SCX_PROVE_GT("field:sub_cgroup_id", bss->nr_enq_in, ROUNDS - 1);
	SCX_PROVE_EQ("field:sub_cgroup_id", bss->nr_enq_out, 0);

	/* 4. cid 1 revoked. */
	root_cmd(c, CMD_REVOKE);
	print_read(c->skel, 1);
	SCX_EQ(data->read_ret[1], 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_sub_revoke kfunc:scx_bpf_sub_caps",
		     bss->read_caps[1][0], left);
	SCX_PROVE_EQ("kfunc:scx_bpf_sub_revoke kfunc:scx_bpf_sub_caps",
		     bss->read_caps[1][1], left);
	SCX_PROVE_MSG("ops:sub_caps_updated", bss->nr_caps_updated == 2,
		      "%u ops.sub_caps_updated() after the revoke, expected 2",
		      bss->nr_caps_updated);
	print_caps(bss, 1);
	SCX_PROVE_EQ("ops:sub_caps_updated kfunc:scx_bpf_sub_revoke",
		     bss->caps_updated[1].caps, CAPS);
	SCX_PROVE_EQ("ops:sub_caps_updated kfunc:scx_bpf_sub_revoke",
		     bss->caps_updated[1].bits, 1ULL << REVOKE_CID);
	SCX_EQ(bss->caps_updated[1].self_ret, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_sub_revoke kfunc:scx_bpf_sub_caps",
		     bss->caps_updated[1].self, left);
	SCX_WAIT_FOR(bss->ecaps_updated[REVOKE_CID].nr >= 2, WAIT_MS);
	printf("cid %d: %u ops.sub_ecaps_updated(), last 0x%llx -> 0x%llx\n",
	       REVOKE_CID, bss->ecaps_updated[REVOKE_CID].nr,
	       (unsigned long long)bss->ecaps_updated[REVOKE_CID].before,
	       (unsigned long long)bss->ecaps_updated[REVOKE_CID].after);
	SCX_PROVE_MSG("ops:sub_ecaps_updated kfunc:scx_bpf_sub_revoke",
		      bss->ecaps_updated[REVOKE_CID].nr == 2 &&
		      bss->ecaps_updated[REVOKE_CID].before == CAPS &&
		      !bss->ecaps_updated[REVOKE_CID].after,
		      "cid %d: expected a second ops.sub_ecaps_updated(), 0x%llx -> 0",
		      REVOKE_CID, CAPS);
	check_alive(c);

	/* 5. Evicted by the root. */
	root_cmd(c, CMD_KILL);
	SCX_WAIT_FOR(sub_uei->kind && bss->nr_detach, WAIT_MS);
	printf("kill: %d; the sub exited (kind %d): %s (%s)\n", data->kill_ret,
	       sub_uei->kind, sub_uei->reason, sub_uei->msg);
	printf("ops.sub_detach() #%u: cgroup %llu %s\n", bss->nr_detach,
	       (unsigned long long)bss->detach_cgid, bss->detach_path);
	SCX_PROVE_EQ("exit:PARENT_KILL kfunc:scx_bpf_sub_kill_bstr",
		     sub_uei->kind, EXIT_PARENT_KILL);
	SCX_PROVE_EQ("kfunc:scx_bpf_sub_kill_bstr", data->kill_ret, 0);
	SCX_PROVE_MSG("kfunc:scx_bpf_sub_kill_bstr",
		      !strcmp(sub_uei->msg, KILL_MSG),
		      "the sub's exit message is \"%s\", expected \"%s\"",
		      sub_uei->msg, KILL_MSG);
	SCX_PROVE_EQ("ops:sub_detach", bss->nr_detach, 1);
	SCX_PROVE_EQ("ops:sub_detach", bss->detach_cgid, c->cgid);
	SCX_PROVE_MSG("ops:sub_detach", !strcmp(bss->detach_path, CG_PATH),
		      "ops.sub_detach() saw path \"%s\", expected \"%s\"",
		      bss->detach_path, CG_PATH);
	SCX_ASSERT(SCX_WAIT_FOR(access(c->sysfs, F_OK), WAIT_MS));
	SCX_EQ(c->skel->data->uei.kind, 0);
	/* The root has the child back. */
	SCX_EQ(scx_util_pingpong_round(&c->pp, ROUND_MS), 0);

	/* 6. Attached again, then the root goes. */
	detach_sub(c);
	memset(sub_uei, 0, sizeof(*sub_uei));
	attach_sub(c);
	SCX_EQ(bss->nr_attach, 2);
	check_alive(c);
	scx_util_detach(c->root);
	c->root = NULL;
	printf("root detached (kind %d); the sub exited (kind %d): %s\n",
	       c->skel->data->uei.kind, sub_uei->kind, sub_uei->reason);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_PROVE_EQ("exit:PARENT", sub_uei->kind, EXIT_PARENT);
	detach_sub(c);
	return SCX_TEST_PASS;
}

static enum scx_test_status run_rescue(void *arg)
{
	struct ctx *c = arg;
	struct sub_sched__bss *bss = c->skel->bss;
	struct user_exit_info *sub_uei = &c->skel->data->sub_uei;
	int i, cpu;

	attach_root(c);
	cpu = bss->cid_cpu[bss->nr_cids - 1];

	/* Spinners of the cgroup, all on one CPU. */
	for (i = 0; i < NR_SPINNERS; i++) {
		c->spinners[i] = scx_util_spawn(scx_util_spin_forever, NULL);
		SCX_ASSERT(c->spinners[i] > 0);
		SCX_EQ(scx_util_pin(c->spinners[i], cpu), 0);
		SCX_EQ(scx_util_cgroup_move(CG, c->spinners[i]), 0);
	}

	attach_sub(c);
	SCX_WAIT_FOR(sub_uei->kind, RESCUE_WAIT_MS);
	printf("%d spinners on CPU %d; %llu rescue inserts; the sub exited (kind %d): %s (%s)\n",
	       NR_SPINNERS, cpu, (unsigned long long)bss->nr_enq_rescue,
	       sub_uei->kind, sub_uei->reason, sub_uei->msg);
	SCX_GT(bss->nr_enq_rescue, 0);
	SCX_PROVE_MSG("exit:ERROR_RESCUE", sub_uei->kind == EXIT_ERROR_RESCUE,
		      "the sub exited with kind %d (%s), expected %d (SCX_EXIT_ERROR_RESCUE)",
		      sub_uei->kind, sub_uei->reason, EXIT_ERROR_RESCUE);
	SCX_PROVE_MSG("exit:ERROR_RESCUE",
		      strstr(sub_uei->msg, "used too much rescue CPU time"),
		      "unexpected exit message \"%s\"", sub_uei->msg);
	/* Only the sub goes. */
	SCX_EQ(c->skel->data->uei.kind, 0);
	SCX_ASSERT(SCX_WAIT_FOR(bss->nr_detach == 1, WAIT_MS));
	detach_sub(c);
	scx_util_detach(c->root);
	c->root = NULL;
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;
	int i;

	/* All at once: a spinner dies only once its crowded CPU runs it. */
	for (i = 0; i < NR_SPINNERS; i++)
		if (c->spinners[i] > 0)
			kill(c->spinners[i], SIGKILL);
	for (i = 0; i < NR_SPINNERS; i++)
		scx_util_stop(c->spinners[i]);
	scx_util_pingpong_stop(&c->pp);
	/* The sub first: the root cannot go before it anyway. */
	detach_sub(c);
	if (c->root)
		scx_util_detach(c->root);
	sub_sched__destroy(c->skel);
	scx_util_cgroup_remove(CG);
	free(c);
}

static struct scx_test sub_sched_test = {
	.name		= "sub_sched",
	.description	= "7.3: a sub-scheduler on a cgroup is attached, granted caps, dispatched, revoked, killed and taken down with its parent, and the parent and the sub see each step",
	.covers		= "ops:sub_attach ops:sub_detach ops:sub_caps_updated ops:sub_ecaps_updated field:sub_cgroup_id exit:PARENT exit:PARENT_KILL kfunc:scx_bpf_sub_caps kfunc:scx_bpf_sub_dispatch kfunc:scx_bpf_sub_grant kfunc:scx_bpf_sub_kill_bstr kfunc:scx_bpf_sub_revoke",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&sub_sched_test)

static struct scx_test sub_sched_rescue_test = {
	.name		= "sub_sched_rescue",
	.description	= "7.3: a sub-scheduler without caps that overloads rescue execution on one CPU is ejected with SCX_EXIT_ERROR_RESCUE",
	.covers		= "exit:ERROR_RESCUE",
	.timeout	= 30,
	.setup		= setup_rescue,
	.run		= run_rescue,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&sub_sched_rescue_test)
