// SPDX-License-Identifier: GPL-2.0
/*
 * Wake four workers, pinned on one CPU, in the order 0, 1, 2, 3, each into
 * a vtime-ordered user DSQ with a vtime that does not follow that order.
 * While the scheduler holds the DSQ, it must count exactly the four and
 * walk them by ascending vtime; once it lets go, they must run in that
 * order too, not in the order they arrived.
 */
#include <stdlib.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "dsq_vtime.bpf.skel.h"

#define NR_WORKERS	4

/* Vtime of worker i; they must run 1, 3, 0, 2. */
static const unsigned long long vtimes[NR_WORKERS] = { 3000, 1000, 4000, 2000 };
static const int expected[NR_WORKERS] = { 1, 3, 0, 2 };

struct ctx {
	struct dsq_vtime *skel;
	struct scx_util_pipe_worker w[NR_WORKERS];
};

static struct ctx tctx;

/* Is @pid asleep ('S' in /proc/PID/stat)? */
static bool sleeping(pid_t pid)
{
	char path[64], buf[512], *s;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (scx_util_read_file(path, buf, sizeof(buf)))
		return false;
	s = strrchr(buf, ')');
	return s && s[1] == ' ' && s[2] == 'S';
}

static enum scx_test_status setup(void **ctx)
{
	struct dsq_vtime *skel;
	int i;

	if (scx_util_nr_cpus() < 2) {
		printf("needs 2 CPUs\n");
		return SCX_TEST_SKIP;
	}
	for (i = 0; i < NR_WORKERS; i++)
		tctx.w[i].pid = tctx.w[i].fd = -1;
	skel = dsq_vtime__open();
	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	tctx.skel = skel;
	*ctx = &tctx;
	if (SCX_UTIL_LOAD(skel, dsq_vtime, dsq_vtime_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *data)
{
	struct ctx *c = data;
	struct dsq_vtime__bss *bss = c->skel->bss;
	int i, cpu = scx_util_nr_cpus() - 1;
	struct bpf_link *link;

	SCX_EQ(scx_util_pin(0, 0), 0);
	/* Workers first: forked after attach, they would hold the link. */
	for (i = 0; i < NR_WORKERS; i++) {
		SCX_EQ(scx_util_pipe_worker(&c->w[i], 2000), 0);
		SCX_EQ(scx_util_pin(c->w[i].pid, cpu), 0);
		bss->pids[i] = c->w[i].pid;
		bss->vtimes[i] = vtimes[i];
	}
	for (i = 0; i < NR_WORKERS; i++)
		SCX_ASSERT(SCX_WAIT_FOR(sleeping(c->w[i].pid), 2000));
	bss->target_cpu = cpu;

	link = scx_util_attach(c->skel->maps.dsq_vtime_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	/* One at a time, so that they arrive in the order 0, 1, 2, 3. */
	for (i = 0; i < NR_WORKERS; i++) {
		SCX_EQ(scx_util_pipe_poke(&c->w[i]), 0);
		if (!SCX_WAIT_FOR(bss->nr_inserted >= i + 1, 2000))
			SCX_FAIL("worker %d never reached ops.enqueue()", i);
	}
	SCX_EQ(scx_util_run_prog(c->skel->progs.snapshot), 0);
	SCX_EQ(scx_util_run_prog(c->skel->progs.release), 0);
	SCX_ASSERT(SCX_WAIT_FOR(bss->nr_ran >= NR_WORKERS, 5000));
	scx_util_detach(link);

	printf("queued %d, walked %u:", c->skel->data->nr_queued, bss->nr_walked);
	for (i = 0; i < (int)bss->nr_walked && i < NR_WORKERS; i++)
		printf(" %d@%llu", bss->walked[i],
		       (unsigned long long)bss->walked_vtime[i]);
	printf("; ran:");
	for (i = 0; i < (int)bss->nr_ran && i < NR_WORKERS; i++)
		printf(" %d", bss->ran[i]);
	printf("\n");

	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_PROVE_EQ("kfunc:scx_bpf_dsq_nr_queued", c->skel->data->nr_queued,
		     NR_WORKERS);
	SCX_PROVE_EQ("kfunc:bpf_iter_scx_dsq_new", bss->nr_walked, NR_WORKERS);
	for (i = 0; i < NR_WORKERS; i++) {
		SCX_PROVE_EQ("kfunc:bpf_iter_scx_dsq_next", bss->walked[i],
			     expected[i]);
		SCX_PROVE_EQ("kfunc:scx_bpf_dsq_insert_vtime",
			     bss->walked_vtime[i], vtimes[expected[i]]);
	}
	for (i = 0; i < NR_WORKERS; i++)
		SCX_PROVE_EQ("kfunc:scx_bpf_dsq_insert_vtime", bss->ran[i],
			     expected[i]);
	return SCX_TEST_PASS;
}

static void cleanup(void *data)
{
	struct ctx *c = data;
	int i;

	for (i = 0; i < NR_WORKERS; i++)
		if (c->w[i].pid > 0)
			scx_util_pipe_stop(&c->w[i]);
	dsq_vtime__destroy(c->skel);
}

static struct scx_test dsq_vtime_test = {
	.name = "dsq_vtime",
	.description = "a vtime DSQ counts exactly what it holds, and walks and hands out its tasks by ascending vtime, not by arrival",
	.covers = "kfunc:scx_bpf_dsq_insert_vtime kfunc:scx_bpf_dsq_nr_queued kfunc:bpf_iter_scx_dsq_new kfunc:bpf_iter_scx_dsq_next kfunc:bpf_iter_scx_dsq_destroy",
	.timeout = 30,
	.setup = setup,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&dsq_vtime_test);
