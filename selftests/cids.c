// SPDX-License-Identifier: GPL-2.0
/*
 * The cid kfuncs of 7.3 (cids.bpf.c says what each is held against).
 *
 * cids, a cpu-form scheduler.  With CPU 1 offline, the scheduler is
 * enabled; the kernel numbers the online CPUs by topology and gives CPU 1
 * the last cid.  User space does the same walk over sysfs (node, then LLC,
 * then core, lowest CPU first) and expects, cid for cid, the same CPU and
 * the same core, LLC and node fields, and -1 in all three for CPU 1's.
 * Then:
 * 1. CPU 1 comes online under the scheduler: the online count follows
 *    sysfs, the mapping does not move.
 * 2. A short task pinned to every CPU: ops.running() on CPU c must have
 *    seen scx_bpf_this_cid() give c's cid.
 * 3. A spinner pinned to CPU 1 and a sleeper pinned to CPU 3: the cid of
 *    each task is its CPU's, and the spinner is what runs at CPU 1's cid.
 * 4. Each ticking CPU sets its performance target by cid: the target is in
 *    its own rq, and cap and cur by cid are cap and cur by CPU.
 * 5. CPU 2 is kicked by cid: it dispatches in (nearly) every round, as
 *    when kicked by CPU, against a baseline of rounds without a kick.
 *
 * cids_form, a cid-form scheduler.  With CPU 1 offline, user space writes
 * into the scheduler's arena a mapping the topology would never give
 * (CPU c has cid c + 1, the last CPU cid 0) and two shards, and
 * ops.init_cids() installs them.  Every cid must then be where the mapping
 * put it, without core, LLC or node, in its shard; and the online cmask,
 * read through user space's mapping of the arena, must hold the cids of
 * the online CPUs: all but CPU 1's, then, after it comes online, all.
 */
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"

/* As in cids.bpf.c; the skeleton refers to it by name. */
struct scx_cid_topo___cids {
	int core_cid;
	int core_idx;
	int llc_cid;
	int llc_idx;
	int node_cid;
	int node_idx;
	int shard_cid;
	int shard_idx;
};

/* As in cids.bpf.c. */
struct cid_perf {
	u32 cid_cap, cpu_cap;
	u32 cid_cur, cpu_cur;
	s32 set_ret;
	u32 target;
	u64 nr_ticks;
};

enum { KICK_NONE, KICK_BY_CPU, KICK_BY_CID };

#include "cids.bpf.skel.h"

#define MAX_CPUS	64	/* as in cids.bpf.c */
#define PERF_BASE	512	/* as in cids.bpf.c */
#define OFF_CPU		1	/* offline at enable; the spinner's later */
#define IDLE_CPU	2	/* kicked */
#define SLEEP_CPU	3	/* the sleeper's */
#define WORKER_MS	20
#define KICK_ROUNDS	10
#define KICK_WAIT_MS	50

#define SYS_CPU		"/sys/devices/system/cpu"
#define SYS_NODE	"/sys/devices/system/node"

/* What the kernel's walk must give, worked out from sysfs. */
struct expect {
	int nr;				/* cids handed out */
	int cid_of[MAX_CPUS];		/* -1: not a possible CPU */
	int cpu_of[MAX_CPUS];
	/* core, LLC and node: first cid and index, -1 without topology */
	int cid[MAX_CPUS][3], idx[MAX_CPUS][3];
};

enum { LVL_CORE, LVL_LLC, LVL_NODE, NR_LVLS };

static const char *const lvl_name[NR_LVLS] = { "core", "llc", "node" };

struct ctx {
	struct cids *skel;
	struct bpf_link *link;
	pid_t spinner, sleeper;
	bool offlined;
	uint64_t possible, online;	/* at enable */
	struct expect e;
};

static const char *const kfuncs[] = {
	"scx_bpf_nr_cids", "scx_bpf_nr_online_cids", "scx_bpf_cpu_to_cid",
	"scx_bpf_cid_to_cpu", "scx_bpf_cid_topo", "scx_bpf_this_cid",
	"scx_bpf_task_cid", "scx_bpf_cid_curr", "scx_bpf_kick_cid",
	"scx_bpf_cidperf_cap", "scx_bpf_cidperf_cur", "scx_bpf_cidperf_set",
	"scx_bpf_online_cmask", "scx_bpf_cpu_curr", "scx_bpf_locked_rq",
};

/* And what only the cid form has. */
static const char *const cid_form_kfuncs[] = {
	"scx_bpf_cid_override",
};

/* A sysfs CPU list such as "0-3" or "0,2-3" as a mask; 0 if unreadable. */
static uint64_t read_cpu_list(const char *path)
{
	char buf[256], *p = buf;
	uint64_t mask = 0;
	int a, b, len;

	if (scx_util_read_file(path, buf, sizeof(buf)))
		return 0;
	while (sscanf(p, "%d%n", &a, &len) == 1) {
		p += len;
		b = a;
		if (*p == '-' && sscanf(p + 1, "%d%n", &b, &len) == 1)
			p += len + 1;
		for (; a <= b && a < MAX_CPUS; a++)
			mask |= 1ULL << a;
		if (*p != ',')
			break;
		p++;
	}
	return mask;
}

static uint64_t node_mask(int cpu, uint64_t all)
{
	char path[128];
	uint64_t m;
	int n;

	for (n = 0; n < MAX_CPUS; n++) {
		snprintf(path, sizeof(path), SYS_NODE "/node%d/cpulist", n);
		m = read_cpu_list(path);
		if (m & (1ULL << cpu))
			return m;
	}
	/* No NUMA: one node holds every CPU. */
	return all;
}

/*
 * The CPUs sharing @cpu's last-level cache, which the kernel takes from
 * the last cache leaf, the highest indexN in sysfs; without cache
 * information, it takes the node, and so do we.
 */
static uint64_t llc_mask(int cpu, uint64_t all)
{
	char path[128];
	uint64_t m = 0, last = 0;
	int i;

	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path),
			 SYS_CPU "/cpu%d/cache/index%d/shared_cpu_list", cpu, i);
		if (access(path, R_OK))
			break;
		m = read_cpu_list(path);
		if (m)
			last = m;
	}
	return last ?: node_mask(cpu, all);
}

static uint64_t core_mask(int cpu)
{
	char path[128];

	snprintf(path, sizeof(path),
		 SYS_CPU "/cpu%d/topology/thread_siblings_list", cpu);
	return read_cpu_list(path) | 1ULL << cpu;
}

static int first_cpu(uint64_t m)
{
	return __builtin_ctzll(m);
}

/*
 * Number the @online CPUs as the kernel does at enable: node of the lowest
 * CPU left, in it the LLC of its lowest CPU left, in that the core of its
 * lowest CPU left, each CPU of the core in order; then the possible CPUs
 * that were not online, in order, without topology.
 */
static void expect_walk(struct expect *e, uint64_t possible, uint64_t online)
{
	uint64_t left = online, in_node, in_llc, in_core;
	int idx[NR_LVLS] = {}, first[NR_LVLS];
	int cpu, lvl;

	memset(e, 0xff, sizeof(*e));
	e->nr = 0;
	while (left) {
		in_node = left & node_mask(first_cpu(left), online);
		first[LVL_NODE] = e->nr;
		while (in_node) {
			in_llc = in_node & llc_mask(first_cpu(in_node), online);
			first[LVL_LLC] = e->nr;
			while (in_llc) {
				in_core = in_llc & core_mask(first_cpu(in_llc));
				first[LVL_CORE] = e->nr;
				for (; in_core; in_core &= in_core - 1) {
					cpu = first_cpu(in_core);
					e->cid_of[cpu] = e->nr;
					e->cpu_of[e->nr] = cpu;
					for (lvl = 0; lvl < NR_LVLS; lvl++) {
						e->cid[e->nr][lvl] = first[lvl];
						e->idx[e->nr][lvl] = idx[lvl];
					}
					e->nr++;
					in_llc &= ~(1ULL << cpu);
					in_node &= ~(1ULL << cpu);
					left &= ~(1ULL << cpu);
				}
				idx[LVL_CORE]++;
			}
			idx[LVL_LLC]++;
		}
		idx[LVL_NODE]++;
	}
	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!(possible & ~online & (1ULL << cpu)))
			continue;
		e->cid_of[cpu] = e->nr;
		e->cpu_of[e->nr] = cpu;
		e->nr++;
	}
}

static void topo_of(const struct scx_cid_topo___cids *t, int v[NR_LVLS][2])
{
	v[LVL_CORE][0] = t->core_cid;
	v[LVL_CORE][1] = t->core_idx;
	v[LVL_LLC][0] = t->llc_cid;
	v[LVL_LLC][1] = t->llc_idx;
	v[LVL_NODE][0] = t->node_cid;
	v[LVL_NODE][1] = t->node_idx;
}

/* The scheduler must still be there: a bad cid would have failed it. */
static void check_alive(struct ctx *c)
{
	struct user_exit_info *uei = &c->skel->data->uei;

	if (uei->kind)
		SCX_FAIL("the scheduler exited (kind %d): %s (%s)", uei->kind,
			 uei->reason, uei->msg);
}

/*
 * Probe the mapping and hold it against the walk: after CPU 1 came online
 * (@again) too, as the mapping lasts as long as the scheduler.
 */
static void check_map(struct ctx *c, bool again)
{
	struct cids__bss *bss = c->skel->bss;
	const struct expect *e = &c->e;
	int v[NR_LVLS][2];
	int cpu, cid, lvl, nr_possible = __builtin_popcountll(c->possible);

	bss->possible_bits = c->possible;
	SCX_EQ(scx_util_run_prog(c->skel->progs.probe_map), 0);
	check_alive(c);
	SCX_PROVE_EQ("kfunc:scx_bpf_nr_cids", bss->nr_cids, nr_possible);
	/* A cpu-form scheduler has no arena: no online cmask either. */
	SCX_EQ(bss->probed_cmask, 0);
	SCX_EQ(e->nr, nr_possible);

	printf("%s: cid cpu (expected)  core cid/idx  llc cid/idx  node cid/idx\n",
	       again ? "after CPU 1 came online" : "at enable");
	for (cid = 0; cid < e->nr; cid++) {
		topo_of(&bss->topo[cid], v);
		printf("  %3d %3d (%3d)  %3d/%-3d %3d/%-3d %3d/%-3d\n", cid,
		       bss->cid_to_cpu[cid], e->cpu_of[cid], v[0][0], v[0][1],
		       v[1][0], v[1][1], v[2][0], v[2][1]);
	}

	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!(c->possible & (1ULL << cpu)))
			continue;
		SCX_PROVE_MSG("kfunc:scx_bpf_cpu_to_cid",
			      bss->cpu_to_cid[cpu] == e->cid_of[cpu],
			      "CPU %d: cid %d, expected %d", cpu,
			      bss->cpu_to_cid[cpu], e->cid_of[cpu]);
		/* The inverse, from the kernel's own side. */
		SCX_PROVE_MSG("kfunc:scx_bpf_cid_to_cpu",
			      bss->cid_to_cpu[e->cid_of[cpu]] == cpu,
			      "cid %d: CPU %d, expected %d", e->cid_of[cpu],
			      bss->cid_to_cpu[e->cid_of[cpu]], cpu);
	}

	for (cid = 0; cid < e->nr; cid++) {
		topo_of(&bss->topo[cid], v);
		for (lvl = 0; lvl < NR_LVLS; lvl++)
			SCX_PROVE_MSG("kfunc:scx_bpf_cid_topo",
				      v[lvl][0] == e->cid[cid][lvl] &&
				      v[lvl][1] == e->idx[cid][lvl],
				      "cid %d: %s cid/idx %d/%d, expected %d/%d",
				      cid, lvl_name[lvl], v[lvl][0], v[lvl][1],
				      e->cid[cid][lvl], e->idx[cid][lvl]);
	}

	/* The online count is the kernel's, whatever the mapping says. */
	SCX_PROVE_EQ("kfunc:scx_bpf_nr_online_cids", bss->nr_online_cids,
		     __builtin_popcountll(read_cpu_list(SYS_CPU "/online")));
}

static int sleep_forever(void *arg)
{
	for (;;)
		pause();
	return 0;
}

/* Fork @fn(@arg) on @cpu, pinned from the start; we go back to CPU 0. */
static pid_t spawn_on(int cpu, int (*fn)(void *), void *arg)
{
	pid_t pid;

	SCX_EQ(scx_util_pin(0, cpu), 0);
	pid = scx_util_spawn(fn, arg);
	SCX_EQ(scx_util_pin(0, 0), 0);
	SCX_ASSERT(pid > 0);
	return pid;
}

/* Where the kernel has task @pid: its cid and its CPU. */
static void probe_task(struct ctx *c, pid_t pid)
{
	c->skel->bss->task_pid = pid;
	SCX_EQ(scx_util_run_prog(c->skel->progs.probe_task), 0);
}

/*
 * Kick @cpu by @how in @rounds rounds; count the rounds in which it went
 * through ops.dispatch() within KICK_WAIT_MS.
 */
static int kick_rounds(struct ctx *c, int cpu, int how, int rounds)
{
	struct cids__bss *bss = c->skel->bss;
	int i, hits = 0;
	u64 before;

	bss->kick_how = how;
	bss->kick_cpu_arg = cpu;
	bss->kick_cid_arg = bss->cpu_to_cid[cpu];
	for (i = 0; i < rounds; i++) {
		before = bss->nr_dispatch[cpu];
		SCX_EQ(scx_util_run_prog(c->skel->progs.kick), 0);
		if (SCX_WAIT_FOR(bss->nr_dispatch[cpu] > before, KICK_WAIT_MS))
			hits++;
		/* Let a late dispatch land before the next round. */
		scx_util_sleep_ms(2);
	}
	return hits;
}

/* 7.3's struct scx_cmask, as it lies in the arena. */
struct cmask {
	u32 base;
	u32 nr_cids;
	u32 alloc_words;
	u64 bits[];
};

/* The mapping the cid form installs: every CPU one cid up, in a ring. */
static int ring_cid(int cpu, int nr)
{
	return (cpu + 1) % nr;
}

/* The cids of the CPUs in @cpus under the ring mapping. */
static u64 ring_cids(u64 cpus, int nr)
{
	u64 cids = 0;
	int cpu;

	for (cpu = 0; cpu < nr; cpu++)
		if (cpus & (1ULL << cpu))
			cids |= 1ULL << ring_cid(cpu, nr);
	return cids;
}

/*
 * Load the object with one of its two schedulers: the other's struct_ops
 * map (and, for the cpu form, the arena) is not created, so its programs
 * are not loaded either.
 */
static enum scx_test_status setup_common(void **ctxp, bool cid_form)
{
	struct ctx *c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kfuncs); i++) {
		if (!__COMPAT_has_ksym(kfuncs[i])) {
			printf("kernel lacks %s (7.3 has the cid kfuncs)\n",
			       kfuncs[i]);
			return SCX_TEST_SKIP_KERNEL;
		}
	}
	for (i = 0; cid_form && i < ARRAY_SIZE(cid_form_kfuncs); i++) {
		if (!__COMPAT_has_ksym(cid_form_kfuncs[i])) {
			printf("kernel lacks %s (7.3 has cid-form schedulers)\n",
			       cid_form_kfuncs[i]);
			return SCX_TEST_SKIP_KERNEL;
		}
	}
	if (cid_form &&
	    !__COMPAT_struct_has_field("sched_ext_ops_cid", "init_cids")) {
		printf("kernel lacks struct sched_ext_ops_cid (7.3 has it)\n");
		return SCX_TEST_SKIP_KERNEL;
	}
	if (scx_util_nr_cpus() < 4 || scx_util_nr_cpus() > MAX_CPUS ||
	    access(SYS_CPU "/cpu1/online", W_OK) ||
	    !scx_util_cpu_online(OFF_CPU)) {
		printf("needs 4 to %d CPUs, CPU %d online and hotpluggable\n",
		       MAX_CPUS, OFF_CPU);
		return SCX_TEST_SKIP;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->spinner = c->sleeper = -1;
	*ctxp = c;
	c->skel = cids__open();
	if (!c->skel)
		SCX_FAIL("cannot open the BPF object");
	if (cid_form) {
		bpf_map__set_autocreate(c->skel->maps.cids_ops, false);
	} else {
		bpf_map__set_autocreate(c->skel->maps.cids_cid_ops, false);
		bpf_map__set_autocreate(c->skel->maps.arena, false);
	}
	if (SCX_UTIL_LOAD(c->skel, cids, cids_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

static enum scx_test_status setup(void **ctxp)
{
	return setup_common(ctxp, false);
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct cids__bss *bss = c->skel->bss;
	const struct expect *e = &c->e;
	u64 ran[MAX_CPUS];
	pid_t workers[MAX_CPUS];
	int cpu, base, by_cpu, by_cid, ok;

	/* 0. CPU 1 offline at enable: it gets the last cid. */
	SCX_EQ(scx_util_set_cpu_online(OFF_CPU, false), 0);
	c->offlined = true;
	c->possible = read_cpu_list(SYS_CPU "/possible");
	c->online = read_cpu_list(SYS_CPU "/online");
	SCX_ASSERT(!(c->online & (1ULL << OFF_CPU)));
	SCX_EQ(c->possible & 0xf, 0xf);
	expect_walk(&c->e, c->possible, c->online);
	c->link = scx_util_attach(c->skel->maps.cids_ops);
	if (!c->link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	check_map(c, false);
	/* Not the identity: a cid taken for a CPU would show. */
	SCX_ASSERT(e->cid_of[OFF_CPU] == e->nr - 1 && OFF_CPU != e->nr - 1);

	/* 1. CPU 1 comes back: one more online cid, the same mapping. */
	SCX_EQ(scx_util_set_cpu_online(OFF_CPU, true), 0);
	c->offlined = false;
	check_alive(c);
	SCX_EQ(bss->nr_online_log, 1);
	SCX_EQ(bss->online_log[0], OFF_CPU);
	check_map(c, true);
	SCX_EQ(bss->nr_online_cids, __builtin_popcountll(c->online) + 1);

	/* 2. Something runs on every CPU; each saw its own cid. */
	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!(c->possible & (1ULL << cpu)))
			continue;
		ran[cpu] = bss->nr_running[cpu];
		workers[cpu] = spawn_on(cpu, scx_util_spin_ms,
					(void *)(long)WORKER_MS);
	}
	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!(c->possible & (1ULL << cpu)))
			continue;
		SCX_EQ(scx_util_wait(workers[cpu], 5000), 0);
		printf("CPU %d: ops.running() saw this_cid %d (%llu times)\n",
		       cpu, bss->this_cid[cpu],
		       (unsigned long long)(bss->nr_running[cpu] - ran[cpu]));
		SCX_ASSERT(bss->nr_running[cpu] > ran[cpu]);
		SCX_PROVE_EQ("kfunc:scx_bpf_this_cid", bss->this_cid[cpu],
			     e->cid_of[cpu]);
	}

	/* 3. Pinned tasks: their cids, and who runs at CPU 1's cid. */
	c->spinner = spawn_on(OFF_CPU, scx_util_spin_forever, NULL);
	c->sleeper = spawn_on(SLEEP_CPU, sleep_forever, NULL);
	probe_task(c, c->sleeper);
	printf("sleeper on CPU %d: task_cpu %d task_cid %d\n", SLEEP_CPU,
	       bss->task_cpu, bss->task_cid);
	SCX_EQ(bss->task_cpu, SLEEP_CPU);
	SCX_PROVE_EQ("kfunc:scx_bpf_task_cid", bss->task_cid,
		     e->cid_of[SLEEP_CPU]);
	probe_task(c, c->spinner);
	printf("spinner on CPU %d: task_cpu %d task_cid %d\n", OFF_CPU,
	       bss->task_cpu, bss->task_cid);
	SCX_EQ(bss->task_cpu, OFF_CPU);
	SCX_PROVE_EQ("kfunc:scx_bpf_task_cid", bss->task_cid,
		     e->cid_of[OFF_CPU]);

	/* A kworker may hold the CPU for a moment: wait for the spinner. */
	bss->curr_cid = e->cid_of[OFF_CPU];
	bss->curr_cpu = OFF_CPU;
	ok = SCX_WAIT_FOR(!scx_util_run_prog(c->skel->progs.probe_curr) &&
			  bss->cpu_curr_pid == c->spinner &&
			  bss->cid_curr_pid == c->spinner, 3000);
	printf("curr at cid %d: pid %d; at CPU %d: pid %d; spinner %d\n",
	       bss->curr_cid, bss->cid_curr_pid, OFF_CPU, bss->cpu_curr_pid,
	       c->spinner);
	SCX_PROVE_MSG("kfunc:scx_bpf_cid_curr", ok,
		      "the spinner never was curr at cid %d", bss->curr_cid);

	/* 4. cidperf from ops.tick(), by the cids checked above. */
	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		bss->cid_of[cpu] = bss->cpu_to_cid[cpu];
	bss->perf_on = true;
	/* The spinner keeps CPU 1 ticking. */
	SCX_ASSERT(SCX_WAIT_FOR(bss->perf[OFF_CPU].nr_ticks >= 2, 3000));
	check_alive(c);
	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		const struct cid_perf *p = &bss->perf[cpu];

		if (!p->nr_ticks)
			continue;
		printf("CPU %d cid %d: cap %u (by CPU %u) cur %u (by CPU %u) set %d target %u, %llu ticks\n",
		       cpu, e->cid_of[cpu], p->cid_cap, p->cpu_cap, p->cid_cur,
		       p->cpu_cur, p->set_ret, p->target,
		       (unsigned long long)p->nr_ticks);
		/*
		 * Checked but not proven: every CPU of the VM reads 1024, so
		 * a cid taken for the wrong CPU would pass as well.
		 */
		SCX_EQ(p->cid_cap, p->cpu_cap);
		SCX_EQ(p->cid_cur, p->cpu_cur);
		SCX_PROVE_EQ("kfunc:scx_bpf_cidperf_set", p->set_ret, 0);
		SCX_PROVE_EQ("kfunc:scx_bpf_cidperf_set", p->target,
			     PERF_BASE + e->cid_of[cpu]);
	}
	bss->perf_on = false;

	/* 5. Kicks of the idle CPU 2, by nobody, by CPU and by cid. */
	base = kick_rounds(c, IDLE_CPU, KICK_NONE, KICK_ROUNDS);
	by_cpu = kick_rounds(c, IDLE_CPU, KICK_BY_CPU, KICK_ROUNDS);
	by_cid = kick_rounds(c, IDLE_CPU, KICK_BY_CID, KICK_ROUNDS);
	printf("CPU %d (cid %d) dispatched in %d/%d rounds unkicked, %d/%d kicked by CPU, %d/%d by cid\n",
	       IDLE_CPU, e->cid_of[IDLE_CPU], base, KICK_ROUNDS, by_cpu,
	       KICK_ROUNDS, by_cid, KICK_ROUNDS);
	check_alive(c);
	SCX_ASSERT(base <= KICK_ROUNDS / 2);
	SCX_ASSERT(by_cpu >= KICK_ROUNDS - 2);
	SCX_PROVE("kfunc:scx_bpf_kick_cid", by_cid >= KICK_ROUNDS - 2);

	scx_util_stop(c->spinner);
	c->spinner = -1;
	scx_util_detach(c->link);
	c->link = NULL;
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	return SCX_TEST_PASS;
}

static enum scx_test_status setup_form(void **ctxp)
{
	return setup_common(ctxp, true);
}

static enum scx_test_status run_form(void *arg)
{
	struct ctx *c = arg;
	struct cids__bss *bss = c->skel->bss;
	struct bpf_map *arena = c->skel->maps.arena;
	size_t size = (size_t)bpf_map__max_entries(arena) * getpagesize();
	size_t unused;
	char *base = bpf_map__initial_value(arena, &unused);
	s32 *cpu_to_cid = (s32 *)base, *shard_start = (s32 *)(base + 1024);
	const struct cmask *m;
	int v[NR_LVLS][2];
	int nr, cpu, cid, lvl, half;
	uintptr_t addr;

	SCX_ASSERT(base);
	/* CPU 1 offline at enable, so that it can come online later. */
	SCX_EQ(scx_util_set_cpu_online(OFF_CPU, false), 0);
	c->offlined = true;
	c->possible = read_cpu_list(SYS_CPU "/possible");
	c->online = read_cpu_list(SYS_CPU "/online");
	nr = __builtin_popcountll(c->possible);
	/* One cid for each of CPUs 0 to nr - 1: no holes. */
	SCX_EQ(c->possible, (1ULL << nr) - 1);
	half = nr / 2;

	/* The override, in the arena: a ring of cids, in two shards. */
	for (cpu = 0; cpu < nr; cpu++)
		cpu_to_cid[cpu] = ring_cid(cpu, nr);
	shard_start[0] = 0;
	shard_start[1] = half;
	bss->ovr_cpu_to_cid = (uintptr_t)cpu_to_cid;
	bss->ovr_shard_start = (uintptr_t)shard_start;
	bss->ovr_nr_cpus = nr;
	bss->ovr_nr_shards = 2;

	c->link = scx_util_attach(c->skel->maps.cids_cid_ops);
	if (!c->link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	check_alive(c);
	printf("ops.init_cids() was call %u, ops.init() call %u\n",
	       bss->init_cids_seq, bss->init_seq);
	SCX_PROVE("ops:init_cids", bss->init_cids_seq == 1 && bss->init_seq == 2);

	/* The kernel answers by our mapping, and keeps no topology of its own. */
	bss->possible_bits = c->possible;
	SCX_EQ(scx_util_run_prog(c->skel->progs.probe_map), 0);
	check_alive(c);
	SCX_EQ(bss->nr_cids, nr);
	printf("cid cpu (expected)  core/llc/node cid  shard cid/idx\n");
	for (cid = 0; cid < nr; cid++) {
		topo_of(&bss->topo[cid], v);
		printf("  %3d %3d (%3d)  %3d/%d/%d  %3d/%d\n", cid,
		       bss->cid_to_cpu[cid], (cid + nr - 1) % nr, v[0][0],
		       v[1][0], v[2][0], bss->topo[cid].shard_cid,
		       bss->topo[cid].shard_idx);
	}
	for (cpu = 0; cpu < nr; cpu++) {
		cid = ring_cid(cpu, nr);
		SCX_PROVE_MSG("kfunc:scx_bpf_cid_override",
			      bss->cpu_to_cid[cpu] == cid &&
			      bss->cid_to_cpu[cid] == cpu,
			      "CPU %d: cid %d (cid %d: CPU %d), expected %d",
			      cpu, bss->cpu_to_cid[cpu], cid,
			      bss->cid_to_cpu[cid], cid);
	}
	/* No core, LLC or node any more; the shards are ours. */
	for (cid = 0; cid < nr; cid++) {
		topo_of(&bss->topo[cid], v);
		for (lvl = 0; lvl < NR_LVLS; lvl++)
			SCX_PROVE_MSG("kfunc:scx_bpf_cid_override",
				      v[lvl][0] == -1 && v[lvl][1] == -1,
				      "cid %d: %s cid/idx %d/%d after the override",
				      cid, lvl_name[lvl], v[lvl][0], v[lvl][1]);
		SCX_PROVE_EQ("kfunc:scx_bpf_cid_override",
			     bss->topo[cid].shard_idx, cid < half ? 0 : 1);
		SCX_PROVE_EQ("kfunc:scx_bpf_cid_override",
			     bss->topo[cid].shard_cid, cid < half ? 0 : half);
	}

	/*
	 * The online cmask: an arena offset, which in our mapping of the
	 * arena is at the same low 32 bits.
	 */
	printf("online cmask at arena offset 0x%llx\n",
	       (unsigned long long)bss->online_cmask);
	SCX_ASSERT(bss->online_cmask);
	/* The same from any program, for as long as the scheduler lives. */
	SCX_PROVE_EQ("kfunc:scx_bpf_online_cmask", bss->probed_cmask,
		     bss->online_cmask);
	addr = ((uintptr_t)base & ~0xffffffffULL) | (u32)bss->online_cmask;
	SCX_ASSERT(addr >= (uintptr_t)base &&
		   addr + sizeof(*m) + sizeof(u64) <= (uintptr_t)base + size);
	m = (const struct cmask *)addr;
	printf("cmask: base %u nr_cids %u alloc_words %u bits 0x%llx, CPU %d offline\n",
	       m->base, m->nr_cids, m->alloc_words,
	       (unsigned long long)m->bits[0], OFF_CPU);
	SCX_EQ(m->base, 0);
	SCX_EQ(m->nr_cids, nr);
	SCX_PROVE_EQ("kfunc:scx_bpf_online_cmask", m->bits[0],
		     ring_cids(c->online, nr));

	/* CPU 1 comes online: its cid's bit, and ops.cid_online() with it. */
	SCX_EQ(scx_util_set_cpu_online(OFF_CPU, true), 0);
	c->offlined = false;
	check_alive(c);
	printf("cmask bits 0x%llx with CPU %d online; ops.cid_online(%d)\n",
	       (unsigned long long)__atomic_load_n(&m->bits[0], __ATOMIC_RELAXED),
	       OFF_CPU, bss->nr_cid_online_log ? bss->cid_online_log[0] : -1);
	SCX_EQ(bss->nr_cid_online_log, 1);
	SCX_EQ(bss->cid_online_log[0], ring_cid(OFF_CPU, nr));
	SCX_PROVE_EQ("kfunc:scx_bpf_online_cmask", m->bits[0],
		     ring_cids(c->online | 1ULL << OFF_CPU, nr));

	scx_util_detach(c->link);
	c->link = NULL;
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	scx_util_stop(c->spinner);
	scx_util_stop(c->sleeper);
	if (c->link)
		scx_util_detach(c->link);
	cids__destroy(c->skel);
	if (c->offlined)
		scx_util_set_cpu_online(OFF_CPU, true);
	free(c);
}

static struct scx_test cids_test = {
	.name		= "cids",
	.description	= "7.3: a cpu-form scheduler's cid kfuncs agree with the topology walk over sysfs, with hotplug, with the CPUs of pinned tasks, with the cpuperf kfuncs and with kicks by CPU",
	.covers		= "kfunc:scx_bpf_nr_cids kfunc:scx_bpf_nr_online_cids kfunc:scx_bpf_cpu_to_cid kfunc:scx_bpf_cid_to_cpu kfunc:scx_bpf_cid_topo kfunc:scx_bpf_this_cid kfunc:scx_bpf_task_cid kfunc:scx_bpf_cid_curr kfunc:scx_bpf_kick_cid kfunc:scx_bpf_cidperf_set",
	.timeout	= 60,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&cids_test)

static struct scx_test cids_form_test = {
	.name		= "cids_form",
	.description	= "7.3: a cid-form scheduler's ops.init_cids() replaces the cid mapping with scx_bpf_cid_override(), and scx_bpf_online_cmask() is the online cids, through hotplug",
	.covers		= "ops:init_cids kfunc:scx_bpf_cid_override kfunc:scx_bpf_online_cmask",
	.timeout	= 60,
	.setup		= setup_form,
	.run		= run_form,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&cids_form_test)
