// SPDX-License-Identifier: GPL-2.0
/*
 * A spinner alone on the last CPU, under SCX_OPS_ENQ_LAST and 1 ms
 * slices: each expired slice must bring it back to ops.enqueue() with
 * SCX_ENQ_LAST, since nothing else waits for that CPU.
 */
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "enq_last.bpf.skel.h"

struct ctx {
	struct enq_last *skel;
	pid_t spin;
};

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return SCX_TEST_FAIL;
	c->skel = enq_last__open();
	if (!c->skel || SCX_UTIL_LOAD(c->skel, enq_last, enq_last_ops, uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		enq_last__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct enq_last__bss *bss = c->skel->bss;
	struct bpf_link *link;

	c->spin = scx_util_spawn(scx_util_spin_forever, NULL);
	SCX_ASSERT(c->spin > 0);
	SCX_EQ(scx_util_pin(c->spin, scx_util_nr_cpus() - 1), 0);
	bss->target_pid = c->spin;

	link = scx_util_attach(c->skel->maps.enq_last_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	SCX_WAIT_FOR(bss->nr_last >= 10, 3000);
	scx_util_detach(link);

	fprintf(stderr, "# spinner enqueued %llu times, %llu with SCX_ENQ_LAST\n",
		(unsigned long long)bss->nr_target,
		(unsigned long long)bss->nr_last);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_PROVE_GT("flag:ENQ_LAST", bss->nr_last, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	scx_util_stop(c->spin);
	enq_last__destroy(c->skel);
	free(c);
}

static struct scx_test enq_last_test = {
	.name		= "enq_last",
	.description	= "SCX_OPS_ENQ_LAST re-enqueues a lone task with SCX_ENQ_LAST",
	.covers		= "flag:ENQ_LAST",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&enq_last_test)
