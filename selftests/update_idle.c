// SPDX-License-Identifier: GPL-2.0
/*
 * Run a spinner pinned to CPU 2 and check that ops.update_idle() reported
 * CPU 2 busy while it spun and idle once it was killed, that reports
 * alternate on every CPU, and that they come from the CPU itself.  Twice:
 * without SCX_OPS_KEEP_BUILTIN_IDLE, where the callback alone tracks idle
 * CPUs, and with it, where the kernel's idle mask must agree with our
 * reports and scx_bpf_select_cpu_dfl() must still find idle CPUs.
 *
 * How the mask agrees depends on when the kernel calls ops.update_idle().
 * 6.12 calls it before it updates the mask, and a CPU leaves the mask when
 * it goes busy or an idle pick claims it, so a CPU going idle after a busy
 * report is not in it yet.  (Before its first busy report it may be: at
 * enable, 6.12's reset_idle_masks() marks every online CPU idle, busy or
 * not.)  7.3 calls it after, so that ops.enqueue() and ops.update_idle()
 * can interlock (__scx_update_idle() in kernel/sched/ext/idle.c): a CPU
 * going busy is no longer in the mask, and one going idle is, unless a
 * waker on another CPU claimed it in between.  The order leaves no trace
 * in BTF; we tell the two apart by a kfunc of the same built-in idle code
 * that 6.12 lacks and 7.3 has, scx_bpf_get_idle_cpumask_node().
 */
#include <stdlib.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "update_idle.bpf.skel.h"

#define SPIN_CPU	2

enum { ST_UNKNOWN, ST_IDLE, ST_BUSY };

/* Does the kernel update the built-in idle mask before ops.update_idle()? */
static bool notified_after_mask(void)
{
	return __COMPAT_has_ksym("scx_bpf_get_idle_cpumask_node");
}

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

/* Run on CPU 2 for a moment and leave it; is it then reported idle? */
static bool visit_spin_cpu(struct update_idle__bss *bss)
{
	SCX_EQ(scx_util_pin(0, SPIN_CPU), 0);
	SCX_EQ(scx_util_pin(0, 0), 0);
	return SCX_WAIT_FOR(bss->cpu_state[SPIN_CPU] == ST_IDLE, 50);
}

static enum scx_test_status run(void *ctx)
{
	struct update_idle *skel = ctx;
	struct update_idle__bss *bss = skel->bss;
	bool keep = skel->rodata->keep_idle;
	struct bpf_link *link;
	u64 busy0, idle0, idle_mid;
	long long spun;
	pid_t pid;

	link = scx_util_attach(skel->maps.update_idle_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	bss->recording = true;
	/*
	 * Only transitions are reported, and CPU 2 may have been busy since
	 * before we began to record: visit it until we have seen it go idle,
	 * so that the spinner's start is a transition we see.
	 */
	if (!SCX_WAIT_FOR(visit_spin_cpu(bss), 3000))
		SCX_FAIL("CPU %d not reported idle after our visits",
			 SPIN_CPU);
	busy0 = bss->nr_busy[SPIN_CPU];
	idle0 = bss->nr_idle[SPIN_CPU];

	SCX_EQ(scx_util_pin(0, SPIN_CPU), 0);
	pid = scx_util_spawn(scx_util_spin_forever, NULL);
	SCX_EQ(scx_util_pin(0, 0), 0);
	if (!SCX_WAIT_FOR(bss->cpu_state[SPIN_CPU] == ST_BUSY, 3000))
		SCX_FAIL("CPU %d not reported busy: state %u, %llu busy and %llu idle reports (%llu and %llu before)",
			 SPIN_CPU, bss->cpu_state[SPIN_CPU],
			 (unsigned long long)bss->nr_busy[SPIN_CPU],
			 (unsigned long long)bss->nr_idle[SPIN_CPU],
			 (unsigned long long)busy0, (unsigned long long)idle0);
	SCX_GT(bss->nr_busy[SPIN_CPU], busy0);
	/*
	 * While it spins, CPU 2 has no reason to go idle: no idle report
	 * while the spinner gets another 50 ms of CPU.
	 */
	idle_mid = bss->nr_idle[SPIN_CPU];
	spun = scx_util_cpu_ns(pid);
	SCX_ASSERT(spun >= 0);
	SCX_ASSERT(SCX_WAIT_FOR(scx_util_cpu_ns(pid) - spun >= 50 * 1000000LL, 3000));
	SCX_EQ(bss->cpu_state[SPIN_CPU], ST_BUSY);
	SCX_PROVE_EQ("ops:update_idle", bss->nr_idle[SPIN_CPU], idle_mid);
	scx_util_stop(pid);
	SCX_ASSERT(SCX_WAIT_FOR(bss->cpu_state[SPIN_CPU] == ST_IDLE, 3000));
	SCX_GT(bss->nr_idle[SPIN_CPU], idle0);
	bss->recording = false;
	scx_util_detach(link);

	printf("CPU %d: %llu busy, %llu idle; select_cpu found idle %llu times\n",
	       SPIN_CPU, (unsigned long long)bss->nr_busy[SPIN_CPU],
	       (unsigned long long)bss->nr_idle[SPIN_CPU],
	       (unsigned long long)bss->nr_select_idle);
	if (keep)
		printf("update_idle %s the mask: in it at %llu of %llu idle and %llu of %llu busy reports\n",
		       notified_after_mask() ? "after" : "before",
		       (unsigned long long)bss->nr_idle_in_mask,
		       (unsigned long long)bss->nr_idle_checked,
		       (unsigned long long)bss->nr_busy_in_mask,
		       (unsigned long long)bss->nr_busy_checked);
	SCX_EQ(skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_EQ(bss->nr_repeat, 0);
	SCX_EQ(bss->nr_bad_cpu, 0);
	if (!keep)
		return SCX_TEST_PASS;
	SCX_PROVE_GT("flag:KEEP_BUILTIN_IDLE field:flags", bss->nr_select_idle, 0);
	if (notified_after_mask()) {
		SCX_GT(bss->nr_busy_checked, 0);
		SCX_PROVE_EQ("kfunc:scx_bpf_get_idle_cpumask",
			     bss->nr_busy_in_mask, 0);
		SCX_GT(bss->nr_idle_in_mask, 0);
	} else {
		SCX_GT(bss->nr_idle_checked, 0);
		SCX_EQ(bss->nr_idle_in_mask, 0);
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
