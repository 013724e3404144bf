// SPDX-License-Identifier: GPL-2.0
/*
 * Let the scheduler lose a task and check that the watchdog unloads it with
 * SCX_EXIT_ERROR_STALL, naming that task, no sooner than timeout_ms after
 * the task became runnable.
 */
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "stall.bpf.skel.h"

#define TIMEOUT_MS	1000
/* The watchdog's timeout when timeout_ms is 0: SCX_WATCHDOG_MAX_TIMEOUT. */
#define DEFAULT_TIMEOUT_MS	30000

struct ctx {
	struct stall *skel;
	struct bpf_link *link;
	struct scx_util_pingpong pp;
};

static struct ctx tctx = { .pp = { .pid = -1, .to = -1, .from = -1 } };

static enum scx_test_status setup(void **ctx)
{
	struct stall *skel = stall__open();

	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	tctx.skel = skel;
	*ctx = &tctx;
	SCX_EQ(skel->struct_ops.stall_ops->timeout_ms, TIMEOUT_MS);
	if (SCX_UTIL_LOAD(skel, stall, stall_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status stall_run(void *data)
{
	struct ctx *c = data;
	struct user_exit_info *uei = &c->skel->data->uei;
	struct bpf_link *link;
	char needle[32];
	u64 waited_ms;

	link = c->link = scx_util_attach(c->skel->maps.stall_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	SCX_EQ(scx_util_pingpong_start(&c->pp), 0);
	c->skel->bss->target = c->pp.pid;
	/* The child wakes up and is never run; its answer never comes. */
	SCX_EQ(write(c->pp.to, "p", 1), 1);
	SCX_ASSERT(SCX_WAIT_FOR(UEI_EXITED(c->skel, uei), 10000));
	SCX_ASSERT(scx_util_wait_state("disabled", 5000));
	scx_util_detach(link);
	c->link = NULL;

	printf("exit: kind %d, msg '%s'\n", uei->kind, uei->msg);
	SCX_PROVE_EQ("exit:ERROR_STALL", uei->kind, SCX_EXIT_ERROR_STALL);
	SCX_GT(c->skel->bss->nr_held, 0);
	snprintf(needle, sizeof(needle), "[%d] failed to run", c->pp.pid);
	if (!strstr(uei->msg, needle))
		SCX_FAIL("message '%s' does not name the child (%s)",
			 uei->msg, needle);
	waited_ms = (c->skel->bss->exit_at_ns - c->skel->bss->held_at_ns) /
		    1000000;
	/* Not before timeout_ms, and well before the default: ours counted. */
	SCX_PROVE("field:timeout_ms", waited_ms >= TIMEOUT_MS - 20);
	SCX_PROVE("field:timeout_ms", waited_ms < DEFAULT_TIMEOUT_MS);
	return SCX_TEST_PASS;
}

static void cleanup(void *data)
{
	struct ctx *c = data;

	/* The child may be held by the scheduler: let it go first. */
	if (c->link)
		scx_util_detach(c->link);
	scx_util_pingpong_stop(&c->pp);
	stall__destroy(c->skel);
}

static struct scx_test stall_test = {
	.name = "stall",
	.description = "a task held past timeout_ms ends the scheduler with SCX_EXIT_ERROR_STALL naming that task",
	.covers = "field:timeout_ms exit:ERROR_STALL",
	.setup = setup,
	.run = stall_run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&stall_test);
