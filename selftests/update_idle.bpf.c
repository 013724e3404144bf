// SPDX-License-Identifier: GPL-2.0
/*
 * ops.update_idle(cpu, idle) reports a CPU going idle (the idle task is
 * picked) and going busy (something else is).  Defining it turns off the
 * kernel's own idle tracking unless SCX_OPS_KEEP_BUILTIN_IDLE is set, so a
 * scheduler that wants both must ask; with the flag, the built-in idle
 * cpumask and scx_bpf_select_cpu_dfl() keep working.
 *
 * We keep each CPU's last reported state, count reports that repeat the
 * state (a transition must alternate), and, when keep_idle is set, compare
 * our state with the built-in idle mask on every report.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define MAX_CPUS	64

enum { ST_UNKNOWN, ST_IDLE, ST_BUSY };

const volatile bool keep_idle;

/* User space sets this once we are attached, and clears it to stop. */
bool recording;
u32 cpu_state[MAX_CPUS];
u64 nr_idle[MAX_CPUS], nr_busy[MAX_CPUS];
u64 nr_repeat, nr_bad_cpu;
/* With keep_idle: reports where the built-in mask disagreed. */
u64 nr_mask_checked, nr_mask_disagree;
u64 nr_select_idle;

void BPF_STRUCT_OPS(update_idle_update_idle, s32 cpu, bool idle)
{
	const struct cpumask *mask;
	u32 *state;

	if (!recording)
		return;
	if (cpu != bpf_get_smp_processor_id())
		__sync_fetch_and_add(&nr_bad_cpu, 1);
	if (cpu < 0 || cpu >= MAX_CPUS) {
		__sync_fetch_and_add(&nr_bad_cpu, 1);
		return;
	}
	state = &cpu_state[cpu & (MAX_CPUS - 1)];
	if (*state == (idle ? ST_IDLE : ST_BUSY))
		__sync_fetch_and_add(&nr_repeat, 1);
	*state = idle ? ST_IDLE : ST_BUSY;
	if (idle)
		__sync_fetch_and_add(&nr_idle[cpu & (MAX_CPUS - 1)], 1);
	else
		__sync_fetch_and_add(&nr_busy[cpu & (MAX_CPUS - 1)], 1);

	if (!keep_idle || !idle)
		return;
	/*
	 * We are told before the kernel updates its mask, and the CPU left
	 * the mask when it last went busy (or when an idle picker took it),
	 * so a CPU going idle must not be in it yet.
	 */
	mask = scx_bpf_get_idle_cpumask();
	__sync_fetch_and_add(&nr_mask_checked, 1);
	if (bpf_cpumask_test_cpu(cpu, mask))
		__sync_fetch_and_add(&nr_mask_disagree, 1);
	scx_bpf_put_idle_cpumask(mask);
}

s32 BPF_STRUCT_OPS(update_idle_select_cpu, struct task_struct *p,
		   s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu;

	/* Without the flag this would be an error: built-in idle is off. */
	if (!keep_idle)
		return prev_cpu;
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	if (is_idle) {
		if (recording)
			__sync_fetch_and_add(&nr_select_idle, 1);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(update_idle_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(update_idle_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(update_idle_ops,
	       .select_cpu	= (void *)update_idle_select_cpu,
	       .enqueue		= (void *)update_idle_enqueue,
	       .update_idle	= (void *)update_idle_update_idle,
	       .exit		= (void *)update_idle_exit,
	       .name		= "update_idle_test");
