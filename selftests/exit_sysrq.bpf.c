// SPDX-License-Identifier: GPL-2.0
/*
 * SysRq-S is the administrator's way out of a misbehaving scheduler: it
 * disables sched_ext from the keyboard (or /proc/sysrq-trigger) and moves
 * every task back to the fair class.  The scheduler sees SCX_EXIT_SYSRQ.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

void BPF_STRUCT_OPS(exit_sysrq_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(exit_sysrq_ops,
	       .exit			= (void *)exit_sysrq_exit,
	       .name			= "exit_sysrq");
