// SPDX-License-Identifier: GPL-2.0
/*
 * ops.dispatch() runs for the CPU that schedules, and under core scheduling
 * also for its SMT siblings, from that CPU.  Six workers first run with no
 * core-scheduling cookie anywhere: every call is for the CPU it runs on.
 * Then they take two cookies: calls for a sibling appear, and each one is
 * for a real SMT sibling of the CPU making it.  The first half is what lets
 * scx_dispatch_for_sibling() cost nothing without core scheduling; the
 * second is what it guards against (README, "Known kernel issues").
 */
#include <signal.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "dispatch_sibling.bpf.skel.h"

#define NR_WORKERS	6
#define MAX_CPUS	64

struct ctx {
	struct dispatch_sibling *skel;
	pid_t pids[NR_WORKERS];
};

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c;
	int cpu;

	if (!scx_util_has_smt()) {
		fprintf(stderr, "# no SMT siblings, core scheduling is off\n");
		return SCX_TEST_SKIP;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->skel = dispatch_sibling__open();
	if (!c->skel)
		goto fail;
	for (cpu = 0; cpu < MAX_CPUS && cpu < scx_util_nr_cpus(); cpu++)
		scx_util_smt_mask(cpu, (uint64_t *)&c->skel->rodata->smt_mask[cpu]);
	if (SCX_UTIL_LOAD(c->skel, dispatch_sibling, dispatch_sibling_ops, uei))
		goto fail;
	*ctx = c;
	return SCX_TEST_PASS;
fail:
	fprintf(stderr, "# cannot load the BPF object\n");
	dispatch_sibling__destroy(c->skel);
	free(c);
	return SCX_TEST_FAIL;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct dispatch_sibling__bss *bss = c->skel->bss;
	struct bpf_link *link;
	int i, ret;

	for (i = 0; i < NR_WORKERS; i++) {
		c->pids[i] = scx_util_spawn(scx_util_busy_naps, NULL);
		SCX_ASSERT(c->pids[i] > 0);
	}
	link = scx_util_attach(c->skel->maps.dispatch_sibling_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));

	/* No cookies: the kernel never balances a sibling. */
	SCX_WAIT_FOR(bss->nr_own >= 500, 5000);
	SCX_GT(bss->nr_own, 0);
	if (bss->nr_sibling || bss->nr_stranger)
		SCX_FAIL("%llu calls for another CPU before any cookie existed (another process holding a core-sched cookie?)",
			 (unsigned long long)(bss->nr_sibling + bss->nr_stranger));

	/* Workers 0, 2, 4 share one cookie; 1, 3, 5 another. */
	ret = scx_util_two_cookies(c->pids, NR_WORKERS);
	if (ret == -ENODEV) {
		scx_util_detach(link);
		return SCX_TEST_SKIP;
	}
	if (ret)
		SCX_FAIL("prctl(PR_SCHED_CORE): %s", strerror(-ret));
	SCX_WAIT_FOR(bss->nr_sibling >= 20, 10000);
	scx_util_detach(link);

	fprintf(stderr, "# own %llu, sibling %llu, neither %llu\n",
		(unsigned long long)bss->nr_own,
		(unsigned long long)bss->nr_sibling,
		(unsigned long long)bss->nr_stranger);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_GT(bss->nr_sibling, 0);
	SCX_PROVE_EQ("ops:dispatch", bss->nr_stranger, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;
	int i;

	for (i = 0; i < NR_WORKERS; i++)
		scx_util_stop(c->pids[i]);
	dispatch_sibling__destroy(c->skel);
	free(c);
}

static struct scx_test dispatch_sibling_test = {
	.name		= "dispatch_sibling",
	.description	= "under core scheduling ops.dispatch() also runs for SMT siblings, and only then",
	.covers		= "ops:dispatch",
	.timeout	= 40,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&dispatch_sibling_test)
