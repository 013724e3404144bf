// SPDX-License-Identifier: GPL-2.0
/*
 * Two 7.x kfuncs that give a scheduler a view of the kernel's own records.
 *
 * scx_bpf_tid_to_task(): at fork every task gets p->scx.tid, a 64-bit id of
 * sched_ext's own (not the pid: it comes from per-CPU chunks of a global
 * counter that starts at 1, so 0 is never used, and it is never reused).
 * With SCX_OPS_TID_TO_TASK the kernel keeps a hash from tid to task while
 * the scheduler is attached: every task is inserted when the scheduler is
 * enabled and on fork, and removed in sched_ext_dead() once a dead task has
 * switched out for the last time.  The kfunc looks a tid up in that hash and
 * returns the task or NULL.  Without the flag there is no hash: the kfunc
 * returns NULL and fails the scheduler ("called without
 * SCX_OPS_TID_TO_TASK").
 *
 * The experiment: ops.init_task() notes the tid of a sleeping "victim" child
 * (named "tid_victim") as the scheduler attaches.  On every wakeup of a
 * ping-pong child, ops.select_cpu() looks up that tid and records the pid
 * and comm of what it got, looks up the waking task's own tid (must be the
 * very task passed in), and looks up tids no task has (0, and ~0).  Once
 * user space has killed and reaped the victim, the victim's tid must stop
 * resolving.  A second instance of this program, attached without the
 * flag, makes one lookup and must be failed by the kernel.
 *
 * scx_bpf_events(): the kernel counts, per CPU and per scheduler, events a
 * scheduler may want to know about (struct scx_event_stats); the kfunc sums
 * them over the CPUs and copies min(size asked, size known) bytes out.  We
 * provoke two of them a known number of times:
 * - SCX_EV_SELECT_CPU_FALLBACK: the ping-pong child may run on CPUs 0 and 1
 *   only; ops.select_cpu() returns bad_cpu for it, the core picks an allowed
 *   CPU instead, and enqueue_task_scx() counts one event because the task
 *   landed on another CPU than the one selected.
 * - SCX_EV_SLICE_CLAMPED: scx_bpf_task_set_slice() outside an rq lock (as
 *   in ops.select_cpu()) stashes the slice in a 43-bit field, and a slice
 *   that does not fit is clamped and counted.  Each provoking wakeup asks
 *   CLAMPS_PER_WAKEUP such slices, then a sane one that overwrites them.
 * The counters are read at the start of a wakeup before the provoking ones
 * and of one after them; FALLBACK must move by the number of bad CPUs
 * returned and SLICE_CLAMPED by CLAMPS_PER_WAKEUP times that, while
 * DISPATCH_LOCAL_DSQ_OFFLINE (a local dispatch to an offline CPU; none goes
 * offline here) must not move.
 *
 * 6.12 has neither kfunc, no p->scx.tid and no struct scx_event_stats: the
 * kfuncs are weak, and the tid and the counters are read through local
 * CO-RE types, so this builds against 6.12's vmlinux.h; the test skips there
 * before loading.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

/* p->scx.tid, relocated to wherever this kernel keeps it. */
struct sched_ext_entity___tid {
	u64 tid;
} __attribute__((preserve_access_index));

struct task_struct___tid {
	struct sched_ext_entity___tid scx;
} __attribute__((preserve_access_index));

/*
 * The counters we read, at the offsets the kernel's struct scx_event_stats
 * has them; the kernel fills a buffer of EV_BUF_LEN u64s from its start.
 */
struct scx_event_stats___tid {
	s64 SCX_EV_SELECT_CPU_FALLBACK;
	s64 SCX_EV_DISPATCH_LOCAL_DSQ_OFFLINE;
	s64 SCX_EV_SLICE_CLAMPED;
} __attribute__((preserve_access_index));

/*
 * Neither kfunc is declared in common.bpf.h.  libbpf matches a weak kfunc
 * only if the prototypes agree, and a pointer to any struct agrees with the
 * kernel's struct scx_event_stats *.
 */
struct task_struct *scx_bpf_tid_to_task(u64 tid) __ksym __weak;
void scx_bpf_events(struct scx_event_stats___tid *events,
		    size_t events__sz) __ksym __weak;

#define EV_BUF_LEN		32
/* Does not fit in the kernel's 43-bit stash for out-of-band slices. */
#define HUGE_SLICE		(1ULL << 50)
#define CLAMPS_PER_WAKEUP	3
#define NO_TID			(~0ULL)

enum phase {
	PHASE_WATCH,		/* lookups only; events read into ev_before */
	PHASE_PROVOKE,		/* return bad_cpu, ask for huge slices */
	PHASE_AFTER,		/* events read into ev_after */
};

/* Set by user space. */
s32 victim_pid, pp_pid, bad_cpu;
bool no_flag;		/* this instance runs without SCX_OPS_TID_TO_TASK */
u32 phase;

/* What the BPF side saw. */
u64 victim_tid;
u64 nr_wakeups;
u64 nr_victim_found, nr_victim_null, nr_victim_pid_ok;
s32 found_pid;
char found_comm[16];
u64 nr_self_ok, nr_self_bad;
u64 nr_bogus, nr_bogus_found;
u64 nr_pid_is_victim;	/* a lookup of the victim's pid gave the victim */
u64 nr_bad_ret, nr_clamp_asked, nr_set_slice_false, nr_dfl_disallowed;
u64 nr_noflag_calls, nr_noflag_null;
u64 nr_before, nr_after;
bool ev_too_big;
s64 ev_before[3], ev_after[3];

static u64 task_tid(struct task_struct *p)
{
	return ((struct task_struct___tid *)p)->scx.tid;
}

static void read_events(s64 *out)
{
	u64 buf[EV_BUF_LEN] = {};
	struct scx_event_stats___tid *e = (void *)buf;

	/* The CO-RE offsets below must land inside what the kernel filled. */
	if (bpf_core_type_size(struct scx_event_stats___tid) > sizeof(buf)) {
		ev_too_big = true;
		return;
	}
	scx_bpf_events(e, sizeof(buf));
	out[0] = e->SCX_EV_SELECT_CPU_FALLBACK;
	out[1] = e->SCX_EV_DISPATCH_LOCAL_DSQ_OFFLINE;
	out[2] = e->SCX_EV_SLICE_CLAMPED;
}

static void lookups(struct task_struct *p)
{
	struct task_struct *t;

	if (victim_tid) {
		t = scx_bpf_tid_to_task(victim_tid);
		if (t) {
			nr_victim_found++;
			found_pid = t->pid;
			bpf_probe_read_kernel_str(found_comm, sizeof(found_comm),
						  t->comm);
			if (t->pid == victim_pid)
				nr_victim_pid_ok++;
		} else {
			nr_victim_null++;
		}
	}

	t = scx_bpf_tid_to_task(task_tid(p));
	if (t == p)
		nr_self_ok++;
	else
		nr_self_bad++;

	nr_bogus += 2;
	if (scx_bpf_tid_to_task(0))
		nr_bogus_found++;
	if (scx_bpf_tid_to_task(NO_TID))
		nr_bogus_found++;

	/* The key is the tid, not the pid (unless the two happen to match). */
	if (victim_tid != (u64)victim_pid) {
		t = scx_bpf_tid_to_task(victim_pid);
		if (t && t->pid == victim_pid)
			nr_pid_is_victim++;
	}
}

/* The ping-pong child wakes up: one call per wakeup the test caused. */
static s32 pp_wakeup(struct task_struct *p, s32 cpu)
{
	int i;

	nr_wakeups++;
	if (no_flag) {
		/* The kernel fails us here; the lookup itself gives NULL. */
		nr_noflag_calls++;
		if (!scx_bpf_tid_to_task(task_tid(p)))
			nr_noflag_null++;
		return cpu;
	}

	lookups(p);

	switch (phase) {
	case PHASE_WATCH:
		read_events(ev_before);
		nr_before++;
		break;
	case PHASE_PROVOKE:
		for (i = 0; i < CLAMPS_PER_WAKEUP; i++) {
			if (!scx_bpf_task_set_slice(p, HUGE_SLICE))
				nr_set_slice_false++;
			nr_clamp_asked++;
		}
		/* The last request wins: leave the child a normal slice. */
		if (!scx_bpf_task_set_slice(p, SCX_SLICE_DFL))
			nr_set_slice_false++;
		nr_bad_ret++;
		return bad_cpu;
	case PHASE_AFTER:
		read_events(ev_after);
		nr_after++;
		break;
	}
	/*
	 * With no idle CPU the default pick is prev_cpu, allowed or not: a
	 * fallback we did not mean.  Keep the count to the ones we provoke.
	 */
	if (!bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
		nr_dfl_disallowed++;
	return bpf_cpumask_test_cpu(cpu, p->cpus_ptr) ? cpu : 0;
}

s32 BPF_STRUCT_OPS(tid_events_select_cpu, struct task_struct *p,
		   s32 prev_cpu, u64 wake_flags)
{
	bool idle;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);
	if (pp_pid && p->pid == pp_pid && bpf_ksym_exists(scx_bpf_tid_to_task) &&
	    bpf_ksym_exists(scx_bpf_events) &&
	    bpf_ksym_exists(scx_bpf_task_set_slice))
		return pp_wakeup(p, cpu);
	return cpu;
}

void BPF_STRUCT_OPS(tid_events_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

/* Runs for every task as the scheduler attaches: note the victim's tid. */
s32 BPF_STRUCT_OPS(tid_events_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	if (victim_pid && p->pid == victim_pid)
		victim_tid = task_tid(p);
	return 0;
}

void BPF_STRUCT_OPS(tid_events_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(tid_events_ops,
	       .select_cpu	= (void *)tid_events_select_cpu,
	       .enqueue		= (void *)tid_events_enqueue,
	       .init_task	= (void *)tid_events_init_task,
	       .exit		= (void *)tid_events_exit,
	       .name		= "tid_events");
