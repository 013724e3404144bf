// SPDX-License-Identifier: GPL-2.0
/*
 * With a spinner pinned to CPU 1 and a sleeper, check what the CPU and task
 * kfuncs say against what user space knows: CPU counts and masks from
 * sysfs, CPU 1 busy in the idle masks (and its SMT sibling's core with it),
 * the spinner running on CPU 1 and the sleeper not running, an idle pick
 * that really takes the CPU, and a kick that makes an idle CPU dispatch.
 */
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "kfunc_cpus.bpf.skel.h"

#define SPIN_CPU	1

struct ctx {
	struct kfunc_cpus *skel;
	pid_t spinner;
	struct scx_util_pingpong pp;
};

static struct ctx tctx = { .spinner = -1,
			   .pp = { .pid = -1, .to = -1, .from = -1 } };

static int run_prog(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int ret;

	ret = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	return ret ? ret : (int)opts.retval;
}

/* Count the CPUs in a sysfs list such as "0-3" or "0,2-3". */
static int count_cpu_list(const char *path)
{
	char buf[256], *p = buf;
	int n = 0, a, b, len;

	if (scx_util_read_file(path, buf, sizeof(buf)))
		return -1;
	while (sscanf(p, "%d%n", &a, &len) == 1) {
		p += len;
		b = a;
		if (*p == '-' && sscanf(p + 1, "%d%n", &b, &len) == 1)
			p += len + 1;
		n += b - a + 1;
		if (*p != ',')
			break;
		p++;
	}
	return n;
}

static enum scx_test_status setup(void **ctx)
{
	struct kfunc_cpus *skel;

	if (scx_util_nr_cpus() < 4) {
		printf("needs 4 CPUs\n");
		return SCX_TEST_SKIP;
	}
	skel = kfunc_cpus__open();
	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	tctx.skel = skel;
	*ctx = &tctx;
	if (SCX_UTIL_LOAD(skel, kfunc_cpus, kfunc_cpus_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *data)
{
	struct ctx *c = data;
	struct kfunc_cpus__bss *bss = c->skel->bss;
	struct kfunc_cpus__data *dat = c->skel->data;
	struct bpf_link *link;
	int possible, online, cpu;
	u64 before;

	possible = count_cpu_list("/sys/devices/system/cpu/possible");
	online = count_cpu_list("/sys/devices/system/cpu/online");
	link = scx_util_attach(c->skel->maps.kfunc_cpus_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));

	SCX_EQ(scx_util_pin(0, SPIN_CPU), 0);
	c->spinner = scx_util_spawn(scx_util_spin_forever, NULL);
	SCX_EQ(scx_util_pin(0, 0), 0);
	SCX_EQ(scx_util_pingpong_start(&c->pp), 0);

	/* Counts and masks. */
	SCX_EQ(run_prog(c->skel->progs.probe_cpus), 0);
	SCX_EQ(bss->nr_cpu_ids, possible);
	SCX_EQ(bss->nr_possible, possible);
	SCX_EQ(bss->nr_online, online);

	/* The spinner runs on CPU 1, the sleeper does not run. */
	bss->task_pid = c->spinner;
	SCX_ASSERT(SCX_WAIT_FOR(!run_prog(c->skel->progs.probe_task) &&
				bss->task_running, 3000));
	SCX_EQ(bss->task_cpu, SPIN_CPU);
	bss->task_pid = c->pp.pid;
	SCX_EQ(run_prog(c->skel->progs.probe_task), 0);
	SCX_ASSERT(bss->task_found);
	SCX_ASSERT(!bss->task_running);

	/*
	 * CPU 1 is busy: never in the idle mask, and its core (CPUs 0 and 1
	 * are SMT siblings in the test VM) never in the SMT mask, which
	 * holds only cores whose every thread is idle.
	 */
	SCX_EQ(run_prog(c->skel->progs.probe_cpus), 0);
	printf("idle 0x%llx, idle cores 0x%llx\n",
	       (unsigned long long)bss->idle_bits,
	       (unsigned long long)bss->smt_bits);
	SCX_EQ(bss->idle_bits & (1ULL << SPIN_CPU), 0);
	SCX_EQ(bss->smt_bits & (1ULL << SPIN_CPU), 0);
	SCX_EQ(bss->smt_bits & ~bss->idle_bits, 0);

	/*
	 * CPUs 2 and 3 have nothing to run; wait until one shows idle and a
	 * pick from the two finds one (a kworker may have woken on the CPU
	 * between the two probes).
	 */
	bss->pick_from = 0xc;
	SCX_ASSERT(SCX_WAIT_FOR(!run_prog(c->skel->progs.probe_cpus) &&
				(bss->idle_bits & 0xc) &&
				!run_prog(c->skel->progs.probe_pick) &&
				dat->picked_idle >= 0, 3000));
	printf("picked idle %d, then any %d\n", dat->picked_idle,
	       dat->picked_any);
	SCX_ASSERT(dat->picked_idle == 2 || dat->picked_idle == 3);
	/* The pick cleared its idle bit: clearing again finds it clear. */
	SCX_ASSERT(!bss->reclaimed);
	SCX_ASSERT(dat->picked_any == 2 || dat->picked_any == 3);
	/* A mask with only the busy CPU: no idle pick, but any pick works. */
	bss->pick_from = 1ULL << SPIN_CPU;
	SCX_EQ(run_prog(c->skel->progs.probe_pick), 0);
	SCX_ASSERT(dat->picked_idle < 0);
	SCX_EQ(dat->picked_any, SPIN_CPU);

	/* Kicking an idle CPU makes it go through ops.dispatch(). */
	cpu = dat->picked_idle == 3 ? 2 : 3;
	before = bss->nr_dispatch[cpu];
	bss->kick_target = cpu;
	SCX_ASSERT(SCX_WAIT_FOR(!run_prog(c->skel->progs.kick) &&
				bss->nr_dispatch[cpu] > before, 3000));

	scx_util_stop(c->spinner);
	c->spinner = -1;
	scx_util_detach(link);
	SCX_EQ(dat->uei.kind, SCX_EXIT_UNREG);
	return SCX_TEST_PASS;
}

static void cleanup(void *data)
{
	struct ctx *c = data;

	scx_util_stop(c->spinner);
	scx_util_pingpong_stop(&c->pp);
	kfunc_cpus__destroy(c->skel);
}

static struct scx_test kfunc_cpus_test = {
	.name = "kfunc_cpus",
	.description = "CPU, idle-mask, pick and task kfuncs agree with what user space set up; a kick makes an idle CPU dispatch",
	.covers = "kfunc:scx_bpf_nr_cpu_ids kfunc:scx_bpf_get_possible_cpumask kfunc:scx_bpf_get_online_cpumask kfunc:scx_bpf_put_cpumask kfunc:scx_bpf_get_idle_cpumask kfunc:scx_bpf_get_idle_smtmask kfunc:scx_bpf_put_idle_cpumask kfunc:scx_bpf_test_and_clear_cpu_idle kfunc:scx_bpf_pick_idle_cpu kfunc:scx_bpf_pick_any_cpu kfunc:scx_bpf_task_running kfunc:scx_bpf_task_cpu kfunc:scx_bpf_kick_cpu",
	.setup = setup,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&kfunc_cpus_test);
