// SPDX-License-Identifier: GPL-2.0
/*
 * A child calls sched_yield() exactly 100 times; ops.yield() must have run
 * exactly 100 times for it, in its own context, with no target task.
 */
#include <sched.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "yield.bpf.skel.h"

#define NR_YIELDS	100

static int go_fd;

static int yielder(void *arg)
{
	char c;
	int i;

	if (read(go_fd, &c, 1) != 1)
		return 1;
	for (i = 0; i < NR_YIELDS; i++)
		sched_yield();
	return 0;
}

static enum scx_test_status setup(void **ctx)
{
	struct yield *skel = yield__open();

	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	*ctx = skel;
	if (SCX_UTIL_LOAD(skel, yield, yield_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *ctx)
{
	struct yield *skel = ctx;
	struct bpf_link *link;
	int fds[2];
	pid_t pid;

	link = scx_util_attach(skel->maps.yield_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	SCX_EQ(pipe(fds), 0);
	go_fd = fds[0];
	pid = scx_util_spawn(yielder, NULL);
	SCX_GT(pid, 0);
	skel->bss->target = pid;
	SCX_EQ(write(fds[1], "g", 1), 1);
	SCX_EQ(scx_util_wait(pid, 10000), 0);
	scx_util_detach(link);

	SCX_EQ(skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_PROVE_EQ("ops:yield", skel->bss->nr_yield, NR_YIELDS);
	SCX_EQ(skel->bss->nr_yield_to, 0);
	SCX_EQ(skel->bss->nr_not_current, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *ctx)
{
	yield__destroy(ctx);
}

static struct scx_test yield_test = {
	.name = "yield",
	.description = "ops.yield runs once per sched_yield(), from the yielding task, with no target",
	.covers = "ops:yield",
	.setup = setup,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&yield_test);
