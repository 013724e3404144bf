// SPDX-License-Identifier: GPL-2.0
/*
 * 7.x's scx_bpf_tid_to_task() under SCX_OPS_TID_TO_TASK, and
 * scx_bpf_events() (tid_events.bpf.c says how each is provoked).  A victim
 * child sleeps under a name of its own while a ping-pong child, allowed on
 * CPUs 0 and 1, is woken round after round: each wakeup runs the lookups
 * and, in its turn, reads the event counters or provokes two of them.  The
 * victim is killed halfway, so that its tid must stop resolving.  Then the
 * same program is attached without the flag and must be failed at its
 * first lookup.
 */
#include <unistd.h>
#include <sys/prctl.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "tid_events.bpf.skel.h"

#define VICTIM_COMM	"tid_victim"
#define NR_PROVOKE	5

enum { PHASE_WATCH, PHASE_PROVOKE, PHASE_AFTER };
enum { EV_FALLBACK, EV_OFFLINE, EV_CLAMPED };

struct ctx {
	struct tid_events *skel;	/* with SCX_OPS_TID_TO_TASK */
	struct tid_events *noflag;	/* the same program without it */
	struct scx_util_pingpong pp;
	pid_t victim;
};

static int victim_fn(void *arg)
{
	prctl(PR_SET_NAME, VICTIM_COMM);
	for (;;)
		pause();
	return 0;
}

static struct tid_events *open_load(u64 flags)
{
	struct tid_events *skel = tid_events__open();

	if (!skel)
		return NULL;
	skel->struct_ops.tid_events_ops->flags = flags;
	if (SCX_UTIL_LOAD(skel, tid_events, tid_events_ops, uei)) {
		tid_events__destroy(skel);
		return NULL;
	}
	return skel;
}

static enum scx_test_status setup(void **ctx)
{
	u64 tid_flag = __COMPAT_ENUM_OR_ZERO("scx_ops_flags",
					     "SCX_OPS_TID_TO_TASK");
	struct ctx *c;

	if (!tid_flag || !__COMPAT_has_ksym("scx_bpf_tid_to_task") ||
	    !__COMPAT_has_ksym("scx_bpf_events")) {
		printf("no SCX_OPS_TID_TO_TASK, scx_bpf_tid_to_task() or scx_bpf_events() in this kernel (7.3 has them)\n");
		return SCX_TEST_SKIP_KERNEL;
	}
	if (scx_util_nr_cpus() < 3 || !scx_util_cpu_online(2)) {
		printf("needs CPUs 0 to 2 online\n");
		return SCX_TEST_SKIP;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->pp.pid = c->victim = -1;
	c->pp.to = c->pp.from = -1;
	c->skel = open_load(tid_flag);
	c->noflag = open_load(0);
	if (!c->skel || !c->noflag) {
		fprintf(stderr, "# cannot load the BPF object\n");
		tid_events__destroy(c->skel);
		tid_events__destroy(c->noflag);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

/* One wakeup of the ping-pong child, i.e. one call of ops.select_cpu(). */
static bool round_ok(struct ctx *c)
{
	return scx_util_pingpong_round(&c->pp, 1000) == 0;
}

static bool is_victim_named(pid_t pid)
{
	char path[64], comm[32];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	return !scx_util_read_file(path, comm, sizeof(comm)) &&
	       !strcmp(comm, VICTIM_COMM "\n");
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct tid_events__bss *b = c->skel->bss;
	struct tid_events__bss *nb = c->noflag->bss;
	u64 null_before_kill, found_before_kill;
	struct bpf_link *link;
	cpu_set_t set;

	c->victim = scx_util_spawn(victim_fn, NULL);
	SCX_ASSERT(c->victim > 0);
	SCX_ASSERT(SCX_WAIT_FOR(is_victim_named(c->victim), 2000));
	SCX_EQ(scx_util_pingpong_start(&c->pp), 0);
	/* Two CPUs, so that the kernel asks ops.select_cpu() at each wakeup. */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CPU_SET(1, &set);
	SCX_EQ(scx_util_set_affinity(c->pp.pid, &set), 0);
	/* Let it run there once, so that its prev_cpu is an allowed one. */
	SCX_ASSERT(round_ok(c));

	b->victim_pid = c->victim;
	b->pp_pid = c->pp.pid;
	b->bad_cpu = 2;
	b->phase = PHASE_WATCH;

	link = scx_util_attach(c->skel->maps.tid_events_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));

	/* The victim sleeps; its tid must resolve to it, wakeup after wakeup. */
	SCX_WAIT_FOR(round_ok(c) && b->nr_victim_found >= 3, 3000);
	null_before_kill = b->nr_victim_null;
	found_before_kill = b->nr_victim_found;
	/* Killed and reaped: it leaves the tid hash once it has switched out. */
	scx_util_stop(c->victim);
	c->victim = -1;
	SCX_WAIT_FOR(round_ok(c) && b->nr_victim_null > null_before_kill, 3000);

	/* ev_before holds the counters as of the last of those wakeups. */
	b->phase = PHASE_PROVOKE;
	SCX_WAIT_FOR(round_ok(c) && b->nr_bad_ret >= NR_PROVOKE, 3000);
	b->phase = PHASE_AFTER;
	SCX_WAIT_FOR(round_ok(c) && b->nr_after >= 1, 3000);
	scx_util_detach(link);

	/* The same program without the flag: its first lookup fails it. */
	nb->pp_pid = c->pp.pid;
	nb->no_flag = true;
	link = scx_util_attach(c->noflag->maps.tid_events_ops);
	if (!link)
		SCX_FAIL("attach without the flag: %s", strerror(errno));
	SCX_WAIT_FOR(round_ok(c) && c->noflag->data->uei.kind, 3000);
	scx_util_detach(link);

	fprintf(stderr, "# victim pid %d tid %llu: found %llu before the kill, %llu in all (pid ok %llu) as %d \"%s\", NULL %llu before the kill, %llu after\n",
		b->victim_pid, (unsigned long long)b->victim_tid,
		(unsigned long long)found_before_kill,
		(unsigned long long)b->nr_victim_found,
		(unsigned long long)b->nr_victim_pid_ok, b->found_pid,
		b->found_comm, (unsigned long long)null_before_kill,
		(unsigned long long)(b->nr_victim_null - null_before_kill));
	fprintf(stderr, "# own tid: itself %llu, other %llu; tids 0 and ~0: %llu lookups, %llu found; pid as tid gave the victim %llu\n",
		(unsigned long long)b->nr_self_ok,
		(unsigned long long)b->nr_self_bad,
		(unsigned long long)b->nr_bogus,
		(unsigned long long)b->nr_bogus_found,
		(unsigned long long)b->nr_pid_is_victim);
	fprintf(stderr, "# bad cpu %llu times (default pick disallowed %llu), %llu huge slices (set_slice false %llu); fallback %lld -> %lld, clamped %lld -> %lld, offline %lld -> %lld\n",
		(unsigned long long)b->nr_bad_ret,
		(unsigned long long)b->nr_dfl_disallowed,
		(unsigned long long)b->nr_clamp_asked,
		(unsigned long long)b->nr_set_slice_false,
		(long long)b->ev_before[EV_FALLBACK],
		(long long)b->ev_after[EV_FALLBACK],
		(long long)b->ev_before[EV_CLAMPED],
		(long long)b->ev_after[EV_CLAMPED],
		(long long)b->ev_before[EV_OFFLINE],
		(long long)b->ev_after[EV_OFFLINE]);
	fprintf(stderr, "# without the flag: %llu lookups, %llu NULL; exit kind %d \"%s\"\n",
		(unsigned long long)nb->nr_noflag_calls,
		(unsigned long long)nb->nr_noflag_null,
		c->noflag->data->uei.kind, c->noflag->data->uei.msg);

	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_ASSERT(!b->ev_too_big);

	/* A tid of sched_ext's own, noted as the scheduler attached. */
	SCX_GT(b->victim_tid, 0);
	SCX_GT(found_before_kill, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_tid_to_task flag:TID_TO_TASK",
		     null_before_kill, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_tid_to_task", b->nr_victim_pid_ok,
		     b->nr_victim_found);
	SCX_PROVE_EQ("kfunc:scx_bpf_tid_to_task", b->found_pid, b->victim_pid);
	SCX_PROVE("kfunc:scx_bpf_tid_to_task",
		  !strcmp(b->found_comm, VICTIM_COMM));
	SCX_PROVE_GT("kfunc:scx_bpf_tid_to_task",
		     b->nr_victim_null, null_before_kill);
	SCX_GT(b->nr_self_ok, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_tid_to_task", b->nr_self_bad, 0);
	SCX_GT(b->nr_bogus, 0);
	SCX_PROVE_EQ("kfunc:scx_bpf_tid_to_task", b->nr_bogus_found, 0);
	SCX_EQ(b->nr_pid_is_victim, 0);

	/* Without the flag: NULL, and the kernel ends the scheduler. */
	SCX_GT(nb->nr_noflag_calls, 0);
	SCX_PROVE_EQ("flag:TID_TO_TASK", nb->nr_noflag_null,
		     nb->nr_noflag_calls);
	SCX_PROVE_EQ("flag:TID_TO_TASK", c->noflag->data->uei.kind,
		     SCX_EXIT_ERROR);
	SCX_PROVE("flag:TID_TO_TASK",
		  strstr(c->noflag->data->uei.msg,
			 "called without SCX_OPS_TID_TO_TASK"));

	/* The counters moved by what we provoked, and only those. */
	SCX_GT(b->nr_bad_ret, 0);
	SCX_EQ(b->nr_set_slice_false, 0);
	SCX_EQ(b->nr_clamp_asked, 3 * b->nr_bad_ret);
	SCX_PROVE_EQ("kfunc:scx_bpf_events",
		     b->ev_after[EV_FALLBACK] - b->ev_before[EV_FALLBACK],
		     b->nr_bad_ret);
	SCX_PROVE_EQ("kfunc:scx_bpf_events",
		     b->ev_after[EV_CLAMPED] - b->ev_before[EV_CLAMPED],
		     b->nr_clamp_asked);
	SCX_PROVE_EQ("kfunc:scx_bpf_events",
		     b->ev_after[EV_OFFLINE] - b->ev_before[EV_OFFLINE], 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	/*
	 * Kill the ping-pong child rather than wait for it to see its pipe
	 * close: it holds the pipe's write end too, and would not.
	 */
	if (c->pp.pid > 0)
		scx_util_stop(c->pp.pid);
	c->pp.pid = -1;
	scx_util_pingpong_stop(&c->pp);
	if (c->victim > 0)
		scx_util_stop(c->victim);
	tid_events__destroy(c->skel);
	tid_events__destroy(c->noflag);
	free(c);
}

static struct scx_test tid_events_test = {
	.name		= "tid_events",
	.description	= "7.x: scx_bpf_tid_to_task() with and without SCX_OPS_TID_TO_TASK; scx_bpf_events() counts what we provoke",
	.covers		= "flag:TID_TO_TASK kfunc:scx_bpf_tid_to_task kfunc:scx_bpf_events",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&tid_events_test)
