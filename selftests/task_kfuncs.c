// SPDX-License-Identifier: GPL-2.0
/*
 * 7.x's kfuncs on tasks, DSQs and CPUs (task_kfuncs.bpf.c says how each is
 * provoked): two busy workers held in a DSQ nobody serves, and a spinner
 * pinned to CPU 1.  Once the BPF side has seen enough ticks, each
 * kfunc must have returned what the experiment set up: the first held
 * worker at the DSQ's head, the spinner as CPU 1's current task, the slice
 * and vtime it was given, a clock that never went back, the ticking CPU's
 * own rq, and a NUMA node in range.
 */
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "task_kfuncs.bpf.skel.h"

#define SPIN_CPU	1

struct ctx {
	struct task_kfuncs *skel;
	pid_t held[2];
	pid_t spin;
};

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c;

	if (!__COMPAT_has_ksym("scx_bpf_dsq_peek")) {
		printf("no scx_bpf_dsq_peek() in this kernel (7.x has it)\n");
		return SCX_TEST_SKIP_KERNEL;
	}
	if (scx_util_nr_cpus() <= SPIN_CPU) {
		printf("needs CPU %d\n", SPIN_CPU);
		return SCX_TEST_SKIP;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->skel = task_kfuncs__open();
	if (!c->skel || SCX_UTIL_LOAD(c->skel, task_kfuncs, task_kfuncs_ops, uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		task_kfuncs__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static bool seen_enough(const struct task_kfuncs__bss *b)
{
	return b->peek_pid && b->nr_curr_spin >= 20 && b->nr_spin_ticks >= 5 &&
	       b->nr_now >= 20;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct task_kfuncs__bss *b = c->skel->bss;
	struct bpf_link *link;

	c->held[0] = scx_util_spawn(scx_util_spin_forever, NULL);
	c->held[1] = scx_util_spawn(scx_util_spin_forever, NULL);
	c->spin = scx_util_spawn(scx_util_spin_forever, NULL);
	SCX_ASSERT(c->held[0] > 0 && c->held[1] > 0 && c->spin > 0);
	SCX_EQ(scx_util_pin(c->spin, SPIN_CPU), 0);
	b->held_pid[0] = c->held[0];
	b->held_pid[1] = c->held[1];
	b->spin_pid = c->spin;
	b->spin_cpu = SPIN_CPU;

	link = scx_util_attach(c->skel->maps.task_kfuncs_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	SCX_WAIT_FOR(seen_enough(b) || c->skel->data->uei.kind, 10000);
	scx_util_detach(link);

	fprintf(stderr, "# held %d and %d, first %d, peek %d\n", c->held[0],
		c->held[1], b->first_held, b->peek_pid);
	fprintf(stderr, "# cpu_curr(%d): the spinner %llu times, another %llu\n",
		SPIN_CPU, (unsigned long long)b->nr_curr_spin,
		(unsigned long long)b->nr_curr_other);
	fprintf(stderr, "# spinner's ticks %llu: set %llu, slice read back %llu, vtime %llu\n",
		(unsigned long long)b->nr_spin_ticks,
		(unsigned long long)b->nr_set_ok,
		(unsigned long long)b->nr_slice_ok,
		(unsigned long long)b->nr_vtime_ok);
	fprintf(stderr, "# now %llu (back %llu), rq %llu (bad %llu), %u nodes (bad %llu)\n",
		(unsigned long long)b->nr_now,
		(unsigned long long)b->nr_now_back,
		(unsigned long long)b->nr_rq_ok,
		(unsigned long long)b->nr_rq_bad, b->nr_nodes,
		(unsigned long long)b->nr_node_bad);

	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_ASSERT(b->first_held == c->held[0] || b->first_held == c->held[1]);
	SCX_PROVE_EQ("kfunc:scx_bpf_dsq_peek", b->peek_pid, b->first_held);
	SCX_PROVE_GT("kfunc:scx_bpf_cpu_curr", b->nr_curr_spin,
		     4 * b->nr_curr_other);
	SCX_PROVE_GT("ops:tick", b->nr_spin_ticks, 0);
	SCX_EQ(b->nr_set_ok, b->nr_spin_ticks);
	SCX_PROVE_EQ("kfunc:scx_bpf_task_set_slice", b->nr_slice_ok,
		     b->nr_spin_ticks);
	SCX_PROVE_EQ("kfunc:scx_bpf_task_set_dsq_vtime", b->nr_vtime_ok,
		     b->nr_spin_ticks);
	SCX_GT(b->nr_now, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_now", b->nr_now_back, 0);
	SCX_GT(b->nr_rq_ok, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_locked_rq", b->nr_rq_bad, 0);
	SCX_GT(b->nr_nodes, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_cpu_node kfunc:scx_bpf_nr_node_ids",
		     b->nr_node_bad, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	scx_util_stop(c->held[0]);
	scx_util_stop(c->held[1]);
	scx_util_stop(c->spin);
	task_kfuncs__destroy(c->skel);
	free(c);
}

static struct scx_test task_kfuncs_test = {
	.name		= "task_kfuncs",
	.description	= "7.x: dsq_peek, cpu_curr, task_set_slice/dsq_vtime, now, locked_rq, cpu_node",
	.covers		= "ops:tick",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&task_kfuncs_test)
