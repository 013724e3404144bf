// SPDX-License-Identifier: GPL-2.0
/*
 * An RT task takes a CPU from two of our spinners: the scheduler must hear
 * ops.cpu_release() for that CPU naming the RT task and SCX_CPU_PREEMPT_RT,
 * get the preempted spinner back through scx_bpf_reenqueue_local(), and
 * then hear ops.cpu_acquire() once the RT task is gone.
 */
#include <sched.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "cpu_preempt.bpf.skel.h"

#define CPU		1

struct ctx {
	struct cpu_preempt *skel;
	pid_t spin[2];
	int go[2];
};

/*
 * Become SCHED_FIFO on CPU, then, each time we are told, hog the CPU for
 * 50 ms: the wakeup preempts whichever spinner runs there.  Ends when the
 * pipe closes.
 */
static int rt_task(void *arg)
{
	struct sched_param sp = { .sched_priority = 10 };
	struct ctx *c = arg;
	char b;

	close(c->go[1]);
	if (scx_util_pin(0, CPU) || sched_setscheduler(0, SCHED_FIFO, &sp))
		return 3;
	while (read(c->go[0], &b, 1) == 1)
		scx_util_busy_ms(50);
	return 0;
}

/* Is @pid asleep (state S), i.e. the RT task waiting for its cue? */
static bool sleeping(pid_t pid)
{
	char path[64], buf[256], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (scx_util_read_file(path, buf, sizeof(buf)) < 0)
		return false;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c;

	if (scx_util_nr_cpus() <= CPU)
		return SCX_TEST_SKIP;
	c = calloc(1, sizeof(*c));
	if (!c || pipe(c->go))
		return SCX_TEST_FAIL;
	c->skel = cpu_preempt__open();
	if (!c->skel || SCX_UTIL_LOAD(c->skel, cpu_preempt, cpu_preempt_ops,
				      uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		cpu_preempt__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct cpu_preempt__bss *bss = c->skel->bss;
	struct bpf_link *link;
	pid_t rt;
	int i, st;

	link = scx_util_attach(c->skel->maps.cpu_preempt_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));

	for (i = 0; i < 2; i++) {
		c->spin[i] = scx_util_spawn(scx_util_spin_forever, NULL);
		SCX_ASSERT(c->spin[i] > 0 && !scx_util_pin(c->spin[i], CPU));
	}
	rt = scx_util_spawn(rt_task, c);
	SCX_ASSERT(rt > 0);
	bss->rt_pid = rt;
	/*
	 * A stop-class task (a migration, say) may hold CPU 1 at the moment
	 * the RT task wakes; the CPU is then released to it, not to the RT
	 * task.  So cue the RT task again, up to five times, until a release
	 * names it.
	 */
	for (i = 0; i < 5 && !bss->rt_acquire_seq; i++) {
		SCX_ASSERT(SCX_WAIT_FOR(sleeping(rt), 3000));
		SCX_ASSERT(write(c->go[1], "g", 1) == 1);
		SCX_WAIT_FOR(bss->rt_acquire_seq, 1000);
	}
	/*
	 * The spinners forked after attach and hold the link too, and the
	 * write end of the pipe: stop them before the RT task can see EOF.
	 */
	scx_util_stop(c->spin[0]);
	scx_util_stop(c->spin[1]);
	c->spin[0] = c->spin[1] = 0;
	close(c->go[1]);
	c->go[1] = -1;
	st = scx_util_wait(rt, 10000);
	scx_util_detach(link);

	fprintf(stderr, "# release %llu acquire %llu unpaired %llu; rt: cpu %d reason %d seq %llu/%llu; reenq %llu enq_reenq %llu\n",
		(unsigned long long)bss->nr_release,
		(unsigned long long)bss->nr_acquire,
		(unsigned long long)bss->nr_unpaired,
		c->skel->data->rt_release_cpu, c->skel->data->rt_release_reason,
		(unsigned long long)bss->rt_release_seq,
		(unsigned long long)bss->rt_acquire_seq,
		(unsigned long long)bss->nr_reenq_tasks,
		(unsigned long long)bss->nr_enq_reenq);
	SCX_EQ(st, 0);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_GT(bss->rt_release_seq, 0);
	SCX_EQ(c->skel->data->rt_release_cpu, CPU);
	SCX_PROVE_EQ("ops:cpu_release", c->skel->data->rt_release_reason,
		     0 /* SCX_CPU_PREEMPT_RT */);
	/* The same CPU came back, after the release. */
	SCX_PROVE_GT("ops:cpu_acquire", bss->rt_acquire_seq,
		     bss->rt_release_seq);
	SCX_EQ(bss->nr_unpaired, 0);
	SCX_GT(bss->nr_reenq_tasks, 0);
	/* What it handed back came again through ops.enqueue(). */
	SCX_PROVE_GT("kfunc:scx_bpf_reenqueue_local", bss->nr_enq_reenq, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	scx_util_stop(c->spin[0]);
	scx_util_stop(c->spin[1]);
	close(c->go[0]);
	if (c->go[1] >= 0)
		close(c->go[1]);
	cpu_preempt__destroy(c->skel);
	free(c);
}

static struct scx_test cpu_preempt_test = {
	.name		= "cpu_preempt",
	.description	= "cpu_release()/cpu_acquire() around an RT task; reenqueue_local",
	.covers		= "ops:cpu_release ops:cpu_acquire kfunc:scx_bpf_reenqueue_local",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&cpu_preempt_test)
