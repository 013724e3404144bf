// SPDX-License-Identifier: GPL-2.0
/*
 * The kfuncs that describe CPUs and tasks: CPU counts and masks, the
 * built-in idle tracking and its pickers, where a task is and whether it
 * runs, and kicking a CPU.  They may be called from any context, so the
 * test calls them through BPF_PROG_TYPE_SYSCALL programs at moments it
 * chooses, while this scheduler (which only counts dispatches per CPU, to
 * see kicks arrive) is attached and keeps the built-in idle tracking on.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define MAX_CPUS	64

/* Filled in by probe_cpus. */
u32 nr_cpu_ids;
u32 nr_possible, nr_online;
u64 idle_bits, smt_bits;

/* Arguments and results of probe_task. */
s32 task_pid;
bool task_running, task_found;
s32 task_cpu;

/* Arguments and results of probe_pick. */
u64 pick_from;
s32 picked_idle = -100, picked_any = -100;
bool reclaimed;

/* Arguments of kick: the CPU; ops.dispatch() counts per CPU. */
s32 kick_target;
u64 nr_dispatch[MAX_CPUS];

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
	scx_bpf_put_cpumask(mask);
	mask = scx_bpf_get_online_cpumask();
	nr_online = bpf_cpumask_weight(mask);
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
int kick(void *ctx)
{
	scx_bpf_kick_cpu(kick_target, SCX_KICK_IDLE);
	return 0;
}

void BPF_STRUCT_OPS(kfunc_cpus_dispatch, s32 cpu, struct task_struct *prev)
{
	if (cpu >= 0 && cpu < MAX_CPUS)
		__sync_fetch_and_add(&nr_dispatch[cpu & (MAX_CPUS - 1)], 1);
}

void BPF_STRUCT_OPS(kfunc_cpus_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(kfunc_cpus_ops,
	       .dispatch	= (void *)kfunc_cpus_dispatch,
	       .exit		= (void *)kfunc_cpus_exit,
	       .name		= "kfunc_cpus_test");
