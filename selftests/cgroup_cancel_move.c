// SPDX-License-Identifier: GPL-2.0
/*
 * A process of five threads is moved by writing its tgid to cgroup.procs.
 * The scheduler fails the third thread's prep_move with -EBUSY, so the
 * write must fail with EBUSY, the process must stay where it was, no
 * thread may see cgroup_move(), and exactly the two threads prepared
 * before the failure must get cgroup_cancel_move() towards the target.
 */
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "cgroup_cancel_move.bpf.skel.h"

#define NR_THREADS	5	/* the main thread and four more */

struct ctx {
	struct cgroup_cancel_move *skel;
	pid_t proc;
	int ready[2];
};

static void *idle_thread(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static int threaded(void *arg)
{
	struct ctx *c = arg;
	pthread_t t;
	int i;

	for (i = 1; i < NR_THREADS; i++)
		if (pthread_create(&t, NULL, idle_thread, NULL))
			return 1;
	if (write(c->ready[1], "r", 1) != 1)
		return 1;
	for (;;)
		pause();
	return 0;
}

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c;

	if (access("/sys/fs/cgroup/cgroup.subtree_control", W_OK))
		return SCX_TEST_SKIP;
	c = calloc(1, sizeof(*c));
	if (!c || pipe(c->ready))
		return SCX_TEST_FAIL;
	c->skel = cgroup_cancel_move__open();
	if (!c->skel) {
		free(c);
		return SCX_TEST_FAIL;
	}
	/* 0 where the kernel has no such flag, as 7.3 has not. */
	c->skel->struct_ops.cgroup_cancel_move_ops->flags |=
		SCX_OPS_HAS_CGROUP_WEIGHT;
	if (SCX_UTIL_LOAD(c->skel, cgroup_cancel_move, cgroup_cancel_move_ops,
			  uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		cgroup_cancel_move__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct cgroup_cancel_move__bss *bss = c->skel->bss;
	struct bpf_link *link;
	char path[256], before[256], after[256], b;
	unsigned long long to;
	struct stat st;
	int ret, i, j;

	c->proc = scx_util_spawn(threaded, c);
	SCX_ASSERT(c->proc > 0);
	SCX_EQ(read(c->ready[0], &b, 1), 1);
	bss->target_tgid = c->proc;
	SCX_EQ(scx_util_cgroup_create("cancel"), 0);
	scx_util_cgroup_path(path, sizeof(path), "cancel");
	SCX_EQ(stat(path, &st), 0);
	to = st.st_ino;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", c->proc);
	SCX_EQ(scx_util_read_file(path, before, sizeof(before)), 0);

	link = scx_util_attach(c->skel->maps.cgroup_cancel_move_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	ret = scx_util_cgroup_move("cancel", c->proc);
	scx_util_detach(link);

	SCX_EQ(scx_util_read_file(path, after, sizeof(after)), 0);
	fprintf(stderr, "# write: %d, prep %u cancel %u move %u, failed %d\n",
		ret, bss->nr_prep, bss->nr_cancel, bss->nr_move,
		bss->failed_pid);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_EQ(ret, -EBUSY);
	SCX_ASSERT(!strcmp(before, after));
	/* Prepared up to the failure, and no further. */
	SCX_PROVE_EQ("ops:cgroup_prep_move", bss->nr_prep, 3);
	SCX_EQ(bss->nr_move, 0);
	SCX_PROVE_EQ("ops:cgroup_cancel_move", bss->nr_cancel, 2);
	/* The cancelled are the two prepared before the failure. */
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++)
			if (bss->cancelled[i] == bss->prepped[j])
				break;
		SCX_ASSERT(j < 2);
		SCX_ASSERT(bss->cancelled[i] != bss->failed_pid);
		SCX_EQ(bss->cancel_to[i], to);
		SCX_EQ(bss->prep_to[i], to);
		SCX_ASSERT(bss->cancel_from[i] && bss->cancel_from[i] != to);
	}
	SCX_ASSERT(bss->cancelled[0] != bss->cancelled[1]);
	SCX_EQ(bss->failed_pid, bss->prepped[2]);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	scx_util_stop(c->proc);
	scx_util_cgroup_remove("cancel");
	close(c->ready[0]);
	close(c->ready[1]);
	cgroup_cancel_move__destroy(c->skel);
	free(c);
}

static struct scx_test cgroup_cancel_move_test = {
	.name		= "cgroup_cancel_move",
	.description	= "cancel_move for the threads prepared before a prep_move failed",
	.covers		= "ops:cgroup_cancel_move ops:cgroup_prep_move",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&cgroup_cancel_move_test)
