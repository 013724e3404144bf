// SPDX-License-Identifier: GPL-2.0
/*
 * scx_bpf_dsq_reenq() on a user DSQ (dsq_reenq.bpf.c says how): four
 * spinners are parked in a DSQ no CPU serves, one call re-enqueues them,
 * and each must come back through ops.enqueue() exactly once, marked as a
 * kfunc re-enqueue, before it ran, leaving the DSQ empty.  The second
 * test answers every re-enqueue with another one until the kernel ejects
 * the scheduler with SCX_EXIT_ERROR_REENQ.  The third runs a syscall BPF
 * program, migration-disabled, past its slice on a CPU shared with a
 * spinner, under a scheduler without and then with
 * SCX_OPS_ENQ_MIGRATION_DISABLED: only the second sees it in ops.enqueue()
 * when the kernel puts it back.  The fourth wakes a child on an idle CPU
 * from another CPU without and with SCX_OPS_ALLOW_QUEUED_WAKEUP: only with
 * it does ops.enqueue() run on the wakee's CPU, from the wake list.
 */
#include <stdlib.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "dsq_reenq.bpf.skel.h"

#define NR_PARKED	4
/* SCX_REENQ_MAX_REPEAT in 7.x's kernel/sched/ext/types.h */
#define REENQ_MAX_REPEAT	256
#define HOLD_CPU	1
#define WAKER_CPU	1
#define WAKEE_CPU	3
#define NR_ROUNDS	20

struct ctx {
	struct dsq_reenq *skel;
	pid_t pid[NR_PARKED];
};

static enum scx_test_status setup(void **ctxp)
{
	struct ctx *c;

	if (!__COMPAT_has_ksym("scx_bpf_dsq_reenq")) {
		printf("no scx_bpf_dsq_reenq() in this kernel (7.x has it)\n");
		return SCX_TEST_SKIP_KERNEL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	*ctxp = c;
	c->skel = dsq_reenq__open();
	if (!c->skel)
		SCX_FAIL("cannot open the BPF object");
	if (SCX_UTIL_LOAD(c->skel, dsq_reenq, dsq_reenq_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

/* How many tasks PARK_DSQ holds, as the kernel counts them. */
static long long nr_queued(struct ctx *c)
{
	if (scx_util_run_prog(c->skel->progs.count_parked))
		return -1;
	return c->skel->bss->queued_after;
}

/* Has every parked task run since the call? */
static bool ran_since_call(const struct dsq_reenq__bss *b)
{
	int i;

	for (i = 0; i < NR_PARKED; i++)
		if (b->nr_run[i] <= b->run_at_call[i])
			return false;
	return true;
}

static bool all_at_least(const u64 *v, u64 n)
{
	int i;

	for (i = 0; i < NR_PARKED; i++)
		if (v[i] < n)
			return false;
	return true;
}

/*
 * Spawn the spinners, attach, and wait until the kernel counts all of them
 * in PARK_DSQ; then call scx_bpf_dsq_reenq() on it once.
 */
static struct bpf_link *park_and_reenq(struct ctx *c, bool misuse)
{
	struct dsq_reenq__bss *b = c->skel->bss;
	struct bpf_link *link;
	int i;

	for (i = 0; i < NR_PARKED; i++) {
		c->pid[i] = scx_util_spawn(scx_util_spin_forever, NULL);
		SCX_ASSERT(c->pid[i] > 0);
		b->parked_pid[i] = c->pid[i];
	}
	b->misuse = misuse;

	link = scx_util_attach(c->skel->maps.dsq_reenq_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	if (!SCX_WAIT_FOR(all_at_least(b->nr_parked, 1) &&
			  nr_queued(c) == NR_PARKED, 3000)) {
		scx_util_detach(link);
		SCX_FAIL("parked: %lld of %d", nr_queued(c), NR_PARKED);
	}
	/*
	 * Parked, and re-enqueued by no one yet.  (They may have run while
	 * the kernel was switching them over, so runs are counted from the
	 * call on.)
	 */
	for (i = 0; i < NR_PARKED; i++)
		SCX_EQ(b->nr_reenq[i], 0);
	if (scx_util_run_prog(c->skel->progs.reenq_parked)) {
		scx_util_detach(link);
		SCX_FAIL("the reenq_parked program failed");
	}
	return link;
}

static enum scx_test_status run_reenq(void *arg)
{
	struct ctx *c = arg;
	struct dsq_reenq__bss *b = c->skel->bss;
	u64 enq_reenq, kfunc_reason, reason_mask;
	struct bpf_link *link;
	bool done;
	int i;

	/* The kernel's own values, from its BTF. */
	enq_reenq = __COMPAT_ENUM_OR_ZERO("scx_enq_flags", "SCX_ENQ_REENQ");
	kfunc_reason = __COMPAT_ENUM_OR_ZERO("scx_ent_flags",
					     "SCX_TASK_REENQ_KFUNC");
	reason_mask = __COMPAT_ENUM_OR_ZERO("scx_ent_flags",
					    "SCX_TASK_REENQ_REASON_MASK");
	SCX_ASSERT(enq_reenq && kfunc_reason && reason_mask);

	link = park_and_reenq(c, false);
	/*
	 * Done once every parked task came back, ran from SCX_DSQ_GLOBAL and
	 * PARK_DSQ is empty; a second visit by the walk would have to happen
	 * before the task ran, so waiting for the runs also gives one time to
	 * show up.
	 */
	done = SCX_WAIT_FOR(all_at_least(b->nr_reenq, 1) && ran_since_call(b) &&
			    nr_queued(c) == 0, 3000);
	scx_util_detach(link);

	for (i = 0; i < NR_PARKED; i++)
		fprintf(stderr, "# task %d: parked %llu, reenq %llu (enq_flags 0x%llx, p->scx.flags 0x%x), runs %llu (%llu at the call, %llu at the reenq)\n",
			c->pid[i], (unsigned long long)b->nr_parked[i],
			(unsigned long long)b->nr_reenq[i],
			(unsigned long long)b->reenq_enq_flags[i],
			b->reenq_task_flags[i],
			(unsigned long long)b->nr_run[i],
			(unsigned long long)b->run_at_call[i],
			(unsigned long long)b->run_before_reenq[i]);
	fprintf(stderr, "# PARK_DSQ: %lld before the call, %lld after\n",
		(long long)b->queued_before, (long long)b->queued_after);

	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_EQ(b->nr_calls, 1);
	SCX_EQ(b->queued_before, NR_PARKED);
	for (i = 0; i < NR_PARKED; i++) {
		/* Back through ops.enqueue() once, straight from PARK_DSQ. */
		SCX_PROVE_EQ("kfunc:scx_bpf_dsq_reenq", b->nr_reenq[i], 1);
		SCX_EQ(b->run_before_reenq[i], b->run_at_call[i]);
		/* Both marks of a kfunc re-enqueue. */
		SCX_PROVE_EQ("kfunc:scx_bpf_dsq_reenq",
			     b->reenq_enq_flags[i] & enq_reenq, enq_reenq);
		SCX_PROVE_EQ("kfunc:scx_bpf_dsq_reenq",
			     b->reenq_task_flags[i] & reason_mask, kfunc_reason);
	}
	/* The walk took them all off PARK_DSQ. */
	SCX_PROVE_EQ("kfunc:scx_bpf_dsq_reenq", b->queued_after, 0);
	/* And the released tasks ran. */
	SCX_ASSERT(done);
	return SCX_TEST_PASS;
}

static enum scx_test_status run_error(void *arg)
{
	struct ctx *c = arg;
	struct dsq_reenq__bss *b = c->skel->bss;
	struct dsq_reenq__data *d = c->skel->data;
	u64 error_reenq;
	struct bpf_link *link;
	char expect[64];
	const char *s;
	pid_t culprit;
	bool exited;
	int i, ci = -1;

	error_reenq = __COMPAT_ENUM_OR_ZERO("scx_exit_kind",
					    "SCX_EXIT_ERROR_REENQ");
	SCX_ASSERT(error_reenq);

	link = park_and_reenq(c, true);
	/* The kernel disables the scheduler by itself. */
	exited = SCX_WAIT_FOR(UEI_EXITED(c->skel, uei), 4000);
	if (exited)
		scx_util_wait_state("disabled", 3000);
	scx_util_detach(link);

	fprintf(stderr, "# exit kind %d (ERROR_REENQ is %llu), msg '%s'\n",
		d->uei.kind, (unsigned long long)error_reenq, d->uei.msg);
	for (i = 0; i < NR_PARKED; i++)
		fprintf(stderr, "# task %d: reenq %llu, runs %llu (%llu at the call, %llu at the last reenq)\n",
			c->pid[i], (unsigned long long)b->nr_reenq[i],
			(unsigned long long)b->nr_run[i],
			(unsigned long long)b->run_at_call[i],
			(unsigned long long)b->run_before_reenq[i]);

	SCX_ASSERT(exited);
	SCX_PROVE_EQ("exit:ERROR_REENQ", d->uei.kind, error_reenq);
	/* "comm[pid] reenqueued 257 times without running" */
	s = strchr(d->uei.msg, '[');
	SCX_ASSERT(s);
	culprit = atoi(s + 1);
	for (i = 0; i < NR_PARKED; i++)
		if (c->pid[i] == culprit)
			ci = i;
	SCX_ASSERT(ci >= 0);
	snprintf(expect, sizeof(expect), "[%d] reenqueued %d times without running",
		 culprit, REENQ_MAX_REPEAT + 1);
	SCX_ASSERT(strstr(d->uei.msg, expect));
	/*
	 * It did not run from the call to its last re-enqueue let through,
	 * the 256th; the 257th ejected the scheduler.  (Runs after that, as
	 * the kernel bypasses and unloads it, do not count.)
	 */
	SCX_EQ(b->run_before_reenq[ci], b->run_at_call[ci]);
	SCX_PROVE_EQ("exit:ERROR_REENQ", b->nr_reenq[ci], REENQ_MAX_REPEAT);
	return SCX_TEST_PASS;
}

struct md_ctx {
	struct dsq_reenq *skel[2];
	pid_t spinner;
};

static enum scx_test_status md_setup(void **ctxp)
{
	struct md_ctx *c;

	if (!__COMPAT_has_ksym("scx_bpf_dsq_reenq") ||
	    !__COMPAT_ENUM_OR_ZERO("scx_ops_flags",
				   "SCX_OPS_ENQ_MIGRATION_DISABLED")) {
		printf("no SCX_OPS_ENQ_MIGRATION_DISABLED in this kernel (7.x has it)\n");
		return SCX_TEST_SKIP_KERNEL;
	}
	if (scx_util_nr_cpus() <= HOLD_CPU) {
		printf("needs CPU %d\n", HOLD_CPU);
		return SCX_TEST_SKIP;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	*ctxp = c;
	return SCX_TEST_PASS;
}

/*
 * Under a scheduler with ops flags @flags, run hold() on HOLD_CPU beside
 * the spinner until the BPF side saw the thread put back, migration
 * disabled, and run again.
 */
static struct dsq_reenq *md_round(struct md_ctx *c, int i, u64 flags)
{
	struct dsq_reenq *skel;
	struct bpf_link *link;
	bool seen;

	skel = c->skel[i] = dsq_reenq__open();
	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	skel->struct_ops.dsq_reenq_ops->flags = flags;
	if (SCX_UTIL_LOAD(skel, dsq_reenq, dsq_reenq_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	skel->bss->holder_pid = getpid();
	skel->bss->spinner_pid = c->spinner;

	link = scx_util_attach(skel->maps.dsq_reenq_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	seen = SCX_WAIT_FOR(scx_util_run_prog(skel->progs.hold) == 0 &&
			    skel->bss->nr_cycles, 3000);
	scx_util_detach(link);

	fprintf(stderr, "# flags 0x%llx: %s; migration_disabled %u in hold(), %u when put back, %u in ops.enqueue(); %llu ops.enqueue() before it ran again\n",
		(unsigned long long)flags, seen ? "put back" : "never put back",
		skel->bss->md_in_prog, skel->bss->md_at_stop,
		skel->bss->md_at_enq,
		(unsigned long long)skel->bss->enq_in_cycle);
	SCX_EQ(skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_ASSERT(seen);
	SCX_GT(skel->bss->md_in_prog, 0);
	SCX_GT(skel->bss->md_at_stop, 0);
	return skel;
}

static enum scx_test_status run_md(void *arg)
{
	struct md_ctx *c = arg;
	struct dsq_reenq *off, *on;
	u64 flag;

	flag = __COMPAT_ENUM_OR_ZERO("scx_ops_flags",
				     "SCX_OPS_ENQ_MIGRATION_DISABLED");
	c->spinner = scx_util_spawn(scx_util_spin_forever, NULL);
	SCX_ASSERT(c->spinner > 0);
	SCX_EQ(scx_util_pin(c->spinner, HOLD_CPU), 0);
	SCX_EQ(scx_util_pin(0, HOLD_CPU), 0);

	off = md_round(c, 0, 0);
	on = md_round(c, 1, flag);

	/* Without the flag the kernel queued it locally, unseen ... */
	SCX_PROVE_EQ("flag:ENQ_MIGRATION_DISABLED", off->bss->enq_in_cycle, 0);
	/* ... with it, ops.enqueue() got it, still migration-disabled. */
	SCX_PROVE_EQ("flag:ENQ_MIGRATION_DISABLED", on->bss->enq_in_cycle, 1);
	SCX_PROVE_GT("flag:ENQ_MIGRATION_DISABLED", on->bss->md_at_enq, 0);
	return SCX_TEST_PASS;
}

static void md_cleanup(void *arg)
{
	struct md_ctx *c = arg;

	if (c->spinner > 0)
		scx_util_stop(c->spinner);
	dsq_reenq__destroy(c->skel[0]);
	dsq_reenq__destroy(c->skel[1]);
	free(c);
}

struct qw_ctx {
	struct dsq_reenq *skel[2];
	struct scx_util_pingpong pp;
};

static enum scx_test_status qw_setup(void **ctxp)
{
	struct qw_ctx *c;

	if (!__COMPAT_has_ksym("scx_bpf_dsq_reenq") ||
	    !__COMPAT_ENUM_OR_ZERO("scx_ops_flags",
				   "SCX_OPS_ALLOW_QUEUED_WAKEUP")) {
		printf("no SCX_OPS_ALLOW_QUEUED_WAKEUP in this kernel (7.x has it)\n");
		return SCX_TEST_SKIP_KERNEL;
	}
	if (scx_util_nr_cpus() <= WAKEE_CPU) {
		printf("needs CPU %d\n", WAKEE_CPU);
		return SCX_TEST_SKIP;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->pp.pid = -1;
	*ctxp = c;
	return SCX_TEST_PASS;
}

/* NR_ROUNDS wakeups of the child under a scheduler with ops flags @flags. */
static struct dsq_reenq *qw_round(struct qw_ctx *c, int i, u64 flags)
{
	struct dsq_reenq *skel;
	struct bpf_link *link;
	int r, failed = 0;

	skel = c->skel[i] = dsq_reenq__open();
	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	skel->struct_ops.dsq_reenq_ops->flags = flags;
	if (SCX_UTIL_LOAD(skel, dsq_reenq, dsq_reenq_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	skel->bss->wakee_pid = c->pp.pid;
	skel->bss->wakee_cpu = WAKEE_CPU;
	skel->bss->waker_cpu = WAKER_CPU;

	link = scx_util_attach(skel->maps.dsq_reenq_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	for (r = 0; r < NR_ROUNDS; r++)
		if (scx_util_pingpong_round(&c->pp, 1000))
			failed++;
	scx_util_detach(link);

	fprintf(stderr, "# flags 0x%llx: %d rounds (%d failed); wakeups enqueued on the waker's CPU %llu, on the wakee's %llu, elsewhere %llu\n",
		(unsigned long long)flags, NR_ROUNDS, failed,
		(unsigned long long)skel->bss->nr_wake_on_waker,
		(unsigned long long)skel->bss->nr_wake_on_wakee,
		(unsigned long long)skel->bss->nr_wake_other);
	SCX_EQ(skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_EQ(failed, 0);
	/*
	 * A round whose byte arrives before the child is back asleep wakes
	 * no one, so only most rounds are wakeups.
	 */
	SCX_GT(skel->bss->nr_wake_on_waker + skel->bss->nr_wake_on_wakee, 0);
	return skel;
}

static enum scx_test_status run_qw(void *arg)
{
	struct qw_ctx *c = arg;
	struct dsq_reenq *off, *on;
	u64 flag;

	flag = __COMPAT_ENUM_OR_ZERO("scx_ops_flags",
				     "SCX_OPS_ALLOW_QUEUED_WAKEUP");
	SCX_EQ(scx_util_pin(0, WAKER_CPU), 0);
	SCX_EQ(scx_util_pingpong_start(&c->pp), 0);
	SCX_EQ(scx_util_pin(c->pp.pid, WAKEE_CPU), 0);

	off = qw_round(c, 0, 0);
	on = qw_round(c, 1, flag);

	/* Without the flag the waker enqueues, every time ... */
	SCX_GT(off->bss->nr_wake_on_waker, 0);
	SCX_PROVE_EQ("flag:ALLOW_QUEUED_WAKEUP",
		     off->bss->nr_wake_on_wakee + off->bss->nr_wake_other, 0);
	/* ... with it, the idle wakee CPU does, from its wake list. */
	SCX_PROVE_GT("flag:ALLOW_QUEUED_WAKEUP", on->bss->nr_wake_on_wakee, 0);
	return SCX_TEST_PASS;
}

static void qw_cleanup(void *arg)
{
	struct qw_ctx *c = arg;

	if (c->pp.pid > 0)
		scx_util_pingpong_stop(&c->pp);
	dsq_reenq__destroy(c->skel[0]);
	dsq_reenq__destroy(c->skel[1]);
	free(c);
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;
	int i;

	for (i = 0; i < NR_PARKED; i++)
		if (c->pid[i] > 0)
			scx_util_stop(c->pid[i]);
	dsq_reenq__destroy(c->skel);
	free(c);
}

static struct scx_test dsq_reenq_test = {
	.name		= "dsq_reenq",
	.description	= "7.x: scx_bpf_dsq_reenq() sends each task of a user DSQ back through ops.enqueue() once, with SCX_ENQ_REENQ",
	.covers		= "kfunc:scx_bpf_dsq_reenq",
	.timeout	= 30,
	.setup		= setup,
	.run		= run_reenq,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&dsq_reenq_test)

static struct scx_test dsq_reenq_error_test = {
	.name		= "dsq_reenq_error",
	.description	= "7.x: re-enqueueing a task 257 times without running it ejects the scheduler with SCX_EXIT_ERROR_REENQ",
	.covers		= "exit:ERROR_REENQ",
	.timeout	= 30,
	.setup		= setup,
	.run		= run_error,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&dsq_reenq_error_test)

static struct scx_test enq_migration_disabled_test = {
	.name		= "enq_migration_disabled",
	.description	= "7.x: a task put back while migration-disabled reaches ops.enqueue() only with SCX_OPS_ENQ_MIGRATION_DISABLED",
	.covers		= "flag:ENQ_MIGRATION_DISABLED",
	.timeout	= 30,
	.setup		= md_setup,
	.run		= run_md,
	.cleanup	= md_cleanup,
};
REGISTER_SCX_TEST(&enq_migration_disabled_test)

static struct scx_test allow_queued_wakeup_test = {
	.name		= "allow_queued_wakeup",
	.description	= "7.x: with SCX_OPS_ALLOW_QUEUED_WAKEUP a wakeup onto an idle CPU is enqueued there, from its wake list",
	.covers		= "flag:ALLOW_QUEUED_WAKEUP",
	.timeout	= 30,
	.setup		= qw_setup,
	.run		= run_qw,
	.cleanup	= qw_cleanup,
};
REGISTER_SCX_TEST(&allow_queued_wakeup_test)
