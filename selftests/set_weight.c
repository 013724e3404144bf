// SPDX-License-Identifier: GPL-2.0
/*
 * Renice a sleeping child to 10, -5 and back to 0, and check that
 * ops.set_weight() saw exactly the weights these map to: CFS weights 110,
 * 3121 and 1024, scaled to 100 per 1024 and rounded, so 11, 305 and 100.
 */
#include <sys/resource.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "set_weight.bpf.skel.h"

static const struct {
	int nice;
	unsigned int weight;
} steps[] = {
	{ 10, 11 },
	{ -5, 305 },
	{ 0, 100 },
};

#define NR_STEPS	ARRAY_SIZE(steps)

struct ctx {
	struct set_weight *skel;
	struct scx_util_pingpong pp;
};

static struct ctx tctx = { .pp = { .pid = -1, .to = -1, .from = -1 } };

static enum scx_test_status setup(void **ctx)
{
	struct set_weight *skel = set_weight__open();

	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	tctx.skel = skel;
	*ctx = &tctx;
	if (SCX_UTIL_LOAD(skel, set_weight, set_weight_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *data)
{
	struct ctx *c = data;
	struct set_weight__bss *bss = c->skel->bss;
	struct bpf_link *link;
	unsigned int i;

	link = scx_util_attach(c->skel->maps.set_weight_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	SCX_EQ(scx_util_pingpong_start(&c->pp), 0);
	bss->target = c->pp.pid;
	for (i = 0; i < NR_STEPS; i++) {
		SCX_EQ(setpriority(PRIO_PROCESS, c->pp.pid, steps[i].nice), 0);
		/* Let it run at the new weight too. */
		SCX_EQ(scx_util_pingpong_round(&c->pp, 2000), 0);
	}
	bss->target = 0;
	scx_util_detach(link);

	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_EQ(bss->nr_seen, NR_STEPS);
	for (i = 0; i < NR_STEPS; i++) {
		SCX_PROVE_MSG("ops:set_weight",
			      bss->seen[i] == steps[i].weight,
			      "nice %d: set_weight got %u, expected %u",
			      steps[i].nice, bss->seen[i], steps[i].weight);
	}
	SCX_EQ(bss->nr_mismatch, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *data)
{
	struct ctx *c = data;

	scx_util_pingpong_stop(&c->pp);
	set_weight__destroy(c->skel);
}

static struct scx_test set_weight_test = {
	.name = "set_weight",
	.description = "ops.set_weight gets 11, 305 and 100 after setpriority() to nice 10, -5 and 0",
	.covers = "ops:set_weight",
	.setup = setup,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&set_weight_test);
