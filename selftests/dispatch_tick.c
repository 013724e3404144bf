// SPDX-License-Identifier: GPL-2.0
/*
 * Pin two spinners to CPU 1 for half a second and check what ops.dispatch()
 * and ops.tick() saw: dispatch with a still-queued prev on the spinners'
 * CPU, dispatch_max_batch free slots on entry, one fewer after an insert and
 * all again after scx_bpf_dispatch_cancel(); ticks for the running spinner
 * on its CPU; and the shared DSQ holding the spinner that waits.
 */
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "dispatch_tick.bpf.skel.h"

#define MAX_BATCH	4
#define SPIN_CPU	1

struct ctx {
	struct dispatch_tick *skel;
	pid_t pid[2];
};

static struct ctx tctx;

static enum scx_test_status setup(void **ctx)
{
	struct dispatch_tick *skel;

	if (scx_util_nr_cpus() < 2) {
		printf("needs 2 CPUs\n");
		return SCX_TEST_SKIP;
	}
	skel = dispatch_tick__open();
	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	tctx.skel = skel;
	*ctx = &tctx;
	SCX_EQ(skel->struct_ops.dispatch_tick_ops->dispatch_max_batch,
	       MAX_BATCH);
	skel->rodata->max_batch = MAX_BATCH;
	if (SCX_UTIL_LOAD(skel, dispatch_tick, dispatch_tick_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *data)
{
	struct ctx *c = data;
	struct dispatch_tick__bss *bss = c->skel->bss;
	struct bpf_link *link;
	int i;

	link = scx_util_attach(c->skel->maps.dispatch_tick_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	/* Spinners are forked by a pinned parent, so start out pinned. */
	SCX_EQ(scx_util_pin(0, SPIN_CPU), 0);
	bss->target_cpu = SPIN_CPU;
	for (i = 0; i < 2; i++)
		c->pid[i] = scx_util_spawn(scx_util_spin_forever, NULL);
	SCX_EQ(scx_util_pin(0, 0), 0);
	/* Child processes have their own tgid; watch the first one. */
	bss->target = c->pid[0];

	/*
	 * The spinners were born pinned to SPIN_CPU, so no select_cpu placed
	 * them: ops.enqueue() put them in the shared DSQ, and only
	 * scx_bpf_dsq_move_to_local() could take the one we watch to its CPU
	 * to run, be prev and tick.
	 */
	SCX_PROVE("kfunc:scx_bpf_dsq_move_to_local",
		  SCX_WAIT_FOR(bss->nr_prev_target >= 10 &&
			       bss->nr_tick_target >= 10, 5000));
	bss->target = 0;
	for (i = 0; i < 2; i++)
		scx_util_stop(c->pid[i]);
	scx_util_detach(link);

	printf("dispatch %llu, with the spinner as prev %llu, its ticks %llu, most queued %d\n", (unsigned long long)bss->nr_dispatch,
	       (unsigned long long)bss->nr_prev_target,
	       (unsigned long long)bss->nr_tick_target, bss->max_queued);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_EQ(bss->nr_bad_cpu_arg, 0);
	SCX_PROVE_EQ("field:dispatch_max_batch kfunc:scx_bpf_dispatch_nr_slots",
		     bss->nr_bad_slots, 0);
	SCX_PROVE_EQ("ops:dispatch", bss->nr_prev_wrong_cpu, 0);
	SCX_EQ(bss->nr_prev_not_queued, 0);
	SCX_EQ(bss->nr_slot_taken, bss->nr_prev_target);
	SCX_PROVE_EQ("kfunc:scx_bpf_dispatch_cancel", bss->nr_slot_returned,
		     bss->nr_prev_target);
	SCX_PROVE_EQ("ops:tick", bss->nr_tick_not_current, 0);
	SCX_EQ(bss->nr_tick_wrong_cpu, 0);
	/* One spinner waits in the shared DSQ while the other runs. */
	SCX_PROVE_GT("kfunc:scx_bpf_dsq_nr_queued", bss->max_queued, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *data)
{
	struct ctx *c = data;

	dispatch_tick__destroy(c->skel);
}

static struct scx_test dispatch_tick_test = {
	.name = "dispatch_tick",
	.description = "ops.dispatch gets the CPU and a still-queued prev whose slice ran out, with dispatch_max_batch slots; ops.tick runs for the current task on its CPU",
	.covers = "ops:dispatch ops:tick field:dispatch_max_batch kfunc:scx_bpf_dispatch_nr_slots kfunc:scx_bpf_dispatch_cancel kfunc:scx_bpf_dsq_move_to_local kfunc:scx_bpf_dsq_nr_queued",
	.setup = setup,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&dispatch_tick_test);
