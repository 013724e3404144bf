// SPDX-License-Identifier: GPL-2.0
/*
 * Run a spinner pinned to CPU 2 and check that ops.update_idle() reported
 * CPU 2 busy while it spun and idle once it was killed, that reports
 * alternate on every CPU, and that they come from the CPU itself.  Twice:
 * without SCX_OPS_KEEP_BUILTIN_IDLE, where the callback alone tracks idle
 * CPUs, and with it, where the kernel's idle mask must agree with our
 * reports and scx_bpf_select_cpu_dfl() must still find idle CPUs.
 */
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "update_idle.bpf.skel.h"

#define SPIN_CPU	2

enum { ST_UNKNOWN, ST_IDLE, ST_BUSY };

static enum scx_test_status do_setup(void **ctx, bool keep)
{
	struct update_idle *skel;

	if (scx_util_nr_cpus() < 3) {
		printf("needs 3 CPUs\n");
		return SCX_TEST_SKIP;
	}
	skel = update_idle__open();
	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	*ctx = skel;
	skel->rodata->keep_idle = keep;
	if (keep)
		skel->struct_ops.update_idle_ops->flags =
			SCX_OPS_KEEP_BUILTIN_IDLE;
	if (SCX_UTIL_LOAD(skel, update_idle, update_idle_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status setup(void **ctx)
{
	return do_setup(ctx, false);
}

static enum scx_test_status setup_keep(void **ctx)
{
	return do_setup(ctx, true);
}

static enum scx_test_status run(void *ctx)
{
	struct update_idle *skel = ctx;
	struct update_idle__bss *bss = skel->bss;
	bool keep = skel->rodata->keep_idle;
	struct bpf_link *link;
	u64 busy0, idle0;
	pid_t pid;

	link = scx_util_attach(skel->maps.update_idle_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	bss->recording = true;
	SCX_EQ(scx_util_pin(0, 0), 0);
	busy0 = bss->nr_busy[SPIN_CPU];
	idle0 = bss->nr_idle[SPIN_CPU];

	SCX_EQ(scx_util_pin(0, SPIN_CPU), 0);
	pid = scx_util_spawn(scx_util_spin_forever, NULL);
	SCX_EQ(scx_util_pin(0, 0), 0);
	SCX_ASSERT(SCX_WAIT_FOR(bss->cpu_state[SPIN_CPU] == ST_BUSY, 3000));
	SCX_GT(bss->nr_busy[SPIN_CPU], busy0);
	/* While it spins, CPU 2 has no reason to go idle. */
	scx_util_sleep_ms(100);
	SCX_EQ(bss->cpu_state[SPIN_CPU], ST_BUSY);
	scx_util_stop(pid);
	SCX_ASSERT(SCX_WAIT_FOR(bss->cpu_state[SPIN_CPU] == ST_IDLE, 3000));
	SCX_GT(bss->nr_idle[SPIN_CPU], idle0);
	bss->recording = false;
	scx_util_detach(link);

	printf("CPU %d: %llu busy, %llu idle; idle mask checked %llu times, select_cpu found idle %llu times\n", SPIN_CPU,
	       (unsigned long long)bss->nr_busy[SPIN_CPU],
	       (unsigned long long)bss->nr_idle[SPIN_CPU],
	       (unsigned long long)bss->nr_mask_checked,
	       (unsigned long long)bss->nr_select_idle);
	SCX_EQ(skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_EQ(bss->nr_repeat, 0);
	SCX_EQ(bss->nr_bad_cpu, 0);
	if (keep) {
		SCX_GT(bss->nr_mask_checked, 0);
		SCX_EQ(bss->nr_mask_disagree, 0);
		SCX_GT(bss->nr_select_idle, 0);
	}
	return SCX_TEST_PASS;
}

static void cleanup(void *ctx)
{
	update_idle__destroy(ctx);
}

static struct scx_test update_idle_test = {
	.name = "update_idle",
	.description = "ops.update_idle reports a CPU busy while a pinned spinner runs and idle after, alternating, on that CPU",
	.covers = "ops:update_idle",
	.setup = setup,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&update_idle_test);

static struct scx_test update_idle_keep_test = {
	.name = "update_idle_keep",
	.description = "with SCX_OPS_KEEP_BUILTIN_IDLE, ops.update_idle and the built-in idle cpumask agree, and scx_bpf_select_cpu_dfl still finds idle CPUs",
	.covers = "ops:update_idle flag:KEEP_BUILTIN_IDLE field:flags kfunc:scx_bpf_get_idle_cpumask kfunc:scx_bpf_put_idle_cpumask",
	.setup = setup_keep,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&update_idle_keep_test);
