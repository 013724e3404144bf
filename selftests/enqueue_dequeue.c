// SPDX-License-Identifier: GPL-2.0
/*
 * Wake the child while the scheduler holds it in custody, renice it so the
 * kernel must take it back, and check the sequence: an enqueue with
 * SCX_ENQ_WAKEUP, a dequeue that is not a sleep, a second enqueue, no run
 * while held, and a run once the scheduler lets it go from ops.dispatch().
 */
#include <sys/resource.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "enqueue_dequeue.bpf.skel.h"

struct ctx {
	struct enqueue_dequeue *skel;
	struct bpf_link *link;
	struct scx_util_pingpong pp;
};

static struct ctx tctx = { .pp = { .pid = -1, .to = -1, .from = -1 } };

static enum scx_test_status setup(void **ctx)
{
	struct enqueue_dequeue *skel = enqueue_dequeue__open();

	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	tctx.skel = skel;
	*ctx = &tctx;
	if (SCX_UTIL_LOAD(skel, enqueue_dequeue, enqueue_dequeue_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *data)
{
	struct ctx *c = data;
	struct enqueue_dequeue__bss *bss = c->skel->bss;
	struct bpf_link *link;

	link = c->link = scx_util_attach(c->skel->maps.enqueue_dequeue_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	SCX_EQ(scx_util_pingpong_start(&c->pp), 0);
	bss->hold = true;
	bss->target = c->pp.pid;

	/* The child wakes up, and the scheduler keeps it. */
	SCX_EQ(write(c->pp.to, "p", 1), 1);
	SCX_ASSERT(SCX_WAIT_FOR(bss->nr_held == 1, 2000));
	SCX_EQ(bss->nr_enq_wakeup, 1);
	SCX_EQ(bss->nr_dequeue, 0);

	/* A priority change takes it out of custody and puts it back. */
	SCX_EQ(setpriority(PRIO_PROCESS, c->pp.pid, 5), 0);
	SCX_ASSERT(SCX_WAIT_FOR(bss->nr_held == 2, 2000));
	SCX_PROVE_EQ("ops:dequeue", bss->nr_dequeue, 1);
	SCX_EQ(bss->nr_deq_sleep, 0);
	SCX_PROVE_EQ("ops:enqueue", bss->nr_enqueue, 2);
	SCX_EQ(bss->nr_enq_wakeup, 1);
	/* Held all along: the child has not run, nor answered. */
	SCX_EQ(bss->nr_running, 0);

	/* Let go: ops.dispatch() inserts it and it runs and answers. */
	bss->hold = false;
	SCX_PROVE("kfunc:scx_bpf_dsq_insert",
		  SCX_WAIT_FOR(bss->nr_running > 0, 2000));
	SCX_EQ(bss->nr_released, 1);
	SCX_EQ(bss->nr_ran_in_custody, 0);
	bss->target = 0;
	scx_util_detach(link);
	c->link = NULL;
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	return SCX_TEST_PASS;
}

static void cleanup(void *data)
{
	struct ctx *c = data;

	/* The child may be held by the scheduler: let it go first. */
	if (c->link)
		scx_util_detach(c->link);
	scx_util_pingpong_stop(&c->pp);
	enqueue_dequeue__destroy(c->skel);
}

static struct scx_test enqueue_dequeue_test = {
	.name = "enqueue_dequeue",
	.description = "ops.enqueue takes a waking task into custody, ops.dequeue gives it back on a renice (not a sleep), and it runs only once ops.dispatch inserts it",
	.covers = "ops:enqueue ops:dequeue kfunc:scx_bpf_dsq_insert",
	.setup = setup,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&enqueue_dequeue_test);
