// SPDX-License-Identifier: GPL-2.0
/*
 * Kfuncs that 7.x added to read and change scheduler state from any
 * callback, without the locks 6.12 asked for:
 * - scx_bpf_dsq_peek(): two held workers wait in HOLD_DSQ, a FIFO no CPU
 *   takes from (there is no ops.dispatch(); the kernel serves only
 *   SCX_DSQ_GLOBAL); from ops.tick() the peek must see the first one queued.
 * - scx_bpf_cpu_curr(): a spinner is pinned to spin_cpu; the CPUs' ticks
 *   must find it running there.
 * - scx_bpf_task_set_slice() and scx_bpf_task_set_dsq_vtime(): at each
 *   tick of the spinner, shorten its slice and set its vtime, then read
 *   both back from the task.  A tick holds the rq lock of the task it
 *   runs for, so both are written at once; from ops.running(), where the
 *   task is not yet the rq's current one, the slice would be stashed and
 *   applied only after the callback.
 * - scx_bpf_now() must not go back on a CPU, scx_bpf_locked_rq() must be
 *   the ticking CPU's rq, and scx_bpf_cpu_node() a node below
 *   scx_bpf_nr_node_ids().
 * All are weak (common.bpf.h): on 6.12, which has none of them, the
 * program loads with the calls dropped, and the test skips.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define HOLD_DSQ	1
#define MAX_CPUS	64
#define SHORT_SLICE	(3 * NSEC_PER_MSEC)
#define VTIME_MARK	(1ULL << 40)

/* Set by user space once the workers exist. */
s32 held_pid[2];
s32 spin_pid;
s32 spin_cpu;

/* What the BPF side saw. */
s32 first_held;		/* the held worker queued first */
s32 peek_pid;		/* the head scx_bpf_dsq_peek() saw last */
u64 nr_curr_spin, nr_curr_other;
u64 nr_spin_ticks, nr_set_ok, nr_slice_ok, nr_vtime_ok;
u64 nr_now, nr_now_back;
u64 nr_rq_ok, nr_rq_bad, nr_node_bad;
u32 nr_nodes;

static u64 last_now[MAX_CPUS];

static bool is_held(const struct task_struct *p)
{
	return p->pid && (p->pid == held_pid[0] || p->pid == held_pid[1]);
}

void BPF_STRUCT_OPS(tk_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (is_held(p)) {
		if (!first_held)
			first_held = p->pid;
		scx_bpf_dsq_insert(p, HOLD_DSQ, SCX_SLICE_DFL, enq_flags);
		return;
	}
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

/* At a tick of the spinner: change its slice and vtime, and read them back. */
static void set_and_check(struct task_struct *p)
{
	u64 vtime = VTIME_MARK + ++nr_spin_ticks;

	if (scx_bpf_task_set_slice(p, SHORT_SLICE) &&
	    scx_bpf_task_set_dsq_vtime(p, vtime))
		nr_set_ok++;
	if (p->scx.slice == SHORT_SLICE)
		nr_slice_ok++;
	if (p->scx.dsq_vtime == vtime)
		nr_vtime_ok++;
}

void BPF_STRUCT_OPS(tk_tick, struct task_struct *p)
{
	s32 cpu = bpf_get_smp_processor_id(), node;
	struct task_struct *t;
	struct rq *rq;
	u32 i = cpu;
	u64 now;

	if (!bpf_ksym_exists(scx_bpf_now) || !bpf_ksym_exists(scx_bpf_dsq_peek) ||
	    !bpf_ksym_exists(scx_bpf_cpu_curr) ||
	    !bpf_ksym_exists(scx_bpf_locked_rq) ||
	    !bpf_ksym_exists(scx_bpf_cpu_node) ||
	    !bpf_ksym_exists(scx_bpf_nr_node_ids) ||
	    !bpf_ksym_exists(scx_bpf_task_set_slice) ||
	    !bpf_ksym_exists(scx_bpf_task_set_dsq_vtime))
		return;

	if (spin_pid && p->pid == spin_pid)
		set_and_check(p);

	now = scx_bpf_now();
	if (i < MAX_CPUS) {
		if (now < last_now[i & (MAX_CPUS - 1)])
			nr_now_back++;
		last_now[i & (MAX_CPUS - 1)] = now;
		nr_now++;
	}

	t = scx_bpf_dsq_peek(HOLD_DSQ);
	if (t)
		peek_pid = t->pid;

	if (spin_pid) {
		t = scx_bpf_cpu_curr(spin_cpu);
		if (t && t->pid == spin_pid)
			nr_curr_spin++;
		else
			nr_curr_other++;
	}

	rq = scx_bpf_locked_rq();
	if (rq && rq->cpu == cpu)
		nr_rq_ok++;
	else
		nr_rq_bad++;

	nr_nodes = scx_bpf_nr_node_ids();
	node = scx_bpf_cpu_node(cpu);
	if (node < 0 || node >= nr_nodes)
		nr_node_bad++;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(tk_init)
{
	return scx_bpf_create_dsq(HOLD_DSQ, -1);
}

void BPF_STRUCT_OPS(tk_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(task_kfuncs_ops,
	       .enqueue		= (void *)tk_enqueue,
	       .tick		= (void *)tk_tick,
	       .init		= (void *)tk_init,
	       .exit		= (void *)tk_exit,
	       .name		= "task_kfuncs");
