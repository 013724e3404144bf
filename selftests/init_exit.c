// SPDX-License-Identifier: GPL-2.0
/*
 * Attach, look at the name the kernel shows, detach, and check that init and
 * exit each ran once, in the right order, and that exit saw SCX_EXIT_UNREG.
 */
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "init_exit.bpf.skel.h"

static enum scx_test_status setup(void **ctx)
{
	struct init_exit *skel = init_exit__open();

	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	if (SCX_UTIL_LOAD(skel, init_exit, init_exit_ops, uei)) {
		init_exit__destroy(skel);
		SCX_FAIL("cannot load the BPF object");
	}
	*ctx = skel;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *ctx)
{
	struct init_exit *skel = ctx;
	struct bpf_link *link;
	char name[128];

	SCX_EQ(skel->bss->nr_init, 0);
	link = scx_util_attach(skel->maps.init_exit_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	SCX_PROVE_EQ("ops:init", skel->bss->nr_init, 1);
	SCX_EQ(skel->data->enabled_at_init, 0);
	SCX_GT(skel->bss->nr_enabled, 0);
	SCX_EQ(scx_util_ops_name(name, sizeof(name)), 0);
	SCX_PROVE_MSG("field:name", !strcmp(name, "init_exit_test"),
		      "root/ops reads '%s', not init_exit_test", name);
	SCX_EQ(skel->bss->nr_exit, 0);

	scx_util_detach(link);
	SCX_ASSERT(SCX_WAIT_FOR(UEI_EXITED(skel, uei), 5000));
	SCX_PROVE_EQ("ops:exit", skel->bss->nr_exit, 1);
	SCX_EQ(skel->bss->nr_init, 1);
	SCX_EQ(skel->data->enabled_at_exit, 0);
	SCX_PROVE_EQ("exit:UNREG", skel->data->uei.kind, SCX_EXIT_UNREG);
	return SCX_TEST_PASS;
}

static void cleanup(void *ctx)
{
	init_exit__destroy(ctx);
}

static struct scx_test init_exit_test = {
	.name = "init_exit",
	.description = "ops.init runs once before any enable, ops.exit once after every disable, with SCX_EXIT_UNREG on detach; ops.name shows in root/ops",
	.covers = "ops:init ops:exit exit:UNREG field:name",
	.setup = setup,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&init_exit_test);

/*
 * SCX_OPS_ENQ_LAST asks for the last runnable task to go through
 * ops.enqueue() again, which makes no sense without ops.enqueue(): the
 * kernel refuses to enable such a scheduler, after ops.init() ran, and
 * tells ops.exit() why.
 */
static enum scx_test_status setup_enq_last(void **ctx)
{
	struct init_exit *skel = init_exit__open();

	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	*ctx = skel;
	skel->struct_ops.init_exit_ops->flags = SCX_OPS_ENQ_LAST;
	if (!skel->struct_ops.init_exit_ops->flags)
		SCX_FAIL("this kernel has no SCX_OPS_ENQ_LAST");
	if (SCX_UTIL_LOAD(skel, init_exit, init_exit_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status run_enq_last(void *ctx)
{
	struct init_exit *skel = ctx;
	struct bpf_link *link;

	/*
	 * 6.12 reports a failed enable through ops.exit() and lets the
	 * attach itself succeed; either way, by the time it returns, the
	 * scheduler must be gone again.
	 */
	link = scx_util_attach(skel->maps.init_exit_ops);
	SCX_ASSERT(UEI_EXITED(skel, uei));
	SCX_ASSERT(!scx_util_enabled());
	scx_util_detach(link);
	SCX_PROVE_EQ("exit:ERROR", skel->data->uei.kind, SCX_EXIT_ERROR);
	SCX_PROVE_MSG("flag:ENQ_LAST",
		      strstr(skel->data->uei.msg, "ENQ_LAST requires ops.enqueue()"),
		      "unexpected message '%s'", skel->data->uei.msg);
	SCX_EQ(skel->bss->nr_init, 1);
	SCX_EQ(skel->bss->nr_exit, 1);
	return SCX_TEST_PASS;
}

static struct scx_test enq_last_no_enqueue_test = {
	.name = "enq_last_no_enqueue",
	.description = "SCX_OPS_ENQ_LAST without ops.enqueue is refused with SCX_EXIT_ERROR before the scheduler is enabled",
	.covers = "flag:ENQ_LAST exit:ERROR",
	.setup = setup_enq_last,
	.run = run_enq_last,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&enq_last_no_enqueue_test);
