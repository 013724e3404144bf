// SPDX-License-Identifier: GPL-2.0
/*
 * Make a task that is preempted while exiting: a child with 32 MiB of
 * touched memory exits on a CPU it shares with a spinner.  Freeing the
 * memory takes several ticks of 1 ms slices, so the dying child is
 * preempted and enqueued again with PF_EXITING set; under
 * SCX_OPS_ENQ_EXITING that enqueue must reach ops.enqueue().
 */
#include <sys/mman.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "enq_exiting.bpf.skel.h"

#define MEM		(32UL << 20)
#define TRIES		4

struct ctx {
	struct enq_exiting *skel;
	pid_t spin;
	int cpu;
};

static int fat_child(void *arg)
{
	char *p = mmap(NULL, MEM, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	memset(p, 1, MEM);
	/* Exit without munmap: exit_mmap() does the freeing. */
	return 0;
}

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return SCX_TEST_FAIL;
	c->cpu = scx_util_nr_cpus() - 1;
	c->skel = enq_exiting__open();
	if (!c->skel || SCX_UTIL_LOAD(c->skel, enq_exiting, enq_exiting_ops,
				      uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		enq_exiting__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct enq_exiting__bss *bss = c->skel->bss;
	struct bpf_link *link;
	int i, st = 0;
	pid_t child;

	link = scx_util_attach(c->skel->maps.enq_exiting_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	c->spin = scx_util_spawn(scx_util_spin_forever, NULL);
	SCX_ASSERT(c->spin > 0 && !scx_util_pin(c->spin, c->cpu));
	SCX_ASSERT(!scx_util_pin(0, c->cpu));

	for (i = 0; i < TRIES && !bss->nr_exiting; i++) {
		child = scx_util_spawn(fat_child, NULL);
		SCX_ASSERT(child > 0);
		bss->target_tgid = child;
		st |= scx_util_wait(child, 10000);
	}
	scx_util_stop(c->spin);
	c->spin = 0;
	scx_util_detach(link);

	fprintf(stderr, "# %d children: enqueued %llu times, %llu while exiting\n",
		i, (unsigned long long)bss->nr_target,
		(unsigned long long)bss->nr_exiting);
	SCX_EQ(st, 0);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_PROVE_GT("flag:ENQ_EXITING", bss->nr_exiting, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	scx_util_stop(c->spin);
	enq_exiting__destroy(c->skel);
	free(c);
}

static struct scx_test enq_exiting_test = {
	.name		= "enq_exiting",
	.description	= "SCX_OPS_ENQ_EXITING passes exiting tasks to ops.enqueue()",
	.covers		= "flag:ENQ_EXITING",
	.timeout	= 60,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&enq_exiting_test)
