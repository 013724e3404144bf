// SPDX-License-Identifier: GPL-2.0
/*
 * The three dump callbacks add the scheduler's own lines to the kernel's
 * debug dump: ops.dump() once, ops.dump_cpu() for each CPU and
 * ops.dump_task() for each runnable task.  Each line carries a marker and
 * the callback's arguments, so user space can find them in the dump and
 * check that the right CPU, task and exit kind were passed.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

s32 target_pid;		/* the task whose dump_task() line we look for */
bool fail_now;		/* user space asks for an scx_bpf_error() */

u64 nr_dump, nr_dump_cpu, nr_dump_task, nr_target_enq;
s32 last_dump_kind = -1;

void BPF_STRUCT_OPS(dump_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (fail_now)
		scx_bpf_error("dump test error %d", target_pid);
	if (p->pid == target_pid)
		__sync_fetch_and_add(&nr_target_enq, 1);
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(dump_dump, struct scx_dump_ctx *dctx)
{
	__sync_fetch_and_add(&nr_dump, 1);
	last_dump_kind = dctx->kind;
	scx_bpf_dump("ST2DUMP kind=%d", dctx->kind);
}

void BPF_STRUCT_OPS(dump_dump_cpu, struct scx_dump_ctx *dctx, s32 cpu,
		    bool idle)
{
	__sync_fetch_and_add(&nr_dump_cpu, 1);
	scx_bpf_dump("ST2CPU cpu=%d idle=%d", cpu, idle);
}

void BPF_STRUCT_OPS(dump_dump_task, struct scx_dump_ctx *dctx,
		    struct task_struct *p)
{
	__sync_fetch_and_add(&nr_dump_task, 1);
	if (p->pid == target_pid)
		scx_bpf_dump("ST2TASK pid=%d comm=%s", p->pid, p->comm);
}

void BPF_STRUCT_OPS(dump_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(dump_ops,
	       .enqueue			= (void *)dump_enqueue,
	       .dump			= (void *)dump_dump,
	       .dump_cpu		= (void *)dump_dump_cpu,
	       .dump_task		= (void *)dump_dump_task,
	       .exit			= (void *)dump_exit,
	       .name			= "dump");
