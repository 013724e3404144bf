// SPDX-License-Identifier: GPL-2.0
/*
 * Core scheduling with cookies: two groups of workers, each sharing a
 * cookie made with prctl(PR_SCHED_CORE), run on a machine with SMT
 * siblings.  Every enqueue of a cookied task sorts it among the others of
 * its cookie, and every core-wide pick compares the siblings' candidates;
 * both go through ops.core_sched_before().
 */
#include <signal.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "core_sched.bpf.skel.h"

#define NR_WORKERS		6

struct ctx {
	struct core_sched *skel;
	pid_t pids[NR_WORKERS];
};

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c;

	if (!scx_util_has_smt()) {
		fprintf(stderr, "# no SMT siblings, core scheduling is off\n");
		return SCX_TEST_SKIP;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->skel = core_sched__open();
	if (!c->skel || SCX_UTIL_LOAD(c->skel, core_sched, core_sched_ops,
				      uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		core_sched__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct core_sched__bss *bss = c->skel->bss;
	struct bpf_link *link;
	int i, ret;

	/* Workers first: forked after attach, they would hold the link. */
	for (i = 0; i < NR_WORKERS; i++) {
		c->pids[i] = scx_util_spawn(scx_util_busy_naps, NULL);
		SCX_ASSERT(c->pids[i] > 0);
		bss->workers[i] = c->pids[i];
	}
	/* Workers 0, 2, 4 share one cookie; 1, 3, 5 another. */
	ret = scx_util_two_cookies(c->pids, NR_WORKERS);
	if (ret == -ENODEV)
		return SCX_TEST_SKIP;
	if (ret)
		SCX_FAIL("prctl(PR_SCHED_CORE): %s", strerror(-ret));

	link = scx_util_attach(c->skel->maps.core_sched_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	SCX_WAIT_FOR(bss->nr_ours_cookied >= 20, 5000);
	scx_util_detach(link);

	fprintf(stderr, "# calls %llu, between workers %llu (cookied %llu), last %d vs %d\n",
		(unsigned long long)bss->nr_calls,
		(unsigned long long)bss->nr_ours,
		(unsigned long long)bss->nr_ours_cookied,
		bss->last_a, bss->last_b);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_GT(bss->nr_ours_cookied, 0);
	SCX_EQ(bss->nr_self, 0);
	SCX_ASSERT(bss->last_a != bss->last_b);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;
	int i;

	for (i = 0; i < NR_WORKERS; i++)
		scx_util_stop(c->pids[i]);
	core_sched__destroy(c->skel);
	free(c);
}

static struct scx_test core_sched_test = {
	.name		= "core_sched",
	.description	= "core_sched_before() compares cookied tasks on SMT siblings",
	.covers		= "ops:core_sched_before",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&core_sched_test)
