// SPDX-License-Identifier: GPL-2.0
/*
 * Move a child with sched_setaffinity() to CPU 1, then to CPUs 0 and 2, then
 * back to all four, and check that ops.set_cpumask() saw exactly these
 * masks, in this order, and that the child then ran only where allowed.
 */
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "set_cpumask.bpf.skel.h"

static const unsigned long long masks[] = { 0x2, 0x5, 0xf };

#define NR_MASKS	ARRAY_SIZE(masks)

struct ctx {
	struct set_cpumask *skel;
	struct scx_util_pingpong pp;
};

static struct ctx tctx = { .pp = { .pid = -1, .to = -1, .from = -1 } };

static enum scx_test_status setup(void **ctx)
{
	struct set_cpumask *skel;

	if (scx_util_nr_cpus() < 4) {
		printf("needs 4 CPUs\n");
		return SCX_TEST_SKIP;
	}
	skel = set_cpumask__open();
	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	tctx.skel = skel;
	*ctx = &tctx;
	if (SCX_UTIL_LOAD(skel, set_cpumask, set_cpumask_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *data)
{
	struct ctx *c = data;
	struct set_cpumask__bss *bss = c->skel->bss;
	struct bpf_link *link;
	cpu_set_t set;
	unsigned int i;
	int cpu;

	link = scx_util_attach(c->skel->maps.set_cpumask_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	SCX_EQ(scx_util_pingpong_start(&c->pp), 0);
	bss->target = c->pp.pid;
	for (i = 0; i < NR_MASKS; i++) {
		CPU_ZERO(&set);
		for (cpu = 0; cpu < 4; cpu++)
			if (masks[i] & (1ULL << cpu))
				CPU_SET(cpu, &set);
		SCX_EQ(scx_util_set_affinity(c->pp.pid, &set), 0);
		SCX_EQ(scx_util_pingpong_round(&c->pp, 2000), 0);
	}
	bss->target = 0;
	scx_util_detach(link);

	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_EQ(bss->nr_seen, NR_MASKS);
	for (i = 0; i < NR_MASKS; i++)
		SCX_PROVE_MSG("ops:set_cpumask", bss->seen[i] == masks[i],
			      "step %u: set_cpumask got 0x%llx, expected 0x%llx",
			      i, (unsigned long long)bss->seen[i], masks[i]);
	SCX_EQ(bss->nr_mismatch, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *data)
{
	struct ctx *c = data;

	scx_util_pingpong_stop(&c->pp);
	set_cpumask__destroy(c->skel);
}

static struct scx_test set_cpumask_test = {
	.name = "set_cpumask",
	.description = "ops.set_cpumask gets exactly the masks given to sched_setaffinity(), in order",
	.covers = "ops:set_cpumask",
	.setup = setup,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&set_cpumask_test);
