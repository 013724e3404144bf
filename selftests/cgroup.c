// SPDX-License-Identifier: GPL-2.0
/*
 * Real cgroup v2 operations against a scheduler with every cgroup callback
 * but cancel_move: mkdir with +cpu in the parent's subtree_control, a write
 * to cpu.weight, moving a worker in through cgroup.procs and out again,
 * rmdir.  The BPF side logs each callback with its arguments; the log must
 * show init (weight 100), set_weight (the written weight), prep_move then
 * move (from the old cgroup to the new one) and finally exit, and the
 * worker must see the new cgroup through scx_bpf_task_cgroup().
 *
 * cgroup_weight_flag, on 6.12: SCX_OPS_HAS_CGROUP_WEIGHT tells the kernel
 * that the scheduler honours cpu.weight, and all it changes is a warning.
 * Without it, each enable with a cgroup below the root logs
 * 'sched_ext: "cgroup" does not implement cgroup cpu.weight' once.  The
 * same scheduler is enabled with a cgroup in place twice, without the flag
 * and with it: the kernel's log must have the warning the first time and
 * not the second.  7.3 has no such flag (it skips there).
 */
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"

/* As in cgroup.bpf.c; the skeleton refers to it by name. */
struct event {
	unsigned int type;
	int pid;
	unsigned long long cgid;
	unsigned long long from;
	unsigned long long weight;
};

#include "cgroup.bpf.skel.h"

enum { EV_INIT = 1, EV_EXIT, EV_PREP, EV_MOVE, EV_WEIGHT };

struct ctx {
	struct cgroup *skel;
	pid_t worker;
};

static int worker(void *arg)
{
	for (;;) {
		scx_util_busy_ms(1);
		usleep(2000);
	}
	return 0;
}

/* Index of the first event of @type about @id after @from, or -1. */
static int find(struct cgroup__bss *bss, int from, unsigned int type,
		unsigned long long id)
{
	int i, n = bss->nr_events;

	for (i = from; i < n && i < (int)ARRAY_SIZE(bss->events); i++)
		if (bss->events[i].type == type && bss->events[i].cgid == id)
			return i;
	return -1;
}

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c;

	if (access("/sys/fs/cgroup/cgroup.subtree_control", W_OK))
		return SCX_TEST_SKIP;
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->skel = cgroup__open();
	if (!c->skel) {
		free(c);
		return SCX_TEST_FAIL;
	}
	/* 0 where the kernel has no such flag, as 7.3 has not. */
	c->skel->struct_ops.cgroup_ops->flags |= SCX_OPS_HAS_CGROUP_WEIGHT;
	fprintf(stderr, "# SCX_OPS_HAS_CGROUP_WEIGHT: %s\n",
		SCX_OPS_HAS_CGROUP_WEIGHT ? "set" : "not in this kernel");
	if (SCX_UTIL_LOAD(c->skel, cgroup, cgroup_ops, uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		cgroup__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct cgroup__bss *bss = c->skel->bss;
	unsigned long long a;
	struct bpf_link *link;
	int init, weight, prep, move, ex, i, n;
	char path[256];

	c->worker = scx_util_spawn(worker, NULL);
	SCX_ASSERT(c->worker > 0);
	bss->worker_pid = c->worker;

	link = scx_util_attach(c->skel->maps.cgroup_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));

	/* SCX_TEST_CGROUP is level 1, so "a" is level 2: logged. */
	SCX_EQ(scx_util_cgroup_create("a"), 0);
	a = scx_util_cgroup_id("a");
	SCX_ASSERT(a);
	scx_util_cgroup_path(path, sizeof(path), "a/cpu.weight");
	SCX_EQ(scx_util_write_file(path, "50"), 0);
	SCX_EQ(scx_util_cgroup_move("a", c->worker), 0);
	SCX_PROVE("kfunc:scx_bpf_task_cgroup",
		  SCX_WAIT_FOR(bss->worker_cgid == a, 3000));
	SCX_EQ(scx_util_cgroup_move("", c->worker), 0);
	SCX_EQ(scx_util_cgroup_remove("a"), 0);
	/* The css goes offline after an RCU grace period. */
	SCX_WAIT_FOR(find(bss, 0, EV_EXIT, a) >= 0, 3000);

	scx_util_stop(c->worker);
	c->worker = 0;
	scx_util_detach(link);

	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	init = find(bss, 0, EV_INIT, a);
	weight = find(bss, 0, EV_WEIGHT, a);
	prep = find(bss, 0, EV_PREP, a);
	move = find(bss, 0, EV_MOVE, a);
	ex = find(bss, 0, EV_EXIT, a);
	fprintf(stderr, "# cgroup %llu: init %d weight %d prep %d move %d exit %d of %u events\n",
		a, init, weight, prep, move, ex, bss->nr_events);
	SCX_ASSERT(init >= 0);
	SCX_PROVE_EQ("ops:cgroup_init", bss->events[init].weight, 100);
	SCX_GT(weight, init);
	SCX_PROVE_EQ("ops:cgroup_set_weight", bss->events[weight].weight, 50);
	SCX_GT(prep, weight);
	SCX_GT(move, prep);
	SCX_PROVE_EQ("ops:cgroup_prep_move", bss->events[prep].pid,
		     c->skel->bss->worker_pid);
	SCX_PROVE_EQ("ops:cgroup_move", bss->events[move].pid,
		     c->skel->bss->worker_pid);
	SCX_ASSERT(bss->events[prep].from && bss->events[prep].from != a);
	SCX_EQ(bss->events[move].from, bss->events[prep].from);
	/* Moving out again is a move from a; the log keeps the first 64. */
	n = bss->nr_events < ARRAY_SIZE(bss->events) ?
		(int)bss->nr_events : (int)ARRAY_SIZE(bss->events);
	for (i = move + 1; i < n; i++)
		if (bss->events[i].type == EV_MOVE && bss->events[i].from == a)
			break;
	SCX_ASSERT(i < n);
	SCX_PROVE_GT("ops:cgroup_exit", ex, move);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	scx_util_stop(c->worker);
	scx_util_cgroup_remove("a");
	cgroup__destroy(c->skel);
	free(c);
}

#define WEIGHT_WARNING	"\"cgroup\" does not implement cgroup cpu.weight"
#define LOG_LEN		(64 << 10)

struct wctx {
	struct cgroup *skel;
	struct bpf_link *link;
	int kmsg;
	char *log;
};

static enum scx_test_status setup_weight(void **ctx)
{
	struct wctx *c;

	if (!SCX_OPS_HAS_CGROUP_WEIGHT) {
		printf("kernel lacks SCX_OPS_HAS_CGROUP_WEIGHT (7.3 dropped it)\n");
		return SCX_TEST_SKIP_KERNEL;
	}
	if (access("/sys/fs/cgroup/cgroup.subtree_control", W_OK))
		return SCX_TEST_SKIP;
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	*ctx = c;
	c->log = malloc(LOG_LEN);
	c->kmsg = scx_util_kmsg_open();
	SCX_ASSERT(c->log);
	SCX_GT(c->kmsg, -1);
	/* A cgroup below the root, with the cpu controller. */
	SCX_EQ(scx_util_cgroup_create("w"), 0);
	return SCX_TEST_PASS;
}

/* Enable the scheduler with or without the flag: did the kernel warn? */
static bool warns(struct wctx *c, bool flag)
{
	bool warned;

	c->skel = cgroup__open();
	SCX_ASSERT(c->skel);
	if (flag)
		c->skel->struct_ops.cgroup_ops->flags |=
			SCX_OPS_HAS_CGROUP_WEIGHT;
	else
		c->skel->struct_ops.cgroup_ops->flags &=
			~SCX_OPS_HAS_CGROUP_WEIGHT;
	SCX_EQ(SCX_UTIL_LOAD(c->skel, cgroup, cgroup_ops, uei), 0);
	lseek(c->kmsg, 0, SEEK_END);
	c->link = scx_util_attach(c->skel->maps.cgroup_ops);
	if (!c->link)
		SCX_FAIL("attach: %s", strerror(errno));
	/* Warned while enabling, before the attach returned. */
	SCX_EQ(scx_util_kmsg_read(c->kmsg, c->log, LOG_LEN), 0);
	scx_util_detach(c->link);
	c->link = NULL;
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	cgroup__destroy(c->skel);
	c->skel = NULL;
	warned = strstr(c->log, WEIGHT_WARNING);
	printf("%s the flag: %s\n", flag ? "with" : "without",
	       warned ? "warned" : "no warning");
	return warned;
}

static enum scx_test_status run_weight(void *arg)
{
	struct wctx *c = arg;

	/* The control: without the flag, the enable is what warns. */
	SCX_ASSERT(warns(c, false));
	SCX_PROVE("flag:HAS_CGROUP_WEIGHT", !warns(c, true));
	return SCX_TEST_PASS;
}

static void cleanup_weight(void *arg)
{
	struct wctx *c = arg;

	if (c->link)
		scx_util_detach(c->link);
	cgroup__destroy(c->skel);
	if (c->kmsg >= 0)
		close(c->kmsg);
	free(c->log);
	scx_util_cgroup_remove("w");
	free(c);
}

static struct scx_test cgroup_weight_test = {
	.name		= "cgroup_weight_flag",
	.description	= "6.12: without SCX_OPS_HAS_CGROUP_WEIGHT enabling warns that cpu.weight is not implemented; with it, not",
	.covers		= "flag:HAS_CGROUP_WEIGHT",
	.timeout	= 30,
	.setup		= setup_weight,
	.run		= run_weight,
	.cleanup	= cleanup_weight,
};
REGISTER_SCX_TEST(&cgroup_weight_test)

static struct scx_test cgroup_test = {
	.name		= "cgroup",
	.description	= "cgroup init, set_weight, prep_move, move and exit on real cgroup v2 operations",
	.covers		=
		"ops:cgroup_init ops:cgroup_exit ops:cgroup_prep_move ops:cgroup_move ops:cgroup_set_weight kfunc:scx_bpf_task_cgroup",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&cgroup_test)
