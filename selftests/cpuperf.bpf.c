// SPDX-License-Identifier: GPL-2.0
/*
 * The cpuperf kfuncs let a scheduler steer CPU frequency through
 * schedutil: scx_bpf_cpuperf_cap() is a CPU's relative capacity,
 * scx_bpf_cpuperf_cur() its current performance level, both out of
 * SCX_CPUPERF_ONE, and scx_bpf_cpuperf_set() asks for a level.  From
 * ops.tick() each CPU asks for a level of its own, then reads the target
 * back from its struct rq to see that it arrived.  When user space raises
 * bad_perf, the next request is out of range, which the kernel treats as a
 * scheduler bug.
 *
 * The rq comes from scx_bpf_cpu_rq(cpu) where the kernel has it, as 6.12
 * has.  7.3 removed it: a scheduler may only reach the rq it holds locked,
 * through scx_bpf_locked_rq(), and ops.tick() holds the ticking CPU's.
 * Both are weak, and rq_via says which one this kernel gave.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define MAX_CPUS	64
#define PERF_BASE	512

struct cpu_perf {
	u32 cap;
	u32 cur;
	u32 target;	/* rq->scx.cpuperf_target after our request */
	s32 rq_cpu;	/* rq->cpu, to see that cpu_rq() gave the right rq */
	u64 nr_ticks;
};

enum { RQ_VIA_CPU_RQ = 1, RQ_VIA_LOCKED_RQ };

struct rq *scx_bpf_cpu_rq___compat(s32 cpu) __ksym __weak;
struct rq *scx_bpf_locked_rq___compat(void) __ksym __weak;

struct cpu_perf perf[MAX_CPUS];
bool bad_perf;
u32 rq_via;

void BPF_STRUCT_OPS(cpuperf_tick, struct task_struct *p)
{
	s32 cpu = bpf_get_smp_processor_id();
	struct cpu_perf *cp;
	struct rq *rq;
	u32 i = cpu;

	if (bad_perf) {
		scx_bpf_cpuperf_set(cpu, SCX_CPUPERF_ONE + 1);
		return;
	}
	if (i >= MAX_CPUS)
		return;
	barrier_var(i);
	cp = &perf[i & (MAX_CPUS - 1)];

	scx_bpf_cpuperf_set(cpu, PERF_BASE + cpu);
	cp->cap = scx_bpf_cpuperf_cap(cpu);
	cp->cur = scx_bpf_cpuperf_cur(cpu);
	if (bpf_ksym_exists(scx_bpf_cpu_rq___compat)) {
		rq = scx_bpf_cpu_rq___compat(cpu);
		rq_via = RQ_VIA_CPU_RQ;
	} else if (bpf_ksym_exists(scx_bpf_locked_rq___compat)) {
		rq = scx_bpf_locked_rq___compat();
		rq_via = RQ_VIA_LOCKED_RQ;
	} else {
		rq = NULL;
	}
	if (rq) {
		cp->target = rq->scx.cpuperf_target;
		cp->rq_cpu = rq->cpu;
	}
	cp->nr_ticks++;
}

void BPF_STRUCT_OPS(cpuperf_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(cpuperf_ops,
	       .tick			= (void *)cpuperf_tick,
	       .exit			= (void *)cpuperf_exit,
	       .name			= "cpuperf");
