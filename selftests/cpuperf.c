// SPDX-License-Identifier: GPL-2.0
/*
 * A spinner on every CPU makes ops.tick() run everywhere.  Each CPU must
 * report a capacity and a current level in (0, SCX_CPUPERF_ONE] (which
 * proves little where all CPUs read 1024, as in a VM), and its struct rq
 * must be that CPU's and carry the target set with scx_bpf_cpuperf_set().  A target above SCX_CPUPERF_ONE must then kill
 * the scheduler with "Invalid cpuperf target".
 *
 * The rq is scx_bpf_cpu_rq()'s where the kernel has that kfunc (6.12), and
 * scx_bpf_locked_rq()'s where it has only that one (7.3); the BPF side
 * must have used the one the kernel's BTF lists.
 */
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"

/* As in cpuperf.bpf.c; the skeleton refers to it by name. */
struct cpu_perf {
	unsigned int cap;
	unsigned int cur;
	unsigned int target;
	int rq_cpu;
	unsigned long long nr_ticks;
};

#include "cpuperf.bpf.skel.h"

#define MAX_CPUS	64
#define PERF_BASE	512
#define PERF_ONE	1024	/* SCX_CPUPERF_ONE */

enum { RQ_VIA_CPU_RQ = 1, RQ_VIA_LOCKED_RQ };	/* as in cpuperf.bpf.c */

struct ctx {
	struct cpuperf *skel;
	pid_t spin[MAX_CPUS];
	int nr_cpus;
};

static bool all_ticked(struct ctx *c)
{
	int cpu;

	for (cpu = 0; cpu < c->nr_cpus; cpu++)
		if (c->skel->bss->perf[cpu].nr_ticks < 3)
			return false;
	return true;
}

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return SCX_TEST_FAIL;
	c->nr_cpus = scx_util_nr_cpus();
	if (c->nr_cpus > MAX_CPUS)
		c->nr_cpus = MAX_CPUS;
	c->skel = cpuperf__open();
	if (!c->skel || SCX_UTIL_LOAD(c->skel, cpuperf, cpuperf_ops, uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		cpuperf__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct user_exit_info *uei = &c->skel->data->uei;
	const char *rq_item = NULL;
	struct bpf_link *link;
	unsigned int via;
	int cpu;

	if (__COMPAT_has_ksym("scx_bpf_cpu_rq")) {
		via = RQ_VIA_CPU_RQ;
		/* The right rq proves the kfunc that gave it. */
		rq_item = "kfunc:scx_bpf_cpu_rq";
	} else if (__COMPAT_has_ksym("scx_bpf_locked_rq")) {
		via = RQ_VIA_LOCKED_RQ;
		rq_item = "kfunc:scx_bpf_locked_rq";
	} else {
		printf("no scx_bpf_cpu_rq() or scx_bpf_locked_rq() in this kernel\n");
		return SCX_TEST_SKIP_KERNEL;
	}
	fprintf(stderr, "# the rq through %s\n", via == RQ_VIA_CPU_RQ ?
		"scx_bpf_cpu_rq()" : "scx_bpf_locked_rq()");

	for (cpu = 0; cpu < c->nr_cpus; cpu++) {
		c->spin[cpu] = scx_util_spawn(scx_util_spin_forever, NULL);
		SCX_ASSERT(c->spin[cpu] > 0);
		scx_util_pin(c->spin[cpu], cpu);
	}
	link = scx_util_attach(c->skel->maps.cpuperf_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	SCX_WAIT_FOR(all_ticked(c), 5000);
	SCX_EQ(uei->kind, 0);
	SCX_EQ(c->skel->bss->rq_via, via);

	for (cpu = 0; cpu < c->nr_cpus; cpu++) {
		struct cpu_perf *cp = &c->skel->bss->perf[cpu];

		fprintf(stderr, "# cpu %d: %llu ticks, cap %u cur %u target %u rq of cpu %d\n",
			cpu, cp->nr_ticks, cp->cap, cp->cur, cp->target,
			cp->rq_cpu);
		SCX_GT(cp->nr_ticks, 0);
		/*
		 * Checked, not proven: where every CPU reads the same, as in
		 * a VM, another CPU's value would pass (unproven.txt).
		 */
		SCX_ASSERT(cp->cap > 0 && cp->cap <= PERF_ONE);
		SCX_ASSERT(cp->cur > 0 && cp->cur <= PERF_ONE);
		SCX_PROVE_EQ(rq_item, cp->rq_cpu, cpu);
		SCX_PROVE_EQ("kfunc:scx_bpf_cpuperf_set", cp->target,
			     PERF_BASE + cpu);
	}

	c->skel->bss->bad_perf = true;
	SCX_WAIT_FOR(uei->kind, 5000);
	scx_util_detach(link);
	fprintf(stderr, "# out of range: kind %d (%s)\n", uei->kind, uei->msg);
	SCX_EQ(uei->kind, SCX_EXIT_ERROR);
	SCX_PROVE("kfunc:scx_bpf_cpuperf_set",
		  strstr(uei->msg, "Invalid cpuperf target 1025"));
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;
	int cpu;

	for (cpu = 0; cpu < c->nr_cpus; cpu++)
		scx_util_stop(c->spin[cpu]);
	cpuperf__destroy(c->skel);
	free(c);
}

static struct scx_test cpuperf_test = {
	.name		= "cpuperf",
	.description	= "cpuperf_cap/cur/set on every CPU, checked through scx_bpf_cpu_rq()",
	.covers		=
		"kfunc:scx_bpf_cpuperf_cap kfunc:scx_bpf_cpuperf_cur kfunc:scx_bpf_cpuperf_set kfunc:scx_bpf_cpu_rq",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&cpuperf_test)
