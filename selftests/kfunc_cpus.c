// SPDX-License-Identifier: GPL-2.0
/*
 * With CPU 3 offline, a spinner pinned to CPU 1 and a sleeper, check what
 * the CPU and task kfuncs say against what user space knows: CPU counts and
 * masks from sysfs (CPU 3 possible but not online), CPU 1 busy in the idle
 * masks (and its SMT sibling's core with it) and CPU 2 idle in both, the
 * spinner running on CPU 1 and the sleeper not running, an idle pick that
 * really takes the CPU, clearing an idle CPU's bit once but not twice, an
 * any-CPU pick that prefers the idle CPU, and kicks that make an idle CPU
 * dispatch where it does not without them.
 */
#include <signal.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "kfunc_cpus.bpf.skel.h"

#define SPIN_CPU	1
#define IDLE_CPU	2
#define OFF_CPU		3
/* Picks from a busy and an idle CPU to judge; kick rounds and their wait. */
#define ANY_PICKS	5
#define IDLE_PROBES	20
#define KICK_ROUNDS	10
#define KICK_WAIT_MS	50

struct ctx {
	struct kfunc_cpus *skel;
	pid_t spinner;
	struct scx_util_pingpong pp;
	bool offlined;
};

static struct ctx tctx = { .spinner = -1,
			   .pp = { .pid = -1, .to = -1, .from = -1 } };

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

/*
 * Kick @cpu (or not, for the baseline) @rounds times; count the rounds in
 * which it went through ops.dispatch() within KICK_WAIT_MS.
 */
static int kick_rounds(struct ctx *c, int cpu, bool do_kick, int rounds)
{
	struct kfunc_cpus__bss *bss = c->skel->bss;
	int i, hits = 0;
	u64 before;

	bss->kick_target = cpu;
	for (i = 0; i < rounds; i++) {
		before = bss->nr_dispatch[cpu];
		if (do_kick)
			SCX_EQ(scx_util_run_prog(c->skel->progs.kick), 0);
		if (SCX_WAIT_FOR(bss->nr_dispatch[cpu] > before, KICK_WAIT_MS))
			hits++;
		/* Let a late dispatch land before the next round. */
		scx_util_sleep_ms(2);
	}
	return hits;
}

static enum scx_test_status run(void *data)
{
	struct ctx *c = data;
	struct kfunc_cpus__bss *bss = c->skel->bss;
	struct kfunc_cpus__data *dat = c->skel->data;
	struct bpf_link *link;
	int possible, online, hits, base, i, spin_idle = 0, idle_core = 0;
	u64 went_idle;
	bool ok;

	/*
	 * Offline a CPU before the attach (6.12 unloads a scheduler without
	 * ops.cpu_offline() when one goes), so that online and possible
	 * differ.
	 */
	if (scx_util_set_cpu_online(OFF_CPU, false)) {
		printf("cannot offline CPU %d\n", OFF_CPU);
		return SCX_TEST_SKIP;
	}
	c->offlined = true;
	possible = count_cpu_list("/sys/devices/system/cpu/possible");
	online = count_cpu_list("/sys/devices/system/cpu/online");
	SCX_EQ(online, possible - 1);
	link = scx_util_attach(c->skel->maps.kfunc_cpus_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));

	SCX_EQ(scx_util_pin(0, SPIN_CPU), 0);
	c->spinner = scx_util_spawn(scx_util_spin_forever, NULL);
	SCX_EQ(scx_util_pin(0, 0), 0);
	SCX_ASSERT(c->spinner > 0);
	/*
	 * 6.12 marks every online CPU idle at enable, busy or not, and only
	 * a CPU's next idle-to-busy switch corrects it.  Stop the spinner
	 * until CPU 1 has gone idle under us, so that the spinner's return
	 * is such a switch.
	 */
	went_idle = bss->nr_went_idle[SPIN_CPU];
	SCX_EQ(kill(c->spinner, SIGSTOP), 0);
	ok = SCX_WAIT_FOR(bss->nr_went_idle[SPIN_CPU] > went_idle, 3000);
	SCX_EQ(kill(c->spinner, SIGCONT), 0);
	if (!ok)
		SCX_FAIL("CPU %d never went idle with the spinner stopped",
			 SPIN_CPU);
	SCX_EQ(scx_util_pingpong_start(&c->pp), 0);

	/* Counts and masks: the offline CPU is possible, not online. */
	SCX_EQ(scx_util_run_prog(c->skel->progs.probe_cpus), 0);
	printf("possible 0x%llx, online 0x%llx\n",
	       (unsigned long long)bss->possible_bits,
	       (unsigned long long)bss->online_bits);
	SCX_PROVE_EQ("kfunc:scx_bpf_nr_cpu_ids", bss->nr_cpu_ids, possible);
	SCX_PROVE_EQ("kfunc:scx_bpf_get_possible_cpumask", bss->nr_possible,
		     possible);
	SCX_PROVE_EQ("kfunc:scx_bpf_get_online_cpumask", bss->nr_online, online);
	SCX_ASSERT(bss->possible_bits & (1ULL << OFF_CPU));
	SCX_EQ(bss->online_bits & (1ULL << OFF_CPU), 0);
	SCX_EQ(bss->online_bits & ~bss->possible_bits, 0);

	/* The spinner runs on CPU 1, the sleeper does not run. */
	bss->task_pid = c->spinner;
	SCX_ASSERT(SCX_WAIT_FOR(!scx_util_run_prog(c->skel->progs.probe_task) &&
				bss->task_running, 3000));
	SCX_PROVE_EQ("kfunc:scx_bpf_task_cpu", bss->task_cpu, SPIN_CPU);
	bss->task_pid = c->pp.pid;
	SCX_EQ(scx_util_run_prog(c->skel->progs.probe_task), 0);
	SCX_ASSERT(bss->task_found);
	SCX_PROVE("kfunc:scx_bpf_task_running", !bss->task_running);

	/*
	 * CPU 1 is busy: never in the idle mask, and its core (CPUs 0 and 1
	 * are SMT siblings in the test VM) never in the SMT mask, which
	 * holds only cores whose every thread is idle.  CPU 2, alone in its
	 * core with CPU 3 offline and with nothing to run, must show up in
	 * both most of the time: an empty SMT mask proves nothing.
	 */
	for (i = 0; i < IDLE_PROBES; i++) {
		SCX_EQ(scx_util_run_prog(c->skel->progs.probe_cpus), 0);
		SCX_EQ(bss->smt_bits & (1ULL << SPIN_CPU), 0);
		SCX_EQ(bss->smt_bits & ~bss->idle_bits, 0);
		SCX_EQ(bss->idle_bits & (1ULL << OFF_CPU), 0);
		if (bss->idle_bits & (1ULL << SPIN_CPU))
			spin_idle++;
		if (bss->smt_bits & (1ULL << IDLE_CPU))
			idle_core++;
		scx_util_sleep_ms(2);
	}
	printf("idle 0x%llx, idle cores 0x%llx; in %d probes CPU %d idle %d times, CPU %d an idle core %d times\n",
	       (unsigned long long)bss->idle_bits,
	       (unsigned long long)bss->smt_bits, IDLE_PROBES, SPIN_CPU,
	       spin_idle, IDLE_CPU, idle_core);
	/*
	 * A snapshot can catch the spinner's CPU between two tasks; it must
	 * be busy in most.
	 */
	SCX_PROVE("kfunc:scx_bpf_get_idle_cpumask", spin_idle <= IDLE_PROBES / 4);
	SCX_PROVE("kfunc:scx_bpf_get_idle_smtmask", idle_core >= IDLE_PROBES / 2);

	/*
	 * CPUs 2 and 3 have nothing to run, and 3 is offline; wait until 2
	 * shows idle and a pick from the two finds it (a kworker may have
	 * woken on the CPU between the two probes).
	 */
	bss->pick_from = (1ULL << IDLE_CPU) | (1ULL << OFF_CPU);
	SCX_ASSERT(SCX_WAIT_FOR(!scx_util_run_prog(c->skel->progs.probe_cpus) &&
				(bss->idle_bits & (1ULL << IDLE_CPU)) &&
				!scx_util_run_prog(c->skel->progs.probe_pick) &&
				dat->picked_idle >= 0, 3000));
	printf("picked idle %d, then any %d\n", dat->picked_idle,
	       dat->picked_any);
	SCX_PROVE_EQ("kfunc:scx_bpf_pick_idle_cpu", dat->picked_idle, IDLE_CPU);
	/* The pick cleared its idle bit: clearing again finds it clear. */
	SCX_ASSERT(!bss->reclaimed);
	SCX_ASSERT(dat->picked_any == IDLE_CPU || dat->picked_any == OFF_CPU);
	/* A mask with only the busy CPU: no idle pick, but any pick works. */
	bss->pick_from = 1ULL << SPIN_CPU;
	SCX_EQ(scx_util_run_prog(c->skel->progs.probe_pick), 0);
	SCX_ASSERT(dat->picked_idle < 0);
	SCX_EQ(dat->picked_any, SPIN_CPU);

	/*
	 * A kick sends CPU 2 through the scheduler and back to idle, which
	 * marks it idle again; then clearing its bit must succeed once, and
	 * only once.
	 */
	bss->kick_target = IDLE_CPU;
	bss->claim_cpu = IDLE_CPU;
	SCX_ASSERT(SCX_WAIT_FOR(!scx_util_run_prog(c->skel->progs.kick) &&
				!scx_util_run_prog(c->skel->progs.claim) &&
				bss->claimed_first, 3000));
	SCX_PROVE("kfunc:scx_bpf_test_and_clear_cpu_idle", !bss->claimed_again);

	/*
	 * Any pick from the busy CPU 1 and the idle CPU 2 must prefer 2,
	 * every time 2 was idle just before.
	 */
	bss->any_busy_cpu = SPIN_CPU;
	bss->any_idle_cpu = IDLE_CPU;
	for (i = 0; i < 200 && bss->nr_any_idle < ANY_PICKS; i++) {
		SCX_EQ(scx_util_run_prog(c->skel->progs.kick), 0);
		scx_util_sleep_ms(5);
		SCX_EQ(scx_util_run_prog(c->skel->progs.probe_any), 0);
	}
	printf("any pick from {%d, %d}: %llu with %d idle, %llu chose it\n",
	       SPIN_CPU, IDLE_CPU, (unsigned long long)bss->nr_any_idle,
	       IDLE_CPU, (unsigned long long)bss->nr_any_chose_idle);
	SCX_ASSERT(bss->nr_any_idle >= ANY_PICKS);
	SCX_PROVE_EQ("kfunc:scx_bpf_pick_any_cpu", bss->nr_any_chose_idle,
		     bss->nr_any_idle);

	/* Kicking an idle CPU makes it go through ops.dispatch(); idling not. */
	base = kick_rounds(c, IDLE_CPU, false, KICK_ROUNDS);
	hits = kick_rounds(c, IDLE_CPU, true, KICK_ROUNDS);
	printf("CPU %d dispatched in %d of %d rounds unkicked, %d of %d kicked\n",
	       IDLE_CPU, base, KICK_ROUNDS, hits, KICK_ROUNDS);
	SCX_PROVE("kfunc:scx_bpf_kick_cpu", hits >= KICK_ROUNDS - 2);
	SCX_ASSERT(base <= KICK_ROUNDS / 2);

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
	if (c->offlined)
		scx_util_set_cpu_online(OFF_CPU, true);
}

static struct scx_test kfunc_cpus_test = {
	.name = "kfunc_cpus",
	.description = "CPU, idle-mask, pick and task kfuncs agree with what user space set up (an offline CPU, a busy and an idle one); kicks make an idle CPU dispatch",
	.covers = "kfunc:scx_bpf_nr_cpu_ids kfunc:scx_bpf_get_possible_cpumask kfunc:scx_bpf_get_online_cpumask kfunc:scx_bpf_put_cpumask kfunc:scx_bpf_get_idle_cpumask kfunc:scx_bpf_get_idle_smtmask kfunc:scx_bpf_put_idle_cpumask kfunc:scx_bpf_test_and_clear_cpu_idle kfunc:scx_bpf_pick_idle_cpu kfunc:scx_bpf_pick_any_cpu kfunc:scx_bpf_task_running kfunc:scx_bpf_task_cpu kfunc:scx_bpf_kick_cpu",
	.setup = setup,
	.run = run,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&kfunc_cpus_test);
