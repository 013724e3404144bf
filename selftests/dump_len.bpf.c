// SPDX-License-Identifier: GPL-2.0
/*
 * ops.exit_dump_len sizes the buffer the kernel fills with the debug dump
 * when a scheduler dies of an error.  This one asks for 512 bytes and then
 * fails on purpose; its ops.dump() alone writes more than that.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

bool fail_now;

void BPF_STRUCT_OPS(dump_len_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (fail_now)
		scx_bpf_error("dump_len test error");
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(dump_len_dump, struct scx_dump_ctx *dctx)
{
	int i;

	for (i = 0; i < 16; i++)
		scx_bpf_dump("dump_len filler line %d: 0123456789abcdef", i);
}

void BPF_STRUCT_OPS(dump_len_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(dump_len_ops,
	       .enqueue			= (void *)dump_len_enqueue,
	       .dump			= (void *)dump_len_dump,
	       .exit			= (void *)dump_len_exit,
	       .exit_dump_len		= 512,
	       .name			= "dump_len");
