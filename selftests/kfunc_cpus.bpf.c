// SPDX-License-Identifier: GPL-2.0
/*
 * The kfuncs that describe CPUs and tasks: CPU counts and masks, the
 * built-in idle tracking and its pickers, where a task is and whether it
 * runs, and kicking a CPU.  They may be called from any context, so the
 * test calls them through BPF_PROG_TYPE_SYSCALL programs at moments it
 * chooses, while this scheduler (which only counts dispatches per CPU, to
 * see kicks arrive and idle reports, and wakes tasks on CPU 0) is attached
 * and keeps the built-in idle tracking on.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define MAX_CPUS	64

/* Filled in by probe_cpus. */
u32 nr_cpu_ids;
u32 nr_possible, nr_online;
u64 possible_bits, online_bits;
u64 idle_bits, smt_bits;

/* Arguments and results of probe_task. */
s32 task_pid;
bool task_running, task_found;
s32 task_cpu;

/* Arguments and results of probe_pick. */
u64 pick_from;
s32 picked_idle = -100, picked_any = -100;
bool reclaimed;

/*
 * Arguments and results of claim: two scx_bpf_test_and_clear_cpu_idle()
 * in a row on one CPU.
 */
s32 claim_cpu;
bool claimed_first, claimed_again;

/*
 * Arguments and results of probe_any: a pick from {busy_cpu, idle_cpu}
 * when idle_cpu was in the idle mask just before, and how many of those
 * picks chose it.
 */
s32 any_busy_cpu, any_idle_cpu;
u64 nr_any_idle, nr_any_chose_idle;

/* Arguments of kick: the CPU; ops.dispatch() counts per CPU. */
s32 kick_target;
u64 nr_dispatch[MAX_CPUS];

/* Idle reports per CPU, from ops.update_idle(). */
u64 nr_went_idle[MAX_CPUS];

static u64 mask_bits(const struct cpumask *mask)
{
	u64 bits = 0;
	u32 cpu;

	bpf_for(cpu, 0, MAX_CPUS) {
		if (bpf_cpumask_test_cpu(cpu, mask))
			bits |= 1ULL << cpu;
	}
	return bits;
}

SEC("syscall")
int probe_cpus(void *ctx)
{
	const struct cpumask *mask;

	nr_cpu_ids = scx_bpf_nr_cpu_ids();
	mask = scx_bpf_get_possible_cpumask();
	nr_possible = bpf_cpumask_weight(mask);
	possible_bits = mask_bits(mask);
	scx_bpf_put_cpumask(mask);
	mask = scx_bpf_get_online_cpumask();
	nr_online = bpf_cpumask_weight(mask);
	online_bits = mask_bits(mask);
	scx_bpf_put_cpumask(mask);

	mask = scx_bpf_get_idle_cpumask();
	idle_bits = mask_bits(mask);
	scx_bpf_put_idle_cpumask(mask);
	mask = scx_bpf_get_idle_smtmask();
	smt_bits = mask_bits(mask);
	scx_bpf_put_idle_cpumask(mask);
	return 0;
}

SEC("syscall")
int probe_task(void *ctx)
{
	struct task_struct *p = bpf_task_from_pid(task_pid);

	task_found = p;
	if (!p)
		return 0;
	task_running = scx_bpf_task_running(p);
	task_cpu = scx_bpf_task_cpu(p);
	bpf_task_release(p);
	return 0;
}

SEC("syscall")
int probe_pick(void *ctx)
{
	struct bpf_cpumask *mask = bpf_cpumask_create();
	u32 cpu;

	if (!mask)
		return -ENOMEM;
	bpf_for(cpu, 0, MAX_CPUS) {
		if (pick_from & (1ULL << cpu))
			bpf_cpumask_set_cpu(cpu, mask);
	}
	/* Takes an idle CPU of the mask out of the idle mask... */
	picked_idle = scx_bpf_pick_idle_cpu(cast_mask(mask), 0);
	/* ...so it cannot be taken again, */
	if (picked_idle >= 0)
		reclaimed = scx_bpf_test_and_clear_cpu_idle(picked_idle);
	/* and any CPU of the mask will do when idle or not. */
	picked_any = scx_bpf_pick_any_cpu(cast_mask(mask), 0);
	bpf_cpumask_release(mask);
	return 0;
}

SEC("syscall")
int claim(void *ctx)
{
	claimed_first = scx_bpf_test_and_clear_cpu_idle(claim_cpu);
	claimed_again = scx_bpf_test_and_clear_cpu_idle(claim_cpu);
	return 0;
}

SEC("syscall")
int probe_any(void *ctx)
{
	struct bpf_cpumask *mask;
	const struct cpumask *idle;
	bool was_idle;
	s32 cpu;

	idle = scx_bpf_get_idle_cpumask();
	was_idle = bpf_cpumask_test_cpu(any_idle_cpu, idle);
	scx_bpf_put_idle_cpumask(idle);
	if (!was_idle)
		return 0;

	mask = bpf_cpumask_create();
	if (!mask)
		return -ENOMEM;
	bpf_cpumask_set_cpu(any_busy_cpu, mask);
	bpf_cpumask_set_cpu(any_idle_cpu, mask);
	cpu = scx_bpf_pick_any_cpu(cast_mask(mask), 0);
	bpf_cpumask_release(mask);
	__sync_fetch_and_add(&nr_any_idle, 1);
	if (cpu == any_idle_cpu)
		__sync_fetch_and_add(&nr_any_chose_idle, 1);
	return 0;
}

SEC("syscall")
int kick(void *ctx)
{
	scx_bpf_kick_cpu(kick_target, SCX_KICK_IDLE);
	return 0;
}

/*
 * Wake every task that may run there on CPU 0, and leave the idle choice
 * alone: the other CPUs then leave idle only for their own kthreads, and
 * the test can tell a kicked CPU from one that would have woken anyway.
 */
s32 BPF_STRUCT_OPS(kfunc_cpus_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	return bpf_cpumask_test_cpu(0, p->cpus_ptr) ? 0 : prev_cpu;
}

void BPF_STRUCT_OPS(kfunc_cpus_dispatch, s32 cpu, struct task_struct *prev)
{
	if (cpu >= 0 && cpu < MAX_CPUS)
		__sync_fetch_and_add(&nr_dispatch[cpu & (MAX_CPUS - 1)], 1);
}

/*
 * Only counts: with SCX_OPS_KEEP_BUILTIN_IDLE the kernel keeps the idle
 * masks the kfuncs read.
 */
void BPF_STRUCT_OPS(kfunc_cpus_update_idle, s32 cpu, bool idle)
{
	if (idle && cpu >= 0 && cpu < MAX_CPUS)
		__sync_fetch_and_add(&nr_went_idle[cpu & (MAX_CPUS - 1)], 1);
}

void BPF_STRUCT_OPS(kfunc_cpus_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(kfunc_cpus_ops,
	       .select_cpu	= (void *)kfunc_cpus_select_cpu,
	       .dispatch	= (void *)kfunc_cpus_dispatch,
	       .update_idle	= (void *)kfunc_cpus_update_idle,
	       .flags		= SCX_OPS_KEEP_BUILTIN_IDLE,
	       .exit		= (void *)kfunc_cpus_exit,
	       .name		= "kfunc_cpus_test");
