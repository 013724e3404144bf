// SPDX-License-Identifier: GPL-2.0
/*
 * Wake and put to sleep a child fifty times and check that its callbacks
 * came in lifecycle order: runnable, running, stopping, then quiescent
 * after a stop that was not runnable, with the wakeup and sleep flags.
 */
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "lifecycle.bpf.skel.h"

#define ROUNDS	50

struct ctx {
	struct lifecycle *skel;
	struct scx_util_pingpong pp;
};

static struct ctx tctx = { .pp = { .pid = -1, .to = -1, .from = -1 } };

static enum scx_test_status setup(void **ctx)
{
	struct lifecycle *skel = lifecycle__open();

	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	tctx.skel = skel;
	*ctx = &tctx;
	if (SCX_UTIL_LOAD(skel, lifecycle, lifecycle_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *data)
{
	struct ctx *c = data;
	struct lifecycle__bss *bss = c->skel->bss;
	struct bpf_link *link;
	int i;

	link = scx_util_attach(c->skel->maps.lifecycle_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	SCX_EQ(scx_util_pingpong_start(&c->pp), 0);
	bss->target = c->pp.pid;
	for (i = 0; i < ROUNDS; i++)
		SCX_EQ(scx_util_pingpong_round(&c->pp, 2000), 0);
	bss->target = 0;
	scx_util_detach(link);

	printf("runnable %llu running %llu stopping %llu (runnable %llu) quiescent %llu\n", (unsigned long long)bss->nr_runnable,
	       (unsigned long long)bss->nr_running,
	       (unsigned long long)bss->nr_stopping,
	       (unsigned long long)bss->nr_stopping_runnable,
	       (unsigned long long)bss->nr_quiescent);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	/* Running only when runnable, stopping only when running. */
	SCX_PROVE_MSG("ops:running ops:stopping", !bss->nr_bad,
		      "%llu transitions out of order, the first from state %u by event %u",
		      (unsigned long long)bss->nr_bad, bss->first_bad >> 8,
		      bss->first_bad & 0xff);
	/* Each round is at least one wakeup, run and sleep. */
	SCX_GT(bss->nr_runnable, ROUNDS / 2);
	SCX_GT(bss->nr_running, ROUNDS / 2);
	SCX_GT(bss->nr_stopping, ROUNDS / 2);
	SCX_GT(bss->nr_quiescent, ROUNDS / 2);
	SCX_PROVE_GT("ops:runnable", bss->nr_enq_wakeup, ROUNDS / 2);
	SCX_PROVE_GT("ops:quiescent", bss->nr_deq_sleep, ROUNDS / 2);
	/* Every stop that was not runnable is followed by quiescent. */
	SCX_ASSERT(bss->nr_quiescent >=
		   bss->nr_stopping - bss->nr_stopping_runnable - 1);
	return SCX_TEST_PASS;
}

static void cleanup(void *data)
{
	struct ctx *c = data;

	scx_util_pingpong_stop(&c->pp);
	lifecycle__destroy(c->skel);
}

static struct scx_test lifecycle_test = {
	.name = "lifecycle",
	.description = "ops.runnable, running, stopping and quiescent come in lifecycle order over fifty sleep/wake cycles",
	.covers = "ops:runnable ops:running ops:stopping ops:quiescent",
	.setup = setup,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&lifecycle_test);
