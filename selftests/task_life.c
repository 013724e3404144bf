// SPDX-License-Identifier: GPL-2.0
/*
 * Fork 8 children that exit at once and reap them: each must have gone
 * through init_task (as a fork), enable, disable and exit_task exactly once,
 * in that order.  Over the whole attachment, every task initialised must be
 * exited and every task enabled disabled by the time ops.exit() runs.
 */
#include <sys/wait.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "task_life.bpf.skel.h"

#define NR_CHILDREN	8

static enum scx_test_status setup(void **ctx)
{
	struct task_life *skel = task_life__open();

	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	*ctx = skel;
	if (SCX_UTIL_LOAD(skel, task_life, task_life_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static int exit_now(void *arg)
{
	return 0;
}

static enum scx_test_status run(void *ctx)
{
	struct task_life *skel = ctx;
	struct task_life__bss *bss = skel->bss;
	struct bpf_link *link;
	u64 at_attach;
	int i;

	link = scx_util_attach(skel->maps.task_life_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	/* Every task there at attach time was initialised, not forked. */
	at_attach = bss->nr_init_task;
	SCX_GT(at_attach, 0);
	SCX_GT(bss->nr_enable, 0);

	bss->parent_tgid = getpid();
	for (i = 0; i < NR_CHILDREN; i++) {
		pid_t pid = scx_util_spawn(exit_now, NULL);

		SCX_GT(pid, 0);
		SCX_EQ(scx_util_wait(pid, 5000), 0);
	}
	bss->parent_tgid = 0;
	/* A reaped task is freed, and exit_task runs, after an RCU period. */
	SCX_PROVE("ops:exit_task",
		  SCX_WAIT_FOR(bss->c_exit == NR_CHILDREN, 5000));
	SCX_PROVE_EQ("ops:init_task", bss->c_init, NR_CHILDREN);
	SCX_PROVE_EQ("ops:enable", bss->c_enable, NR_CHILDREN);
	SCX_PROVE_EQ("ops:disable", bss->c_disable, NR_CHILDREN);
	SCX_EQ(bss->c_bad_order, 0);
	SCX_GT(bss->nr_init_fork, NR_CHILDREN - 1);
	scx_util_detach(link);

	printf("init_task %llu (%llu at attach, %llu forks), enable %llu, disable %llu, exit_task %llu\n",
	       (unsigned long long)bss->nr_init_task,
	       (unsigned long long)at_attach,
	       (unsigned long long)bss->nr_init_fork,
	       (unsigned long long)bss->nr_enable,
	       (unsigned long long)bss->nr_disable,
	       (unsigned long long)bss->nr_exit_task);
	SCX_EQ(skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_EQ(bss->nr_init_task, bss->nr_exit_task);
	SCX_EQ(bss->nr_enable, bss->nr_disable);
	SCX_EQ(bss->nr_exit_cancelled, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *ctx)
{
	task_life__destroy(ctx);
}

static struct scx_test task_life_test = {
	.name = "task_life",
	.description = "each forked child gets init_task, enable, disable and exit_task once, in order; totals balance at detach",
	.covers = "ops:init_task ops:exit_task ops:enable ops:disable",
	.setup = setup,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&task_life_test);
