// SPDX-License-Identifier: GPL-2.0
/*
 * Per-NUMA-node idle tracking (7.x).  With SCX_OPS_BUILTIN_IDLE_PER_NODE the
 * kernel keeps one idle cpumask and one idle-SMT-core mask per node instead
 * of one of each for the whole machine, and the scheduler reaches them with
 * node-aware kfuncs:
 * - scx_bpf_get_idle_cpumask_node(n): the CPUs of node n that are idle;
 * - scx_bpf_get_idle_smtmask_node(n): the CPUs of node n whose whole SMT
 *   core is idle (a core's CPUs are always set or cleared together);
 * - scx_bpf_pick_idle_cpu_node(mask, n, f): claim an idle CPU of @mask,
 *   searching node n first, or -EBUSY;
 * - scx_bpf_pick_any_cpu_node(mask, n, f): the same, but when no CPU of
 *   @mask is idle, any CPU of @mask.
 * The flag switches the machine-wide kfuncs off: scx_bpf_get_idle_cpumask()
 * and friends fail the scheduler with "SCX_OPS_BUILTIN_IDLE_PER_NODE
 * enabled", and the _node kfuncs fail it without the flag.
 * scx_bpf_select_cpu_and() is the default CPU picker limited to a cpumask.
 *
 * The experiment: a spinner holds spin_cpu, and the waker (the test
 * process, pinned to waker_cpu) is the task running on its CPU whenever it
 * wakes the child, so ops.select_cpu() of the child always runs with those
 * two CPUs busy.  In each wakeup it reads both masks of node 0 as one word
 * (so a snapshot, not bit by bit), then picks the child's CPU with one of
 * three kfuncs in turn.  A CPU is claimed only to run the child there, so
 * that it goes idle again afterwards and the next pick finds it idle.
 * "Held" means the spinner was running before the reads and still is after
 * the pick, with no ops.stopping() in between.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

/* 7.x kfuncs that common.bpf.h does not declare; absent (0) on 6.12. */
const struct cpumask *scx_bpf_get_idle_cpumask_node(s32 node) __ksym __weak;
const struct cpumask *scx_bpf_get_idle_smtmask_node(s32 node) __ksym __weak;
s32 scx_bpf_pick_idle_cpu_node(const struct cpumask *cpus_allowed, s32 node,
			       u64 flags) __ksym __weak;
s32 scx_bpf_pick_any_cpu_node(const struct cpumask *cpus_allowed, s32 node,
			      u64 flags) __ksym __weak;
s32 scx_bpf_select_cpu_and(struct task_struct *p, s32 prev_cpu,
			   u64 wake_flags, const struct cpumask *cpus_allowed,
			   u64 flags) __ksym __weak;

#define NODE		0
#define MAX_CPUS	8

enum {
	MODE_PICK_IDLE,
	MODE_PICK_ANY,
	MODE_SELECT_AND,
	NR_MODES,
};

/* Set by user space. */
s32 target;			/* the child's pid */
s32 spinner;			/* the spinner's pid */
s32 spin_cpu, waker_cpu;
u32 nr_cpus;
u64 core_mask[MAX_CPUS];	/* each CPU's SMT core, one bit a CPU */
bool call_global;		/* use the machine-wide kfunc once */

/* What ops.select_cpu() of the child saw. */
u64 nr_rounds, nr_wrong_waker, nr_held;
u64 nr_idle_seen;	/* the idle mask had a CPU other than the busy two */
u64 nr_idle_busy;	/* ...had the waker's CPU, or the spinner's held one */
u64 nr_smt_seen;	/* the SMT mask had a whole core */
u64 nr_smt_busy;	/* ...had a CPU of the held spinner's core */
u64 nr_smt_half;	/* ...had a CPU but not its sibling */
u64 nr_pick_ok, nr_pick_busy, nr_pick_none, nr_pick_from_busy;
u64 nr_any_idle, nr_any_busy, nr_any_busy_ok, nr_any_busy_bad;
u64 nr_and_hit, nr_and_none, nr_and_other, nr_and_busy_idle;
u64 nr_placed, nr_placed_wrong;
u64 global_bits = ~0ULL;	/* what scx_bpf_get_idle_cpumask() gave */
bool global_called;

/* Spinner tracking, from ops.running() and ops.stopping(). */
u64 nr_spinner_runs;
bool spinner_on;
/* Where the child was inserted to run, or -1. */
s32 placed_cpu = -1;

static struct bpf_cpumask *mask_of(u64 bits)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	u32 cpu;

	if (!m)
		return NULL;
	bpf_for(cpu, 0, MAX_CPUS) {
		if (bits & (1ULL << cpu))
			bpf_cpumask_set_cpu(cpu, m);
	}
	return m;
}

/* Is every CPU of @smt's cores in @smt? */
static bool whole_cores(u64 smt)
{
	u32 cpu;

	bpf_for(cpu, 0, MAX_CPUS) {
		if ((smt & (1ULL << cpu)) &&
		    (smt & core_mask[cpu]) != core_mask[cpu])
			return false;
	}
	return true;
}

static void use_global(void)
{
	const struct cpumask *m;

	/* Fails the scheduler when the flag is set; see idle_node.c. */
	m = scx_bpf_get_idle_cpumask();
	global_bits = m->bits[0];
	scx_bpf_put_idle_cpumask(m);
	global_called = true;
}

/*
 * The three pickers.  Each returns the CPU to run the child on and whether
 * it was claimed idle; @busy is {waker_cpu, spin_cpu}.
 */
static s32 pick_idle(struct task_struct *p, s32 prev_cpu, u64 busy,
		     bool *claimed, bool *bad_busy)
{
	struct bpf_cpumask *m = mask_of(busy);
	s32 cpu;

	if (!m)
		return prev_cpu;
	/* Neither busy CPU is idle: nothing to claim among them. */
	*bad_busy = scx_bpf_pick_idle_cpu_node(cast_mask(m), NODE, 0) >= 0;
	bpf_cpumask_release(m);

	cpu = scx_bpf_pick_idle_cpu_node(p->cpus_ptr, NODE, 0);
	if (cpu < 0) {
		nr_pick_none++;
		return prev_cpu;
	}
	if (busy & (1ULL << (cpu & 63)))
		nr_pick_busy++;
	else
		nr_pick_ok++;
	*claimed = true;
	return cpu;
}

static s32 pick_any(struct task_struct *p, s32 prev_cpu, u64 busy,
		    bool *claimed)
{
	struct bpf_cpumask *m = mask_of(busy);
	s32 cpu;

	if (!m)
		return prev_cpu;
	/* No CPU of the mask is idle, yet one of them must come back. */
	cpu = scx_bpf_pick_any_cpu_node(cast_mask(m), NODE, 0);
	bpf_cpumask_release(m);
	if (cpu == waker_cpu || cpu == spin_cpu)
		nr_any_busy_ok++;
	else
		nr_any_busy_bad++;

	cpu = scx_bpf_pick_any_cpu_node(p->cpus_ptr, NODE, 0);
	if (cpu < 0)
		return prev_cpu;
	if (busy & (1ULL << (cpu & 63))) {
		nr_any_busy++;
		return cpu;
	}
	nr_any_idle++;
	*claimed = true;
	return cpu;
}

static s32 select_and(struct task_struct *p, s32 prev_cpu, u64 wake_flags,
		      u64 busy, bool *claimed, bool *bad_busy)
{
	struct bpf_cpumask *m;
	s32 cpu, want = -1;
	u32 i;

	/* One CPU that is neither busy nor where the child ran last. */
	bpf_for(i, 0, MAX_CPUS) {
		if (i < nr_cpus && !(busy & (1ULL << i)) && i != prev_cpu) {
			want = i;
			break;
		}
	}
	if (want < 0)
		return prev_cpu;

	m = mask_of(1ULL << spin_cpu);
	if (!m)
		return prev_cpu;
	*bad_busy = scx_bpf_select_cpu_and(p, prev_cpu, wake_flags,
					   cast_mask(m), 0) >= 0;
	bpf_cpumask_release(m);

	m = mask_of(1ULL << want);
	if (!m)
		return prev_cpu;
	cpu = scx_bpf_select_cpu_and(p, prev_cpu, wake_flags, cast_mask(m), 0);
	bpf_cpumask_release(m);
	if (cpu < 0) {
		nr_and_none++;
		return prev_cpu;
	}
	if (cpu != want) {
		nr_and_other++;
		return cpu;
	}
	nr_and_hit++;
	*claimed = true;
	return cpu;
}

static s32 watch_child(struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	u64 busy = (1ULL << (waker_cpu & 63)) | (1ULL << (spin_cpu & 63));
	bool on = spinner_on, claimed = false, bad_busy = false, held;
	const struct cpumask *m;
	u64 runs = nr_spinner_runs, idle, smt;
	u32 mode = nr_rounds++ % NR_MODES;
	s32 cpu;

	if (bpf_get_smp_processor_id() != waker_cpu) {
		nr_wrong_waker++;
		return prev_cpu;
	}

	m = scx_bpf_get_idle_cpumask_node(NODE);
	idle = m->bits[0];
	scx_bpf_put_idle_cpumask(m);
	m = scx_bpf_get_idle_smtmask_node(NODE);
	smt = m->bits[0];
	scx_bpf_put_idle_cpumask(m);

	if (mode == MODE_PICK_IDLE)
		cpu = pick_idle(p, prev_cpu, busy, &claimed, &bad_busy);
	else if (mode == MODE_PICK_ANY)
		cpu = pick_any(p, prev_cpu, busy, &claimed);
	else
		cpu = select_and(p, prev_cpu, wake_flags, busy, &claimed,
				 &bad_busy);

	held = on && spinner_on && nr_spinner_runs == runs;
	if (held)
		nr_held++;
	/* The waker's CPU runs us: it can never be idle. */
	if (idle & (1ULL << (waker_cpu & 63)))
		nr_idle_busy++;
	else if (held && (idle & (1ULL << (spin_cpu & 63))))
		nr_idle_busy++;
	if (idle & ~busy)
		nr_idle_seen++;
	/*
	 * The spinner's core is never wholly idle while it runs.  The
	 * waker's core is not checked: a sibling going idle while the waker's
	 * CPU wakes up may leave the core set for a moment (update_builtin_idle()
	 * calls the SMT mask "racy but self-correcting").
	 */
	if (held && (smt & core_mask[spin_cpu & (MAX_CPUS - 1)]))
		nr_smt_busy++;
	if (!whole_cores(smt))
		nr_smt_half++;
	if (smt)
		nr_smt_seen++;
	if (held && bad_busy) {
		if (mode == MODE_PICK_IDLE)
			nr_pick_from_busy++;
		else
			nr_and_busy_idle++;
	}

	if (claimed) {
		/* Claimed idle: run the child right there. */
		placed_cpu = cpu;
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	}
	return cpu;
}

s32 BPF_STRUCT_OPS(idle_node_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu;

	if (target && p->pid == target &&
	    bpf_ksym_exists(scx_bpf_get_idle_cpumask_node) &&
	    bpf_ksym_exists(scx_bpf_get_idle_smtmask_node) &&
	    bpf_ksym_exists(scx_bpf_pick_idle_cpu_node) &&
	    bpf_ksym_exists(scx_bpf_pick_any_cpu_node) &&
	    bpf_ksym_exists(scx_bpf_select_cpu_and)) {
		if (call_global) {
			use_global();
			return prev_cpu;
		}
		return watch_child(p, prev_cpu, wake_flags);
	}

	/* Everyone else: the default picker, which honours the flag too. */
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	if (is_idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(idle_node_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(idle_node_running, struct task_struct *p)
{
	if (spinner && p->pid == spinner) {
		nr_spinner_runs++;
		spinner_on = true;
		return;
	}
	if (!target || p->pid != target || placed_cpu < 0)
		return;
	/* A claimed CPU is one the child can really run on. */
	nr_placed++;
	if (scx_bpf_task_cpu(p) != placed_cpu)
		nr_placed_wrong++;
	placed_cpu = -1;
}

void BPF_STRUCT_OPS(idle_node_stopping, struct task_struct *p, bool runnable)
{
	if (spinner && p->pid == spinner)
		spinner_on = false;
}

void BPF_STRUCT_OPS(idle_node_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

/* .flags gets SCX_OPS_BUILTIN_IDLE_PER_NODE from user space, read from BTF. */
SCX_OPS_DEFINE(idle_node_ops,
	       .select_cpu	= (void *)idle_node_select_cpu,
	       .enqueue		= (void *)idle_node_enqueue,
	       .running		= (void *)idle_node_running,
	       .stopping	= (void *)idle_node_stopping,
	       .exit		= (void *)idle_node_exit,
	       .name		= "idle_node");
