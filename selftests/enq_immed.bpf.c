// SPDX-License-Identifier: GPL-2.0
/*
 * SCX_ENQ_IMMED and SCX_OPS_ALWAYS_ENQ_IMMED, new in 7.x.
 *
 * A task inserted into a CPU's local DSQ waits there until that CPU gets to
 * it: behind the task running there, for as long as its slice lasts.  With
 * SCX_ENQ_IMMED in the insert's enq_flags the kernel promises instead that
 * the task either goes on the CPU at once or comes back to the BPF
 * scheduler.  On insertion (dsq_inc_nr()) it marks the task SCX_TASK_IMMED
 * and, if the local DSQ already held a task or the CPU is not open
 * (rq_is_open(): a task of this or a higher class is on it and the CPU is
 * not in its dispatch path), schedules a re-enqueue of that local DSQ.  The
 * walk (reenq_local(), local_task_should_reenq()) keeps an IMMED task only
 * if it is first and the CPU open; any other it takes off, counts in
 * SCX_EV_REENQ_IMMED of scx_bpf_events(), and hands to ops.enqueue() with
 * SCX_ENQ_REENQ in enq_flags and SCX_TASK_REENQ_IMMED in the reason bits
 * of p->scx.flags.  (An IMMED task preempted later comes back too, with
 * SCX_TASK_REENQ_PREEMPTED.)  The flag means nothing on any other DSQ:
 * scx_vet_enq_flags() fails the scheduler, "SCX_ENQ_IMMED on a non-local
 * DSQ".
 *
 * SCX_OPS_ALWAYS_ENQ_IMMED, an ops flag, makes scx_vet_enq_flags() add
 * SCX_ENQ_IMMED to every insert (and move) into a local DSQ
 * (SCX_DSQ_LOCAL, SCX_DSQ_LOCAL_ON | cpu) that lacks it, and to nothing
 * else: inserts into SCX_DSQ_GLOBAL stay as they were.
 *
 * The experiment.  A spinner B, pinned to busy_cpu, holds that CPU with an
 * infinite slice, so the CPU is never open while B spins.  B gets the slice
 * from ops.enqueue(), but it may also run there on a slice that never came
 * from there: the one it had when the scheduler took it over, or the
 * default one the kernel gives the only task of a CPU whose slice ran out
 * (SCX_EV_REFILL_SLICE_DFL, without calling ops.enqueue() unless
 * SCX_OPS_ENQ_LAST); so ops.running() and ops.tick() make it infinite too.
 * A ping-pong child T may run on busy_cpu and free_cpu.  On each wakeup
 * ops.select_cpu() sends it to busy_cpu, inserting nothing, and
 * ops.enqueue() inserts it into SCX_DSQ_LOCAL_ON | busy_cpu with
 * t_enq_flags.  When it comes back as an IMMED re-enqueue of that insert it
 * goes to SCX_DSQ_LOCAL_ON | free_cpu, an idle CPU, with the same flags;
 * any other re-enqueue sends it to SCX_DSQ_GLOBAL, which only free_cpu can
 * serve while B spins.  Every other task goes to SCX_DSQ_GLOBAL.
 * - Without IMMED (no ops flag, t_enq_flags 0), T waits on busy_cpu's local
 *   DSQ behind B and nothing hands it back, until user space kicks B
 *   (SCX_KICK_PREEMPT: B's slice becomes 0); T then runs on busy_cpu.
 * - With an explicit SCX_ENQ_IMMED, each insert into busy_cpu comes back
 *   once, with both marks of an IMMED re-enqueue, and T runs on free_cpu.
 * - With SCX_OPS_ALWAYS_ENQ_IMMED and t_enq_flags 0, the same: the ops flag
 *   supplied SCX_ENQ_IMMED.
 * The misuse (misuse set): T inserted into SCX_DSQ_GLOBAL with t_enq_flags
 * SCX_ENQ_IMMED, which must fail the scheduler.
 *
 * 6.12 has neither flag, no reason bits and no struct scx_event_stats:
 * user space passes the values it read from the kernel's BTF, the counter
 * is read through a local CO-RE type and the 7.x kfuncs are weak, so this
 * builds against 6.12's vmlinux.h; the test skips there before loading.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

/* The counter we read, wherever this kernel's struct keeps it. */
struct scx_event_stats___immed {
	s64 SCX_EV_REENQ_IMMED;
} __attribute__((preserve_access_index));

void scx_bpf_events(struct scx_event_stats___immed *events,
		    size_t events__sz) __ksym __weak;

/* At least the kernel's struct scx_event_stats, checked below. */
#define EV_BUF_LEN	32
/*
 * T runs for about 200 us a wakeup; a slice it never uses up keeps its
 * enqueues to its wakeups, even when the host stalls the VM.
 */
#define T_SLICE		(500 * NSEC_PER_MSEC)

enum where {
	AT_NONE,
	AT_BUSY,	/* SCX_DSQ_LOCAL_ON | busy_cpu */
	AT_FREE,	/* SCX_DSQ_LOCAL_ON | free_cpu */
	AT_GLOBAL,
};

/* Set by user space before attaching. */
s32 busy_pid, t_pid;
s32 busy_cpu, free_cpu;
u64 t_enq_flags;		/* 0 or SCX_ENQ_IMMED, from the kernel's BTF */
u32 reason_mask, reason_immed;	/* SCX_TASK_REENQ_REASON_MASK, _IMMED */
bool misuse;

/* What the BPF side saw of T. */
bool t_runnable;
u64 nr_wakeups;			/* ops.runnable() with SCX_ENQ_WAKEUP */
u64 nr_enq;			/* ops.enqueue() calls that are no re-enqueue */
u64 nr_insert_busy, nr_insert_free, nr_insert_global;
u64 nr_held;			/* inserts into busy_cpu while B held it */
u64 nr_reenq_immed_busy;	/* IMMED re-enqueues of an insert into busy_cpu */
u64 immed_enq_flags;		/* enq_flags of the last of those */
u32 immed_task_flags;		/* p->scx.flags then */
u64 nr_reenq_immed_other;	/* IMMED re-enqueues of an insert into free_cpu */
u64 nr_reenq_other;		/* re-enqueues for another reason */
u64 nr_run_busy, nr_run_free, nr_run_other;
u64 nr_misuse;
u32 where;			/* T's last insert */

/* And of B. */
bool b_running;			/* on busy_cpu, with an infinite slice */
u64 nr_b_enq, nr_b_run;

/* Filled by the syscall programs. */
s64 ev_reenq_immed;
bool ev_ok;
s32 queued_busy;

static bool is_t(const struct task_struct *p)
{
	return t_pid && p->pid == t_pid;
}

static bool is_b(const struct task_struct *p)
{
	return busy_pid && p->pid == busy_pid;
}

s32 BPF_STRUCT_OPS(enq_immed_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool is_idle = false;

	/* No insert here: every wakeup goes through ops.enqueue(). */
	if (is_t(p))
		return busy_cpu;
	return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
}

/* Is B running on busy_cpu with an infinite slice? */
static void count_held(void)
{
	struct task_struct *curr;

	if (!bpf_ksym_exists(scx_bpf_cpu_curr))
		return;
	bpf_rcu_read_lock();
	curr = scx_bpf_cpu_curr(busy_cpu);
	if (curr && is_b(curr) && curr->scx.slice == SCX_SLICE_INF)
		nr_held++;
	bpf_rcu_read_unlock();
}

static void insert_t(struct task_struct *p, u32 at)
{
	switch (at) {
	case AT_BUSY:
		nr_insert_busy++;
		count_held();
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | busy_cpu, T_SLICE,
				   t_enq_flags);
		break;
	case AT_FREE:
		nr_insert_free++;
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | free_cpu, T_SLICE,
				   t_enq_flags);
		break;
	default:
		nr_insert_global++;
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, T_SLICE, 0);
		break;
	}
	where = at;
}

void BPF_STRUCT_OPS(enq_immed_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (is_b(p)) {
		nr_b_enq++;
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_INF, enq_flags);
		return;
	}
	if (!is_t(p)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		return;
	}

	if (enq_flags & SCX_ENQ_REENQ) {
		u32 reason = p->scx.flags & reason_mask;

		if (reason == reason_immed && where == AT_BUSY) {
			nr_reenq_immed_busy++;
			immed_enq_flags = enq_flags;
			immed_task_flags = p->scx.flags;
			insert_t(p, AT_FREE);
			return;
		}
		if (reason == reason_immed)
			nr_reenq_immed_other++;
		else
			nr_reenq_other++;
		insert_t(p, AT_GLOBAL);
		return;
	}

	nr_enq++;
	if (misuse) {
		/* SCX_ENQ_IMMED where it means nothing. */
		nr_misuse++;
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL,
				   t_enq_flags);
		return;
	}
	insert_t(p, AT_BUSY);
}

void BPF_STRUCT_OPS(enq_immed_runnable, struct task_struct *p, u64 enq_flags)
{
	if (!is_t(p))
		return;
	t_runnable = true;
	if (enq_flags & SCX_ENQ_WAKEUP)
		nr_wakeups++;
}

/*
 * B on busy_cpu: make its slice infinite, unless it is 0 (a kick's, which
 * must stay).  Ask where B is: ops.running() may be called from the CPU
 * doing a class switch.
 */
static void hold(struct task_struct *p)
{
	if (scx_bpf_task_cpu(p) != busy_cpu)
		return;
	if (p->scx.slice && p->scx.slice != SCX_SLICE_INF &&
	    bpf_ksym_exists(scx_bpf_task_set_slice))
		scx_bpf_task_set_slice(p, SCX_SLICE_INF);
	b_running = p->scx.slice == SCX_SLICE_INF;
}

void BPF_STRUCT_OPS(enq_immed_running, struct task_struct *p)
{
	s32 cpu = bpf_get_smp_processor_id();

	if (is_b(p)) {
		nr_b_run++;
		hold(p);
		return;
	}
	if (!is_t(p))
		return;
	if (cpu == busy_cpu)
		nr_run_busy++;
	else if (cpu == free_cpu)
		nr_run_free++;
	else
		nr_run_other++;
}

void BPF_STRUCT_OPS(enq_immed_tick, struct task_struct *p)
{
	if (is_b(p))
		hold(p);
}

void BPF_STRUCT_OPS(enq_immed_stopping, struct task_struct *p, bool runnable)
{
	if (is_b(p))
		b_running = false;
}

void BPF_STRUCT_OPS(enq_immed_quiescent, struct task_struct *p, u64 deq_flags)
{
	if (is_t(p) && (deq_flags & SCX_DEQ_SLEEP))
		t_runnable = false;
}

/* SCX_EV_REENQ_IMMED of this scheduler, and what busy_cpu's local DSQ holds. */
SEC("syscall")
int probe(void *ctx)
{
	u64 buf[EV_BUF_LEN] = {};
	struct scx_event_stats___immed *e = (void *)buf;

	queued_busy = scx_bpf_dsq_nr_queued(SCX_DSQ_LOCAL_ON | busy_cpu);
	if (!bpf_ksym_exists(scx_bpf_events) ||
	    !bpf_core_field_exists(e->SCX_EV_REENQ_IMMED) ||
	    bpf_core_type_size(struct scx_event_stats___immed) > sizeof(buf))
		return 0;
	scx_bpf_events(e, sizeof(buf));
	ev_reenq_immed = e->SCX_EV_REENQ_IMMED;
	ev_ok = true;
	return 0;
}

/* Take busy_cpu from B: its slice becomes 0, the CPU reschedules. */
SEC("syscall")
int kick_busy(void *ctx)
{
	scx_bpf_kick_cpu(busy_cpu, SCX_KICK_PREEMPT);
	return 0;
}

void BPF_STRUCT_OPS(enq_immed_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(enq_immed_ops,
	       .select_cpu	= (void *)enq_immed_select_cpu,
	       .enqueue		= (void *)enq_immed_enqueue,
	       .runnable	= (void *)enq_immed_runnable,
	       .running		= (void *)enq_immed_running,
	       .tick		= (void *)enq_immed_tick,
	       .stopping	= (void *)enq_immed_stopping,
	       .quiescent	= (void *)enq_immed_quiescent,
	       .exit		= (void *)enq_immed_exit,
	       .name		= "enq_immed");
