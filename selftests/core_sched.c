// SPDX-License-Identifier: GPL-2.0
/*
 * Core scheduling with cookies: worker A and worker B each get a cookie of
 * their own from prctl(PR_SCHED_CORE) and spin, pinned on the two siblings
 * of one SMT core, so the core can only run one of them at a time.  The
 * scheduler answers ops.core_sched_before() with "A first" whichever way
 * round it is asked; over a second, A must get the core and B almost
 * nothing.  Had the kernel read the answer the wrong way round, B would.
 */
#include <stdlib.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "core_sched.bpf.skel.h"

/* How long the two workers compete for the core. */
#define WINDOW_MS		1000

struct ctx {
	struct core_sched *skel;
	pid_t pids[2];		/* A, B */
};

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c;

	if (!scx_util_has_smt()) {
		fprintf(stderr, "# no SMT siblings, core scheduling is off\n");
		return SCX_TEST_SKIP;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->skel = core_sched__open();
	if (!c->skel || SCX_UTIL_LOAD(c->skel, core_sched, core_sched_ops,
				      uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		core_sched__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

/*
 * Find an SMT core: put two of its siblings in @sib, and a CPU outside it,
 * or -1, in @other.
 */
static bool find_core(int sib[2], int *other)
{
	int cpu, i, n, nr = scx_util_nr_cpus();
	uint64_t mask;

	for (cpu = nr - 1; cpu >= 0; cpu--) {
		if (!scx_util_cpu_online(cpu) || scx_util_smt_mask(cpu, &mask))
			continue;
		for (i = 0, n = 0; i < 64 && n < 2; i++)
			if ((mask & (1ULL << i)) && scx_util_cpu_online(i))
				sib[n++] = i;
		if (n < 2)
			continue;
		*other = -1;
		for (i = 0; i < nr && i < 64; i++)
			if (!(mask & (1ULL << i)) && scx_util_cpu_online(i))
				*other = i;
		return true;
	}
	return false;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct core_sched__bss *bss = c->skel->bss;
	long long a0, b0, a_ns, b_ns;
	struct bpf_link *link;
	int i, ret, sib[2], other;

	if (!find_core(sib, &other)) {
		fprintf(stderr, "# no core with two online siblings\n");
		return SCX_TEST_SKIP;
	}
	/* Keep ourselves off the contested core. */
	if (other >= 0)
		SCX_EQ(scx_util_pin(0, other), 0);

	/* Workers first: forked after attach, they would hold the link. */
	for (i = 0; i < 2; i++) {
		c->pids[i] = scx_util_spawn(scx_util_spin_forever, NULL);
		SCX_ASSERT(c->pids[i] > 0);
		SCX_EQ(scx_util_pin(c->pids[i], sib[i]), 0);
	}
	/* A cookie each: they may no longer share the core. */
	ret = scx_util_two_cookies(c->pids, 2);
	if (ret == -ENODEV)
		return SCX_TEST_SKIP;
	if (ret)
		SCX_FAIL("prctl(PR_SCHED_CORE): %s", strerror(-ret));
	bss->pid_a = c->pids[0];
	bss->pid_b = c->pids[1];

	link = scx_util_attach(c->skel->maps.core_sched_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	if (!SCX_WAIT_FOR(bss->nr_ab_cookied > 0, 5000)) {
		scx_util_detach(link);
		SCX_FAIL("core_sched_before() never compared A with B");
	}
	/* Let the first core-wide pick take B off its sibling, then measure. */
	scx_util_sleep_ms(100);
	a0 = scx_util_cpu_ns(c->pids[0]);
	b0 = scx_util_cpu_ns(c->pids[1]);
	SCX_ASSERT(a0 >= 0 && b0 >= 0);
	scx_util_sleep_ms(WINDOW_MS);
	a_ns = scx_util_cpu_ns(c->pids[0]) - a0;
	b_ns = scx_util_cpu_ns(c->pids[1]) - b0;
	scx_util_detach(link);

	fprintf(stderr, "# CPUs %d and %d: calls %llu, A vs B %llu (cookied %llu); in %d ms A ran %lld ms, B %lld ms\n",
		sib[0], sib[1], (unsigned long long)bss->nr_calls,
		(unsigned long long)bss->nr_ab,
		(unsigned long long)bss->nr_ab_cookied, WINDOW_MS,
		a_ns / 1000000, b_ns / 1000000);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_EQ(bss->nr_self, 0);
	SCX_GT(bss->nr_ab_cookied, 0);
	/* A won every comparison: it has the core, B at most crumbs. */
	SCX_GT(a_ns, WINDOW_MS * 1000000LL / 4);
	SCX_PROVE_GT("ops:core_sched_before", a_ns, 4 * b_ns);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;
	int i;

	for (i = 0; i < 2; i++)
		scx_util_stop(c->pids[i]);
	core_sched__destroy(c->skel);
	free(c);
}

static struct scx_test core_sched_test = {
	.name		= "core_sched",
	.description	= "the task core_sched_before() puts first gets the SMT core; its cookied rival on the sibling waits",
	.covers		= "ops:core_sched_before",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&core_sched_test)
