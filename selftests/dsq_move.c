// SPDX-License-Identifier: GPL-2.0
/*
 * (On 6.12 the dsq_move kfuncs are the dispatch_from_dsq family, which
 * compat.bpf.h picks at load time; the coverage names are 6.12's.)
 *
 * Twelve workers that sleep and spin are parked by ops.enqueue() on a FIFO
 * DSQ; ops.dispatch() walks it with the DSQ iterator and moves them on,
 * half through a vtime DSQ (scx_bpf_dsq_move_vtime() with a slice and a
 * vtime set on the iterator), half straight to the local DSQ
 * (scx_bpf_dsq_move()).  All of them must keep running, both kinds of
 * move must happen, and the vtime DSQ must hold its tasks in vtime order
 * with the slice and vtime they were moved with.  The moved tasks must
 * arrive: run on the CPU that moved them to its local DSQ, or with the
 * vtime they were moved into the vtime DSQ with.  The DSQ destroyed in
 * ops.init() must be gone (-ENOENT) after scx_bpf_destroy_dsq().
 */
#include <pthread.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "dsq_move.bpf.skel.h"

/*
 * More workers than CPUs, so that one dispatch finds several parked and
 * moves more than one to the vtime DSQ; with six on four CPUs the vtime
 * DSQ held two tasks at a walk only 0-3 times in 5 s, and 1 run in 15
 * saw it never.
 */
#define NR_WORKERS	12

struct ctx {
	struct dsq_move *skel;
	pid_t proc;
};

static int worker(void *arg)
{
	for (;;) {
		scx_util_busy_ms(1);
		usleep(1000);
	}
	return 0;
}

static void *worker_thread(void *arg)
{
	worker(arg);
	return NULL;
}

/* Threads of one process, so they share a tgid the BPF side can watch. */
static int workers(void *arg)
{
	pthread_t t;
	int i;

	for (i = 1; i < NR_WORKERS; i++)
		if (pthread_create(&t, NULL, worker_thread, NULL))
			return 1;
	return worker(NULL);
}

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return SCX_TEST_FAIL;
	c->skel = dsq_move__open();
	if (!c->skel || SCX_UTIL_LOAD(c->skel, dsq_move, dsq_move_ops, uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		dsq_move__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct dsq_move__bss *bss = c->skel->bss;
	u64 local_arrived, local_astray, vtime_arrived, vtime_astray;
	u64 moved_local, moved_vtime;
	struct bpf_link *link;

	link = scx_util_attach(c->skel->maps.dsq_move_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	SCX_WAIT_FOR(bss->nr_moved_local >= 10 && bss->nr_moved_vtime >= 10 &&
		     bss->nr_vtime_multi >= 3, 5000);
	SCX_EQ(c->skel->data->uei.kind, 0);
	bss->target_tgid = 0;
	/*
	 * Arrivals now: while the scheduler is unloaded, tasks go where the
	 * kernel puts them, whatever their last move said.
	 */
	local_arrived = bss->nr_local_arrived;
	local_astray = bss->nr_local_astray;
	vtime_arrived = bss->nr_vtime_arrived;
	vtime_astray = bss->nr_vtime_astray;
	moved_local = bss->nr_moved_local;
	moved_vtime = bss->nr_moved_vtime;
	scx_util_detach(link);

	fprintf(stderr, "# parked %llu iterated %llu moved local %llu vtime %llu failed %llu\n",
		(unsigned long long)bss->nr_parked,
		(unsigned long long)bss->nr_iterated,
		(unsigned long long)bss->nr_moved_local,
		(unsigned long long)bss->nr_moved_vtime,
		(unsigned long long)bss->nr_move_failed);
	fprintf(stderr, "# vtime DSQ: seen %llu, >1 queued %llu times, misordered %llu bad slice %llu bad vtime %llu; gone DSQ %d -> %d\n",
		(unsigned long long)bss->nr_vtime_seen,
		(unsigned long long)bss->nr_vtime_multi,
		(unsigned long long)bss->nr_misordered,
		(unsigned long long)bss->nr_bad_slice,
		(unsigned long long)bss->nr_bad_vtime,
		bss->gone_before, bss->gone_after);
	fprintf(stderr, "# arrived: local %llu of %llu (%llu astray), vtime %llu of %llu (%llu astray)\n",
		(unsigned long long)local_arrived,
		(unsigned long long)moved_local,
		(unsigned long long)local_astray,
		(unsigned long long)vtime_arrived,
		(unsigned long long)moved_vtime,
		(unsigned long long)vtime_astray);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	/*
	 * Moved tasks arrive: a local move runs on the mover's CPU, a vtime
	 * move with its vtime.  At the end each worker may still have one
	 * move in flight, and a vtime move may run before it is noted.
	 */
	SCX_PROVE_EQ("kfunc:scx_bpf_dsq_move", local_astray, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_dsq_move_set_vtime", vtime_astray, 0);
	SCX_GT(local_arrived, 0);
	SCX_GT(vtime_arrived, 0);
	SCX_ASSERT(local_arrived + NR_WORKERS >= moved_local);
	SCX_GT(bss->nr_iterated, 0);
	SCX_GT(bss->nr_moved_local, 0);
	SCX_GT(bss->nr_moved_vtime, 0);
	SCX_PROVE_GT("kfunc:bpf_iter_scx_dsq_new kfunc:bpf_iter_scx_dsq_next",
		     bss->nr_vtime_multi, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_dsq_move_vtime", bss->nr_misordered, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_dsq_move_set_slice", bss->nr_bad_slice, 0);
	SCX_EQ(bss->nr_bad_vtime, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_create_dsq kfunc:scx_bpf_dsq_nr_queued",
		     bss->gone_before, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_destroy_dsq", bss->gone_after, -ENOENT);
	return SCX_TEST_PASS;
}

static enum scx_test_status run_with_workers(void *arg)
{
	struct ctx *c = arg;

	c->proc = scx_util_spawn(workers, NULL);
	if (c->proc < 0)
		return SCX_TEST_FAIL;
	c->skel->bss->target_tgid = c->proc;
	return run(arg);
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	scx_util_stop(c->proc);
	dsq_move__destroy(c->skel);
	free(c);
}

static struct scx_test dsq_move_test = {
	.name		= "dsq_move",
	.description	= "DSQ iterator and the dsq_move family in dispatch: moved tasks arrive on the mover's CPU or by vtime; create/destroy_dsq",
	.covers		=
		"kfunc:bpf_iter_scx_dsq_new kfunc:bpf_iter_scx_dsq_next kfunc:bpf_iter_scx_dsq_destroy kfunc:scx_bpf_dispatch_from_dsq kfunc:scx_bpf_dispatch_vtime_from_dsq kfunc:scx_bpf_dispatch_from_dsq_set_slice kfunc:scx_bpf_dispatch_from_dsq_set_vtime kfunc:scx_bpf_create_dsq kfunc:scx_bpf_destroy_dsq kfunc:scx_bpf_dsq_nr_queued",
	.timeout	= 30,
	.setup		= setup,
	.run		= run_with_workers,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&dsq_move_test)
