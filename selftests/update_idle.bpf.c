// SPDX-License-Identifier: GPL-2.0
/*
 * ops.update_idle(cpu, idle) reports a CPU going idle (the idle task is
 * picked) and going busy (something else is).  Defining it turns off the
 * kernel's own idle tracking unless SCX_OPS_KEEP_BUILTIN_IDLE is set, so a
 * scheduler that wants both must ask; with the flag, the built-in idle
 * cpumask and scx_bpf_select_cpu_dfl() keep working.
 *
 * We keep each CPU's last reported state, count reports that repeat the
 * state (a transition must alternate), and, when keep_idle is set, look up
 * the reporting CPU in the built-in idle mask on every report.  User space
 * knows which way that must come out (see update_idle.c).
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
/* With keep_idle: reports checked against the mask, and those in it. */
u64 nr_idle_checked, nr_idle_in_mask;
u64 nr_busy_checked, nr_busy_in_mask;
u64 nr_select_idle;

void BPF_STRUCT_OPS(update_idle_update_idle, s32 cpu, bool idle)
{
	const struct cpumask *mask;
	u32 *state, prev;
	bool in_mask;

	if (!recording)
		return;
	if (cpu != bpf_get_smp_processor_id())
		__sync_fetch_and_add(&nr_bad_cpu, 1);
	if (cpu < 0 || cpu >= MAX_CPUS) {
		__sync_fetch_and_add(&nr_bad_cpu, 1);
		return;
	}
	state = &cpu_state[cpu & (MAX_CPUS - 1)];
	prev = *state;
	if (prev == (idle ? ST_IDLE : ST_BUSY))
		__sync_fetch_and_add(&nr_repeat, 1);
	/* Count first: user space reads the state, then the counts. */
	if (idle)
		__sync_fetch_and_add(&nr_idle[cpu & (MAX_CPUS - 1)], 1);
	else
		__sync_fetch_and_add(&nr_busy[cpu & (MAX_CPUS - 1)], 1);
	WRITE_ONCE(*state, idle ? ST_IDLE : ST_BUSY);

	if (!keep_idle)
		return;
	mask = scx_bpf_get_idle_cpumask();
	in_mask = bpf_cpumask_test_cpu(cpu, mask);
	scx_bpf_put_idle_cpumask(mask);
	/*
	 * Where the mask stood before this CPU's last busy report is
	 * unknown (6.12 marks every CPU idle when a scheduler is enabled),
	 * so only idle reports that follow one we saw are counted.
	 */
	if (idle && prev == ST_BUSY) {
		__sync_fetch_and_add(&nr_idle_checked, 1);
		if (in_mask)
			__sync_fetch_and_add(&nr_idle_in_mask, 1);
	} else if (!idle) {
		__sync_fetch_and_add(&nr_busy_checked, 1);
		if (in_mask)
			__sync_fetch_and_add(&nr_busy_in_mask, 1);
	}
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
