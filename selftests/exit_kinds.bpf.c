// SPDX-License-Identifier: GPL-2.0
/*
 * A BPF scheduler ends itself with scx_bpf_exit() (a graceful unload,
 * SCX_EXIT_UNREG_BPF, with an exit code for its loader) or scx_bpf_error()
 * (a failure, SCX_EXIT_ERROR_BPF).  Both are allowed from any context; we
 * call them from a BPF_PROG_TYPE_SYSCALL program that user space runs, so
 * the test decides exactly when the scheduler dies.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

u64 nr_exit;

SEC("syscall")
int trigger_exit(void *ctx)
{
	scx_bpf_exit(42, "bye %d from %s", 42, "exit_kinds");
	return 0;
}

SEC("syscall")
int trigger_error(void *ctx)
{
	scx_bpf_error("boom %d", 7);
	return 0;
}

void BPF_STRUCT_OPS(exit_kinds_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(exit_kinds_exit, struct scx_exit_info *ei)
{
	__sync_fetch_and_add(&nr_exit, 1);
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(exit_kinds_ops,
	       .enqueue		= (void *)exit_kinds_enqueue,
	       .exit		= (void *)exit_kinds_exit,
	       .name		= "exit_kinds_test");
