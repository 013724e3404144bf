// SPDX-License-Identifier: GPL-2.0
/*
 * ops.select_cpu() runs on every wakeup of a task allowed on more than one
 * CPU, with the CPU the task last ran on and the wakeup flags.  We let the
 * kernel's default picker choose, queue the task straight on the chosen
 * CPU's local DSQ when it is idle, and record for one task (the test's
 * child, allowed on two CPUs) what the callback saw and where it then ran.
 *
 * User space keeps one of the two CPUs busy with a spinner.  For the child,
 * the idle cpumask is read just before the default picker runs: when the
 * picker says "idle", the CPU it chose should have been idle in that mask,
 * and must not be the spinner's CPU while the spinner holds it.  "Holds" is
 * what ops.running() and ops.stopping() tell: the spinner was on its CPU
 * before the pick and still is after it, with no stop in between.
 *
 * One such pick is allowed, and only before any pick of that CPU has
 * cleared its idle bit: 6.12 marks every online CPU idle when a scheduler
 * is enabled and lets the mask "converge" (reset_idle_masks()), so a CPU
 * that has run one task since never leaves idle and never clears its bit.
 * 7.3 starts with every CPU busy instead, and never shows that pick.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

/*
 * Set by user space: the tgid to watch, the two CPUs it may use, and which
 * of them a spinner keeps busy.
 */
s32 target;
s32 cpu_a, cpu_b, busy_cpu = -1;
s32 spinner;

u64 nr_select, nr_ttwu, nr_idle, nr_bad_prev, nr_bad_ret;
u64 nr_direct_run, nr_direct_wrong_cpu;
u64 nr_idle_busy;	/* "idle", but the CPU the spinner held throughout */
u64 nr_idle_busy_stale;	/* the same, before any pick cleared its bit */
bool busy_cleared;	/* the busy CPU was once picked as idle, by anyone */
u64 nr_idle_spinner_off;	/* "idle", the spinner's CPU while it was off */
u64 nr_spinner_runs;	/* ops.running() of the spinner */
bool spinner_on;	/* between its ops.running() and ops.stopping() */
u64 nr_idle_not_before;	/* "idle", but not in the idle mask just before */
s32 last_prev, last_ret;
/* Where the last direct dispatch was meant to run, or -1. */
s32 direct_cpu = -1;

s32 BPF_STRUCT_OPS(select_cpu_select_cpu, struct task_struct *p,
		   s32 prev_cpu, u64 wake_flags)
{
	bool watched = target && p->tgid == target;
	bool idle = false, a_idle = false, b_idle = false, held = false;
	bool cleared = busy_cleared;
	const struct cpumask *mask;
	u64 runs = 0;
	s32 cpu;

	if (watched) {
		held = spinner_on;
		runs = nr_spinner_runs;
		mask = scx_bpf_get_idle_cpumask();
		a_idle = bpf_cpumask_test_cpu(cpu_a, mask);
		b_idle = bpf_cpumask_test_cpu(cpu_b, mask);
		scx_bpf_put_idle_cpumask(mask);
	}
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);
	if (idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	/* Picked as idle, its bit was cleared: it now tells the truth. */
	if (idle && cpu == busy_cpu)
		busy_cleared = true;

	if (!watched)
		return cpu;
	__sync_fetch_and_add(&nr_select, 1);
	if (wake_flags & SCX_WAKE_TTWU)
		__sync_fetch_and_add(&nr_ttwu, 1);
	/* The previous CPU must be one the task was allowed on... */
	if (prev_cpu != cpu_a && prev_cpu != cpu_b)
		__sync_fetch_and_add(&nr_bad_prev, 1);
	/* ...and so must the choice of the default picker. */
	if (cpu != cpu_a && cpu != cpu_b)
		__sync_fetch_and_add(&nr_bad_ret, 1);
	/* On its CPU before the pick, after it, and never off in between. */
	held = held && spinner_on && nr_spinner_runs == runs;
	if (idle) {
		__sync_fetch_and_add(&nr_idle, 1);
		if (cpu == busy_cpu && held && !cleared)
			__sync_fetch_and_add(&nr_idle_busy_stale, 1);
		else if (cpu == busy_cpu && held)
			__sync_fetch_and_add(&nr_idle_busy, 1);
		else if (cpu == busy_cpu)
			__sync_fetch_and_add(&nr_idle_spinner_off, 1);
		if (!(cpu == cpu_a ? a_idle : cpu == cpu_b && b_idle))
			__sync_fetch_and_add(&nr_idle_not_before, 1);
		direct_cpu = cpu;
	} else {
		direct_cpu = -1;
	}
	last_prev = prev_cpu;
	last_ret = cpu;
	return cpu;
}

void BPF_STRUCT_OPS(select_cpu_running, struct task_struct *p)
{
	if (spinner && p->pid == spinner) {
		__sync_fetch_and_add(&nr_spinner_runs, 1);
		spinner_on = true;
		return;
	}
	if (!target || p->tgid != target || direct_cpu < 0)
		return;
	/* Inserted into that CPU's local DSQ, it can run nowhere else. */
	__sync_fetch_and_add(&nr_direct_run, 1);
	if (scx_bpf_task_cpu(p) != direct_cpu)
		__sync_fetch_and_add(&nr_direct_wrong_cpu, 1);
	direct_cpu = -1;
}

void BPF_STRUCT_OPS(select_cpu_stopping, struct task_struct *p, bool runnable)
{
	if (spinner && p->pid == spinner)
		spinner_on = false;
}

void BPF_STRUCT_OPS(select_cpu_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(select_cpu_ops,
	       .select_cpu	= (void *)select_cpu_select_cpu,
	       .running		= (void *)select_cpu_running,
	       .stopping	= (void *)select_cpu_stopping,
	       .exit		= (void *)select_cpu_exit,
	       .name		= "select_cpu_test");
