// SPDX-License-Identifier: GPL-2.0
/*
 * 7.3's cids (CPU ids), from two schedulers: a cpu-form one (test cids)
 * and a cid-form one (test cids_form, at the end of this file).
 *
 * A cid is a CPU's place in a dense, topology-ordered numbering: when a
 * root scheduler is enabled the kernel walks the online CPUs node by node,
 * LLC by LLC and core by core and hands out cids 0, 1, 2... in that order,
 * then gives the possible CPUs that were offline the cids at the end, with
 * no topology (all -1).  The mapping then stays put for the scheduler's
 * lifetime, hotplug or not.  The cid kfuncs are meant for cid-form
 * schedulers (struct sched_ext_ops_cid), but the kernel lets a cpu-form one
 * call them too, to ease migration.  The cpu-form scheduler does, and the
 * test holds each answer against what it knows from elsewhere:
 * - the mapping (scx_bpf_cpu_to_cid(), scx_bpf_cid_to_cpu(),
 *   scx_bpf_cid_topo(), scx_bpf_nr_cids()) against the same walk done by
 *   user space over sysfs topology, from the syscall program probe_map;
 * - scx_bpf_nr_online_cids() against sysfs, before and after a CPU comes
 *   online under the scheduler (which has ops.cpu_online() so that it
 *   stays);
 * - scx_bpf_this_cid() in ops.running() against the cid of the CPU it runs
 *   on; scx_bpf_task_cid() and scx_bpf_cid_curr() against tasks user space
 *   pinned to known CPUs;
 * - scx_bpf_kick_cid() against an idle CPU: it must go through
 *   ops.dispatch() as it does for scx_bpf_kick_cpu(), and more often than
 *   when nobody kicks it;
 * - the cidperf kfuncs in ops.tick(), where the ticking CPU's rq is locked:
 *   cap and cur must equal the cpuperf values of the same CPU, and a target
 *   set by cid must land in that CPU's rq.  (Where every CPU has the same
 *   capacity and no frequency scaling, as in a VM, cap and cur are 1024
 *   for any cid: only the equality is the kernel's promise.)
 * User space first offlines CPU 1 so that the mapping is not the identity
 * (CPU 1 gets the last cid): a cid passed where a CPU is meant, or the
 * other way round, then shows.
 *
 * 6.12 has no cids.  So that this builds against 6.12's vmlinux.h, the
 * kfuncs are weak and the 7.3 types are declared here with a ___cids
 * suffix (libbpf matches them to the kernel's by name, member by member);
 * user space skips before loading there.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define MAX_CPUS	64
/* cidperf targets: PERF_BASE + cid, none of them SCX_CPUPERF_ONE. */
#define PERF_BASE	512

struct scx_cid_topo___cids {
	s32 core_cid;
	s32 core_idx;
	s32 llc_cid;
	s32 llc_idx;
	s32 node_cid;
	s32 node_idx;
	s32 shard_cid;
	s32 shard_idx;
};

u32 scx_bpf_nr_cids(void) __ksym __weak;
u32 scx_bpf_nr_online_cids(void) __ksym __weak;
s32 scx_bpf_cpu_to_cid(s32 cpu) __ksym __weak;
s32 scx_bpf_cid_to_cpu(s32 cid) __ksym __weak;
void scx_bpf_cid_topo(s32 cid, struct scx_cid_topo___cids *out,
		      size_t out__sz) __ksym __weak;
s32 scx_bpf_this_cid(void) __ksym __weak;
s32 scx_bpf_task_cid(const struct task_struct *p) __ksym __weak;
struct task_struct *scx_bpf_cid_curr(s32 cid) __ksym __weak;
void scx_bpf_kick_cid(s32 cid, u64 flags) __ksym __weak;
u32 scx_bpf_cidperf_cap(s32 cid) __ksym __weak;
u32 scx_bpf_cidperf_cur(s32 cid) __ksym __weak;
s32 scx_bpf_cidperf_set(s32 cid, u32 perf) __ksym __weak;
const void *scx_bpf_online_cmask(void) __ksym __weak;

/* probe_map: in, the possible CPUs (user space asks for no other). */
u64 possible_bits;
/* Out. */
u32 nr_cids, nr_online_cids, nr_cpu_ids;
u64 probed_cmask;		/* scx_bpf_online_cmask() */
s32 cpu_to_cid[MAX_CPUS];
s32 cid_to_cpu[MAX_CPUS];
struct scx_cid_topo___cids topo[MAX_CPUS];

/* probe_task: in, a pid; out, where the task is. */
s32 task_pid;
s32 task_cid, task_cpu;

/* probe_curr: in, a cid and a CPU; out, the pids of their curr (-1: NULL). */
s32 curr_cid, curr_cpu;
s32 cid_curr_pid, cpu_curr_pid;

/* kick: in, whom and how. */
enum { KICK_NONE, KICK_BY_CPU, KICK_BY_CID };
u32 kick_how;
s32 kick_cpu_arg, kick_cid_arg;

/* ops.running(): per CPU, the last scx_bpf_this_cid() and how many. */
s32 this_cid[MAX_CPUS];
u64 nr_running[MAX_CPUS];

/* ops.dispatch() per CPU, to see kicks arrive. */
u64 nr_dispatch[MAX_CPUS];

/* ops.cpu_online(), in order. */
#define MAX_LOG		8
s32 online_log[MAX_LOG];
u32 nr_online_log;

/*
 * ops.tick(): once user space has filled cid_of[] (checked by then against
 * its own walk) and set perf_on, each ticking CPU asks for PERF_BASE + its
 * cid through its cid and records what it saw.
 */
struct cid_perf {
	u32 cid_cap, cpu_cap;
	u32 cid_cur, cpu_cur;
	s32 set_ret;
	u32 target;	/* rq->scx.cpuperf_target after the request */
	u64 nr_ticks;
};

bool perf_on;
s32 cid_of[MAX_CPUS];
struct cid_perf perf[MAX_CPUS];

SEC("syscall")
int probe_map(void *ctx)
{
	u32 i;

	nr_cids = scx_bpf_nr_cids();
	nr_online_cids = scx_bpf_nr_online_cids();
	nr_cpu_ids = scx_bpf_nr_cpu_ids();
	/* NULL unless the scheduler is a cid-form one (see the end). */
	probed_cmask = (u64)scx_bpf_online_cmask();

	/* An impossible CPU or a cid past the end would fail the scheduler. */
	bpf_for(i, 0, MAX_CPUS) {
		if (i >= nr_cpu_ids || !(possible_bits & (1ULL << i)))
			continue;
		cpu_to_cid[i] = scx_bpf_cpu_to_cid(i);
	}
	bpf_for(i, 0, MAX_CPUS) {
		if (i >= nr_cids)
			break;
		cid_to_cpu[i] = scx_bpf_cid_to_cpu(i);
		scx_bpf_cid_topo(i, &topo[i], sizeof(topo[i]));
	}
	return 0;
}

SEC("syscall")
int probe_task(void *ctx)
{
	struct task_struct *p = bpf_task_from_pid(task_pid);

	if (!p)
		return -ESRCH;
	task_cid = scx_bpf_task_cid(p);
	task_cpu = scx_bpf_task_cpu(p);
	bpf_task_release(p);
	return 0;
}

SEC("syscall")
int probe_curr(void *ctx)
{
	struct task_struct *p;

	/* The tasks are only safe to look at under RCU. */
	bpf_rcu_read_lock();
	p = scx_bpf_cid_curr(curr_cid);
	cid_curr_pid = p ? p->pid : -1;
	p = scx_bpf_cpu_curr(curr_cpu);
	cpu_curr_pid = p ? p->pid : -1;
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int kick(void *ctx)
{
	/* SCX_KICK_IDLE: wake the CPU if idle, leave it alone if not. */
	if (kick_how == KICK_BY_CPU)
		scx_bpf_kick_cpu(kick_cpu_arg, SCX_KICK_IDLE);
	else if (kick_how == KICK_BY_CID)
		scx_bpf_kick_cid(kick_cid_arg, SCX_KICK_IDLE);
	return 0;
}

/*
 * Every wakeup that may go to CPU 0 goes there, so that the other CPUs
 * leave idle only for tasks pinned to them and for kicks: an idle CPU that
 * dispatches then shows a kick arrived.
 */
s32 BPF_STRUCT_OPS(cids_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	return bpf_cpumask_test_cpu(0, p->cpus_ptr) ? 0 : prev_cpu;
}

void BPF_STRUCT_OPS(cids_dispatch, s32 cpu, struct task_struct *prev)
{
	if (cpu >= 0 && cpu < MAX_CPUS)
		__sync_fetch_and_add(&nr_dispatch[cpu & (MAX_CPUS - 1)], 1);
}

void BPF_STRUCT_OPS(cids_running, struct task_struct *p)
{
	/*
	 * Index by the CPU this runs on, which is the CPU scx_bpf_this_cid()
	 * answers for, even when ops.running() is called for a task of
	 * another CPU.
	 */
	u32 cpu = bpf_get_smp_processor_id();

	if (cpu >= MAX_CPUS)
		return;
	this_cid[cpu & (MAX_CPUS - 1)] = scx_bpf_this_cid();
	__sync_fetch_and_add(&nr_running[cpu & (MAX_CPUS - 1)], 1);
}

void BPF_STRUCT_OPS(cids_tick, struct task_struct *p)
{
	u32 cpu = bpf_get_smp_processor_id();
	struct cid_perf *cp;
	struct rq *rq;
	s32 cid;

	if (!perf_on || cpu >= MAX_CPUS)
		return;
	cp = &perf[cpu & (MAX_CPUS - 1)];
	cid = cid_of[cpu & (MAX_CPUS - 1)];

	cp->cid_cap = scx_bpf_cidperf_cap(cid);
	cp->cpu_cap = scx_bpf_cpuperf_cap(cpu);
	cp->cid_cur = scx_bpf_cidperf_cur(cid);
	cp->cpu_cur = scx_bpf_cpuperf_cur(cpu);
	/*
	 * With an rq locked the kernel only lets a target be set on that rq's
	 * CPU: a cid that is not this CPU's fails the scheduler.
	 */
	cp->set_ret = scx_bpf_cidperf_set(cid, PERF_BASE + cid);
	rq = scx_bpf_locked_rq();
	if (rq)
		cp->target = rq->scx.cpuperf_target;
	cp->nr_ticks++;
}

void BPF_STRUCT_OPS(cids_cpu_online, s32 cpu)
{
	u32 i = __sync_fetch_and_add(&nr_online_log, 1);

	if (i < MAX_LOG)
		online_log[i] = cpu;
}

/* Only so that a CPU going offline does not unload the scheduler. */
void BPF_STRUCT_OPS(cids_cpu_offline, s32 cpu)
{
}

void BPF_STRUCT_OPS(cids_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(cids_ops,
	       .select_cpu	= (void *)cids_select_cpu,
	       .dispatch	= (void *)cids_dispatch,
	       .running		= (void *)cids_running,
	       .tick		= (void *)cids_tick,
	       .cpu_online	= (void *)cids_cpu_online,
	       .cpu_offline	= (void *)cids_cpu_offline,
	       .exit		= (void *)cids_exit,
	       .name		= "cids");

/*
 * The cid form, a second scheduler of its own (test cids_form): a struct
 * sched_ext_ops_cid, whose callbacks take cids where the cpu form's take
 * CPUs, and which must own a BPF arena.  It gets two things a cpu-form
 * scheduler cannot have:
 * - ops.init_cids(), called once the default mapping is built and before
 *   it is published, where scx_bpf_cid_override() may replace it: user
 *   space writes a mapping and a shard layout into the arena, and every
 *   cid kfunc must then answer by them (probe_map, above).
 * - scx_bpf_online_cmask(): the arena address of a cmask the kernel keeps
 *   of the online cids.  ops.init() passes it on, and user space reads the
 *   mask through its own mapping of the arena, before and after a CPU
 *   comes online.  (A cpu-form scheduler has no arena: it gets NULL.)
 * It schedules nothing itself: the kernel's defaults do.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 16);	/* pages: ours and the kernel's cmasks */
} arena SEC(".maps");

/* The members of 7.3's struct sched_ext_ops_cid this scheduler sets. */
struct sched_ext_ops_cid___cids {
	void (*cid_online)(s32 cid);
	void (*cid_offline)(s32 cid);
	s32 (*init_cids)(void);
	s32 (*init)(void);
	void (*exit)(struct scx_exit_info *info);
	char name[128];
};

void scx_bpf_cid_override(const s32 *cpu_to_cid__arena, u32 cpu_to_cid_cnt,
			  const s32 *shard_start__arena,
			  u32 shard_start_cnt) __ksym __weak;

/* Set by user space: arena addresses of its arrays, and their lengths. */
u64 ovr_cpu_to_cid, ovr_shard_start;
u32 ovr_nr_cpus, ovr_nr_shards;

/* The order of the calls, from 1; and what ops.init() got. */
u32 cf_seq, init_cids_seq, init_seq;
u64 online_cmask;

/* ops.cid_online(), in order. */
s32 cid_online_log[MAX_LOG];
u32 nr_cid_online_log;

s32 BPF_STRUCT_OPS_SLEEPABLE(cf_init_cids)
{
	/*
	 * The kernel takes a cid-form scheduler's arena from the programs
	 * that use it, and the verifier lets only a program that uses an
	 * arena pass arena addresses: name it here, though nothing reads it.
	 */
	asm volatile("" : : "r"(&arena));

	init_cids_seq = ++cf_seq;
	scx_bpf_cid_override((const s32 *)ovr_cpu_to_cid, ovr_nr_cpus,
			     (const s32 *)ovr_shard_start, ovr_nr_shards);
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(cf_init)
{
	init_seq = ++cf_seq;
	online_cmask = (u64)scx_bpf_online_cmask();
	return 0;
}

void BPF_STRUCT_OPS(cf_cid_online, s32 cid)
{
	u32 i = __sync_fetch_and_add(&nr_cid_online_log, 1);

	if (i < MAX_LOG)
		cid_online_log[i] = cid;
}

void BPF_STRUCT_OPS(cf_cid_offline, s32 cid)
{
}

void BPF_STRUCT_OPS(cf_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SEC(".struct_ops.link")
struct sched_ext_ops_cid___cids cids_cid_ops = {
	.cid_online	= (void *)cf_cid_online,
	.cid_offline	= (void *)cf_cid_offline,
	.init_cids	= (void *)cf_init_cids,
	.init		= (void *)cf_init,
	.exit		= (void *)cf_exit,
	.name		= "cids_form",
};
