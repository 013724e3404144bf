// SPDX-License-Identifier: GPL-2.0
/*
 * cpu.max, cpu.max.burst and cpu.idle reach the BPF scheduler (7.x).
 *
 * Cgroup "pre" gets its limits before the scheduler attaches, "bw" after.
 * The kernel must hand pre's limits to ops.cgroup_init() at attach and
 * bw's defaults (period 100 ms, no quota, no burst, not idle) when it is
 * made; then every change to bw must arrive in
 * ops.cgroup_set_bandwidth() with the period, quota and burst the cgroup
 * now has, "max" as the kernel's no-limit value, and cpu.idle 1 then 0 in
 * ops.cgroup_set_idle() as true then false.  Writes that change nothing
 * must not be passed on.  The cgroup file writes call the ops before they
 * return, so the log is complete once the last write has returned.
 */
#include <stdint.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"

/* As in cgroup_bw.bpf.c; the skeleton refers to it by name. */
struct event {
	unsigned int type;
	unsigned int idle;
	unsigned long long cgid;
	unsigned long long period_us;
	unsigned long long quota_us;
	unsigned long long burst_us;
};

#include "cgroup_bw.bpf.skel.h"

enum { EV_INIT = 1, EV_BW, EV_IDLE };

/* The kernel's RUNTIME_INF: what "max" in cpu.max stands for. */
#define NO_LIMIT	UINT64_MAX
/* default_bw_period_us(): the period of a new cgroup. */
#define DFL_PERIOD_US	100000
/* Room for more events about one cgroup than it should get. */
#define MAX_EVENTS_USER	16

struct ctx {
	struct cgroup_bw *skel;
};

/* Write @val to file @file of test cgroup @cg; 0 or -errno. */
static int cg_write(const char *cg, const char *file, const char *val)
{
	char path[256], rel[128];

	snprintf(rel, sizeof(rel), "%s/%s", cg, file);
	scx_util_cgroup_path(path, sizeof(path), rel);
	return scx_util_write_file(path, val);
}

/* Copy the events about cgroup @id, in order, into @out; their number. */
static int events_of(const struct cgroup_bw__bss *bss, unsigned long long id,
		     struct event *out, int max)
{
	int i, n = 0, nr = bss->nr_events;

	if (nr > (int)ARRAY_SIZE(bss->events))
		nr = ARRAY_SIZE(bss->events);
	for (i = 0; i < nr && n < max; i++)
		if (bss->events[i].cgid == id)
			out[n++] = bss->events[i];
	return n;
}

static void print_events(const char *name, const struct event *ev, int n)
{
	int i;

	for (i = 0; i < n; i++)
		fprintf(stderr, "# %s: type %u period %llu quota %lld burst %llu idle %u\n",
			name, ev[i].type, ev[i].period_us,
			(long long)ev[i].quota_us, ev[i].burst_us, ev[i].idle);
}

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c;

	if (!__COMPAT_struct_has_field("sched_ext_ops", "cgroup_set_bandwidth") ||
	    !__COMPAT_struct_has_field("sched_ext_ops", "cgroup_set_idle")) {
		printf("no ops.cgroup_set_bandwidth/set_idle in this kernel (7.x with CONFIG_EXT_GROUP_SCHED has them)\n");
		return SCX_TEST_SKIP_KERNEL;
	}
	if (access("/sys/fs/cgroup/cgroup.subtree_control", W_OK)) {
		printf("cannot write /sys/fs/cgroup/cgroup.subtree_control\n");
		return SCX_TEST_SKIP;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->skel = cgroup_bw__open();
	if (!c->skel ||
	    SCX_UTIL_LOAD(c->skel, cgroup_bw, cgroup_bw_ops, uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		cgroup_bw__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct cgroup_bw__bss *bss = c->skel->bss;
	unsigned long long pre, bw;
	struct event ev[MAX_EVENTS_USER];
	struct bpf_link *link;
	char path[256], buf[64];
	int n;

	/*
	 * Limits set while no scheduler is loaded: the kernel only keeps
	 * them.  The burst goes first, while the quota is still "max", as
	 * it may not exceed the quota.
	 */
	SCX_EQ(scx_util_cgroup_create("pre"), 0);
	SCX_EQ(cg_write("pre", "cpu.max.burst", "10000"), 0);
	SCX_EQ(cg_write("pre", "cpu.max", "30000 200000"), 0);
	SCX_EQ(cg_write("pre", "cpu.idle", "1"), 0);
	pre = scx_util_cgroup_id("pre");
	SCX_ASSERT(pre);
	bss->parent_cgid = scx_util_cgroup_id("");
	SCX_ASSERT(bss->parent_cgid);

	link = scx_util_attach(c->skel->maps.cgroup_bw_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));

	SCX_EQ(scx_util_cgroup_create("bw"), 0);
	bw = scx_util_cgroup_id("bw");
	SCX_ASSERT(bw);
	/* Each write changes one value; the others must come along. */
	SCX_EQ(cg_write("bw", "cpu.max.burst", "20000"), 0);
	SCX_EQ(cg_write("bw", "cpu.max", "50000 100000"), 0);
	SCX_EQ(cg_write("bw", "cpu.max", "60000 250000"), 0);
	SCX_EQ(cg_write("bw", "cpu.max", "max"), 0);
	/* The same again: no change, so no call. */
	SCX_EQ(cg_write("bw", "cpu.max", "max"), 0);
	SCX_EQ(cg_write("bw", "cpu.idle", "1"), 0);
	SCX_EQ(cg_write("bw", "cpu.idle", "0"), 0);
	SCX_EQ(cg_write("bw", "cpu.idle", "0"), 0);
	scx_util_cgroup_path(path, sizeof(path), "bw/cpu.max");
	SCX_EQ(scx_util_read_file(path, buf, sizeof(buf)), 0);

	scx_util_detach(link);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	fprintf(stderr, "# bw/cpu.max reads %s", buf);
	SCX_ASSERT(!strcmp(buf, "max 250000\n"));

	/* pre: one cgroup_init, with what was written before the attach. */
	n = events_of(bss, pre, ev, MAX_EVENTS_USER);
	print_events("pre", ev, n);
	SCX_EQ(n, 1);
	SCX_EQ(ev[0].type, EV_INIT);
	SCX_PROVE_EQ("ops:cgroup_init", ev[0].period_us, 200000);
	SCX_PROVE_EQ("ops:cgroup_init", ev[0].quota_us, 30000);
	SCX_PROVE_EQ("ops:cgroup_init", ev[0].burst_us, 10000);
	SCX_PROVE_EQ("ops:cgroup_init", ev[0].idle, 1);

	/* bw: init, four bandwidth changes, two idle changes, in order. */
	n = events_of(bss, bw, ev, MAX_EVENTS_USER);
	print_events("bw", ev, n);
	SCX_EQ(n, 7);
	SCX_EQ(ev[0].type, EV_INIT);
	SCX_PROVE_EQ("ops:cgroup_init", ev[0].period_us, DFL_PERIOD_US);
	SCX_PROVE_EQ("ops:cgroup_init", ev[0].quota_us, NO_LIMIT);
	SCX_PROVE_EQ("ops:cgroup_init", ev[0].burst_us, 0);
	SCX_PROVE_EQ("ops:cgroup_init", ev[0].idle, 0);

	/* cpu.max.burst 20000: the default period, still no quota. */
	SCX_EQ(ev[1].type, EV_BW);
	SCX_EQ(ev[1].period_us, DFL_PERIOD_US);
	SCX_EQ(ev[1].quota_us, NO_LIMIT);
	SCX_PROVE_EQ("ops:cgroup_set_bandwidth", ev[1].burst_us, 20000);
	/* cpu.max "50000 100000", with the burst set before. */
	SCX_EQ(ev[2].type, EV_BW);
	SCX_PROVE_EQ("ops:cgroup_set_bandwidth", ev[2].period_us, 100000);
	SCX_PROVE_EQ("ops:cgroup_set_bandwidth", ev[2].quota_us, 50000);
	SCX_PROVE_EQ("ops:cgroup_set_bandwidth", ev[2].burst_us, 20000);
	/* cpu.max "60000 250000": a period that is not the default. */
	SCX_EQ(ev[3].type, EV_BW);
	SCX_PROVE_EQ("ops:cgroup_set_bandwidth", ev[3].period_us, 250000);
	SCX_PROVE_EQ("ops:cgroup_set_bandwidth", ev[3].quota_us, 60000);
	SCX_PROVE_EQ("ops:cgroup_set_bandwidth", ev[3].burst_us, 20000);
	/* cpu.max "max": no limit, the period and burst kept. */
	SCX_EQ(ev[4].type, EV_BW);
	SCX_PROVE_EQ("ops:cgroup_set_bandwidth", ev[4].period_us, 250000);
	SCX_PROVE_EQ("ops:cgroup_set_bandwidth", ev[4].quota_us, NO_LIMIT);
	SCX_PROVE_EQ("ops:cgroup_set_bandwidth", ev[4].burst_us, 20000);
	/* cpu.idle 1, then 0; the second 0 and "max" changed nothing. */
	SCX_EQ(ev[5].type, EV_IDLE);
	SCX_PROVE_EQ("ops:cgroup_set_idle", ev[5].idle, 1);
	SCX_EQ(ev[6].type, EV_IDLE);
	SCX_PROVE_EQ("ops:cgroup_set_idle", ev[6].idle, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	scx_util_cgroup_remove("bw");
	scx_util_cgroup_remove("pre");
	cgroup_bw__destroy(c->skel);
	free(c);
}

static struct scx_test cgroup_bw_test = {
	.name		= "cgroup_bw",
	.description	= "7.x: cpu.max, cpu.max.burst and cpu.idle in cgroup_set_bandwidth, cgroup_set_idle and cgroup_init",
	.covers		= "ops:cgroup_set_bandwidth ops:cgroup_set_idle ops:cgroup_init",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&cgroup_bw_test)
