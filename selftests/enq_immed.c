// SPDX-License-Identifier: GPL-2.0
/*
 * SCX_ENQ_IMMED and SCX_OPS_ALWAYS_ENQ_IMMED (enq_immed.bpf.c says how).
 * A spinner holds busy_cpu with an infinite slice; a ping-pong child is
 * woken NR_ROUNDS times and each time inserted into busy_cpu's local DSQ,
 * under three loads of the same scheduler:
 * - no ops flag, enq_flags 0: the baseline.  The child waits there behind
 *   the spinner (LINGER_MS without running or coming back) until a
 *   SCX_KICK_PREEMPT of busy_cpu lets it run there; no IMMED re-enqueue,
 *   SCX_EV_REENQ_IMMED stays 0.
 * - no ops flag, an explicit SCX_ENQ_IMMED: every insert comes back to
 *   ops.enqueue() once with SCX_ENQ_REENQ and SCX_TASK_REENQ_IMMED, the
 *   event counts each, and the child runs on free_cpu, never on busy_cpu.
 * - SCX_OPS_ALWAYS_ENQ_IMMED (set from user space before load), enq_flags
 *   0: the same as the explicit flag.
 * The second test inserts with SCX_ENQ_IMMED into SCX_DSQ_GLOBAL, which the
 * kernel must fail with SCX_EXIT_ERROR, "SCX_ENQ_IMMED on a non-local DSQ".
 * Whether the kernel has the flags is read from its BTF.
 */
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "enq_immed.bpf.skel.h"

#define HOME_CPU	0	/* the test's own thread */
#define BUSY_CPU	1	/* the spinner's */
#define FREE_CPU	2	/* idle */
#define NR_ROUNDS	8
#define LINGER_MS	100

enum { LOAD_BASE, LOAD_EXPLICIT, LOAD_ALWAYS, NR_LOADS };

static const char *const load_name[NR_LOADS] = {
	[LOAD_BASE]	= "no IMMED",
	[LOAD_EXPLICIT]	= "explicit SCX_ENQ_IMMED",
	[LOAD_ALWAYS]	= "SCX_OPS_ALWAYS_ENQ_IMMED",
};

/* The kernel's values, from its BTF. */
struct kvals {
	u64 ops_always, enq_immed, enq_reenq, dsq_global;
	u64 reason_mask, reason_immed;
};

struct ctx {
	struct enq_immed *skel[NR_LOADS];
	struct scx_util_pingpong pp;
	pid_t spinner;
	struct kvals k;
	/* Per load: events before and after the rounds; rounds that lingered. */
	s64 ev_before[NR_LOADS], ev_after[NR_LOADS];
	int lingered[NR_LOADS];
};

static bool read_kvals(struct kvals *k)
{
	return __COMPAT_read_enum("scx_ops_flags", "SCX_OPS_ALWAYS_ENQ_IMMED",
				  &k->ops_always) &&
	       __COMPAT_read_enum("scx_enq_flags", "SCX_ENQ_IMMED",
				  &k->enq_immed) &&
	       __COMPAT_read_enum("scx_enq_flags", "SCX_ENQ_REENQ",
				  &k->enq_reenq) &&
	       __COMPAT_read_enum("scx_dsq_id_flags", "SCX_DSQ_GLOBAL",
				  &k->dsq_global) &&
	       __COMPAT_read_enum("scx_ent_flags", "SCX_TASK_REENQ_REASON_MASK",
				  &k->reason_mask) &&
	       __COMPAT_read_enum("scx_ent_flags", "SCX_TASK_REENQ_IMMED",
				  &k->reason_immed);
}

static enum scx_test_status setup(void **ctxp)
{
	struct ctx *c;
	struct kvals k = {};
	int cpu;

	if (!read_kvals(&k)) {
		printf("no SCX_OPS_ALWAYS_ENQ_IMMED / SCX_ENQ_IMMED in this kernel (7.x has them)\n");
		return SCX_TEST_SKIP_KERNEL;
	}
	if (scx_util_nr_cpus() <= FREE_CPU) {
		printf("needs CPUs %d to %d\n", HOME_CPU, FREE_CPU);
		return SCX_TEST_SKIP;
	}
	for (cpu = HOME_CPU; cpu <= FREE_CPU; cpu++)
		if (!scx_util_cpu_online(cpu)) {
			printf("needs CPU %d online\n", cpu);
			return SCX_TEST_SKIP;
		}
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->k = k;
	c->pp.pid = c->pp.to = c->pp.from = -1;
	*ctxp = c;
	return SCX_TEST_PASS;
}

static int read_timeout(int fd, unsigned int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char ch;

	if (poll(&pfd, 1, ms) != 1)
		return -ETIMEDOUT;
	return read(fd, &ch, 1) == 1 ? 0 : -EIO;
}

/* Open and load the scheduler with ops flags @flags; T's inserts get @enq. */
static struct enq_immed *open_load(struct ctx *c, u64 flags, u64 enq, bool misuse)
{
	struct enq_immed *skel = enq_immed__open();

	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	skel->struct_ops.enq_immed_ops->flags = flags;
	if (SCX_UTIL_LOAD(skel, enq_immed, enq_immed_ops, uei)) {
		enq_immed__destroy(skel);
		SCX_FAIL("cannot load the BPF object (ops flags 0x%llx)",
			 (unsigned long long)flags);
	}
	skel->bss->busy_pid = c->spinner;
	skel->bss->t_pid = c->pp.pid;
	skel->bss->busy_cpu = BUSY_CPU;
	skel->bss->free_cpu = FREE_CPU;
	skel->bss->t_enq_flags = enq;
	skel->bss->reason_mask = c->k.reason_mask;
	skel->bss->reason_immed = c->k.reason_immed;
	skel->bss->misuse = misuse;
	return skel;
}

/* The test thread on HOME_CPU, the spinner on BUSY_CPU, the child on both others. */
static void start_tasks(struct ctx *c, bool spinner)
{
	cpu_set_t set;

	SCX_EQ(scx_util_pin(0, HOME_CPU), 0);
	if (spinner) {
		c->spinner = scx_util_spawn(scx_util_spin_forever, NULL);
		SCX_ASSERT(c->spinner > 0);
		SCX_EQ(scx_util_pin(c->spinner, BUSY_CPU), 0);
	}
	SCX_EQ(scx_util_pingpong_start(&c->pp), 0);
	CPU_ZERO(&set);
	CPU_SET(BUSY_CPU, &set);
	CPU_SET(FREE_CPU, &set);
	SCX_EQ(scx_util_set_affinity(c->pp.pid, &set), 0);
}

/*
 * One load: NR_ROUNDS wakeups of the child, each once it is asleep.  In the
 * baseline, each round also checks that the child lingers behind the
 * spinner, then kicks the spinner off busy_cpu so that the child runs.
 */
static void run_rounds(struct ctx *c, int l, u64 flags, u64 enq)
{
	struct enq_immed *skel;
	struct enq_immed__bss *b;
	struct bpf_link *link;
	const char *why = NULL;
	bool baseline = l == LOAD_BASE;
	int r = 0, k;

	skel = c->skel[l] = open_load(c, flags, enq, false);
	b = skel->bss;
	link = scx_util_attach(skel->maps.enq_immed_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));

	if (!SCX_WAIT_FOR(b->b_running, 3000)) {
		why = "the spinner never ran on busy_cpu";
		goto out;
	}
	if (scx_util_run_prog(skel->progs.probe) || !b->ev_ok) {
		why = "cannot read SCX_EV_REENQ_IMMED";
		goto out;
	}
	c->ev_before[l] = b->ev_reenq_immed;

	for (r = 0; r < NR_ROUNDS; r++) {
		u64 run_before, insert_before;

		/*
		 * The child asleep, and the spinner back on busy_cpu: after a
		 * kick, the child runs there first, and a wakeup before the
		 * spinner is back would find the CPU free.
		 */
		if (!SCX_WAIT_FOR(!b->t_runnable, 2000)) {
			why = "the child did not go back to sleep";
			goto out;
		}
		if (!SCX_WAIT_FOR(b->b_running, 2000)) {
			why = "the spinner did not get busy_cpu back";
			goto out;
		}
		run_before = b->nr_run_busy + b->nr_run_free + b->nr_run_other;
		insert_before = b->nr_insert_busy;
		if (write(c->pp.to, "p", 1) != 1) {
			why = "cannot wake the child";
			goto out;
		}
		if (baseline) {
			if (!SCX_WAIT_FOR(b->nr_insert_busy > insert_before, 2000)) {
				why = "the child was not inserted into busy_cpu";
				goto out;
			}
			scx_util_sleep_ms(LINGER_MS);
			if (scx_util_run_prog(skel->progs.probe)) {
				why = "the probe failed";
				goto out;
			}
			/* Still there, not run, not handed back. */
			if (b->nr_run_busy + b->nr_run_free + b->nr_run_other ==
			    run_before && b->queued_busy >= 1 &&
			    b->nr_reenq_immed_busy + b->nr_reenq_immed_other +
			    b->nr_reenq_other == 0)
				c->lingered[l]++;
			else
				fprintf(stderr, "# round %d did not linger: runs %llu -> %llu, %d queued on busy_cpu\n",
					r, (unsigned long long)run_before,
					(unsigned long long)(b->nr_run_busy +
					b->nr_run_free + b->nr_run_other),
					b->queued_busy);
			/* A kick while a higher class runs there is dropped. */
			for (k = 0; k < 30; k++) {
				if (scx_util_run_prog(skel->progs.kick_busy)) {
					why = "the kick failed";
					goto out;
				}
				if (!read_timeout(c->pp.from, 100))
					break;
			}
			if (k < 30)
				continue;
		}
		if (read_timeout(c->pp.from, 3000)) {
			why = "the child did not answer";
			goto out;
		}
	}
	if (scx_util_run_prog(skel->progs.probe))
		why = "the probe failed";
	c->ev_after[l] = b->ev_reenq_immed;
out:
	scx_util_detach(link);

	fprintf(stderr, "# %s (ops flags 0x%llx, enq_flags 0x%llx): %d rounds%s%s\n",
		load_name[l], (unsigned long long)flags,
		(unsigned long long)enq, r, why ? ", stopped: " : "",
		why ? why : "");
	fprintf(stderr, "#   wakeups %llu, enqueues %llu; inserts busy %llu, free %llu, global %llu\n",
		(unsigned long long)b->nr_wakeups, (unsigned long long)b->nr_enq,
		(unsigned long long)b->nr_insert_busy,
		(unsigned long long)b->nr_insert_free,
		(unsigned long long)b->nr_insert_global);
	fprintf(stderr, "#   IMMED re-enqueues from busy %llu (last: enq_flags 0x%llx, p->scx.flags 0x%x), from free %llu; other re-enqueues %llu\n",
		(unsigned long long)b->nr_reenq_immed_busy,
		(unsigned long long)b->immed_enq_flags,
		b->immed_task_flags,
		(unsigned long long)b->nr_reenq_immed_other,
		(unsigned long long)b->nr_reenq_other);
	fprintf(stderr, "#   runs on busy %llu, free %llu, other %llu; lingered %d; SCX_EV_REENQ_IMMED %lld -> %lld\n",
		(unsigned long long)b->nr_run_busy,
		(unsigned long long)b->nr_run_free,
		(unsigned long long)b->nr_run_other, c->lingered[l],
		(long long)c->ev_before[l], (long long)c->ev_after[l]);
	fprintf(stderr, "#   spinner: %llu enqueues, %llu runs; held busy_cpu at %llu inserts\n",
		(unsigned long long)b->nr_b_enq, (unsigned long long)b->nr_b_run,
		(unsigned long long)b->nr_held);

	SCX_EQ(skel->data->uei.kind, SCX_EXIT_UNREG);
	if (why)
		SCX_FAIL("%s: %s", load_name[l], why);
	/*
	 * One wakeup per round; every enqueue that is no re-enqueue (the
	 * wakeups, and normally nothing else) went into busy_cpu.  How many
	 * inserts found the spinner itself on the CPU is only reported: a
	 * higher class may hold it for a moment, and the CPU is as busy.
	 */
	SCX_EQ(b->nr_wakeups, NR_ROUNDS);
	SCX_EQ(b->nr_insert_busy, b->nr_enq);
	SCX_GT(b->nr_enq, NR_ROUNDS - 1);
}

/* An IMMED load: each insert into busy_cpu came back once, marked IMMED. */
static void check_immed(struct ctx *c, int l, const char *item)
{
	struct enq_immed__bss *b = c->skel[l]->bss;
	u64 all_immed = b->nr_reenq_immed_busy + b->nr_reenq_immed_other;

	SCX_PROVE_EQ(item, b->nr_reenq_immed_busy, b->nr_insert_busy);
	SCX_PROVE_EQ(item, b->immed_enq_flags & c->k.enq_reenq,
		     c->k.enq_reenq);
	SCX_PROVE_EQ(item, b->immed_task_flags & c->k.reason_mask,
		     c->k.reason_immed);
	/* The kernel counted every IMMED re-enqueue the scheduler saw. */
	SCX_PROVE_EQ("kfunc:scx_bpf_events",
		     c->ev_after[l] - c->ev_before[l], all_immed);
	/* So the child never ran behind the spinner, but beside it. */
	SCX_PROVE_EQ(item, b->nr_run_busy, 0);
	SCX_GT(b->nr_run_free, NR_ROUNDS - 1);
	SCX_EQ(b->nr_run_other, 0);
	/* Nothing else handed it back. */
	SCX_EQ(b->nr_reenq_other, 0);
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct enq_immed__bss *base, *always;

	start_tasks(c, true);

	run_rounds(c, LOAD_BASE, 0, 0);
	run_rounds(c, LOAD_EXPLICIT, 0, c->k.enq_immed);
	run_rounds(c, LOAD_ALWAYS, c->k.ops_always, 0);

	/*
	 * The baseline: every round the child sat behind the spinner, and
	 * nothing sent it back; it ran on busy_cpu once kicked.
	 */
	base = c->skel[LOAD_BASE]->bss;
	SCX_EQ(c->lingered[LOAD_BASE], NR_ROUNDS);
	SCX_EQ(base->nr_reenq_immed_busy + base->nr_reenq_immed_other +
	       base->nr_reenq_other, 0);
	SCX_EQ(c->ev_after[LOAD_BASE] - c->ev_before[LOAD_BASE], 0);
	SCX_GT(base->nr_run_busy, NR_ROUNDS - 1);
	SCX_EQ(base->nr_run_free + base->nr_run_other, 0);

	/* An explicit SCX_ENQ_IMMED turns that into one hand-back per insert. */
	check_immed(c, LOAD_EXPLICIT, NULL);

	/* The ops flag does the same for inserts with enq_flags 0 ... */
	check_immed(c, LOAD_ALWAYS, "flag:ALWAYS_ENQ_IMMED");
	/*
	 * ... and only for local DSQs: every other task went to SCX_DSQ_GLOBAL
	 * with no IMMED added, or the kernel would have failed the scheduler
	 * (run_rounds() checked that it exited SCX_EXIT_UNREG).
	 */
	always = c->skel[LOAD_ALWAYS]->bss;
	SCX_PROVE_EQ("flag:ALWAYS_ENQ_IMMED", base->nr_reenq_immed_busy, 0);
	SCX_PROVE_GT("flag:ALWAYS_ENQ_IMMED", always->nr_reenq_immed_busy,
		     NR_ROUNDS - 1);
	return SCX_TEST_PASS;
}

static enum scx_test_status run_error(void *arg)
{
	struct ctx *c = arg;
	struct enq_immed *skel;
	struct user_exit_info *uei;
	struct bpf_link *link;
	char expect[64];

	start_tasks(c, false);
	skel = c->skel[0] = open_load(c, 0, c->k.enq_immed, true);
	uei = &skel->data->uei;
	link = scx_util_attach(skel->maps.enq_immed_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	/* The wakeup makes the mistake; its answer may never come. */
	if (write(c->pp.to, "p", 1) != 1) {
		scx_util_detach(link);
		SCX_FAIL("cannot wake the child");
	}
	SCX_WAIT_FOR(UEI_EXITED(skel, uei), 5000);
	scx_util_wait_state("disabled", 5000);
	scx_util_detach(link);

	snprintf(expect, sizeof(expect), "SCX_ENQ_IMMED on a non-local DSQ 0x%llx",
		 (unsigned long long)c->k.dsq_global);
	fprintf(stderr, "# exit: kind %d, reason '%s', msg '%s'; %llu misuses\n",
		uei->kind, uei->reason, uei->msg,
		(unsigned long long)skel->bss->nr_misuse);
	SCX_GT(skel->bss->nr_misuse, 0);
	SCX_PROVE_EQ("exit:ERROR", uei->kind, SCX_EXIT_ERROR);
	SCX_ASSERT(!strcmp(uei->reason, "runtime error"));
	SCX_PROVE_MSG("exit:ERROR", strstr(uei->msg, expect),
		      "message '%s' lacks '%s'", uei->msg, expect);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;
	int i;

	if (c->pp.pid > 0)
		scx_util_pingpong_stop(&c->pp);
	if (c->spinner > 0)
		scx_util_stop(c->spinner);
	for (i = 0; i < NR_LOADS; i++)
		enq_immed__destroy(c->skel[i]);
	free(c);
}

static struct scx_test enq_immed_test = {
	.name		= "enq_immed",
	.description	= "7.x: an insert into a busy CPU's local DSQ comes back to ops.enqueue() as an IMMED re-enqueue with SCX_ENQ_IMMED, and with SCX_OPS_ALWAYS_ENQ_IMMED without it; otherwise it waits",
	.covers		= "flag:ALWAYS_ENQ_IMMED kfunc:scx_bpf_events",
	.timeout	= 60,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&enq_immed_test)

static struct scx_test enq_immed_error_test = {
	.name		= "enq_immed_error",
	.description	= "7.x: SCX_ENQ_IMMED on an insert into a non-local DSQ is SCX_EXIT_ERROR",
	.covers		= "exit:ERROR",
	.timeout	= 30,
	.setup		= setup,
	.run		= run_error,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&enq_immed_error_test)
