// SPDX-License-Identifier: GPL-2.0
/*
 * SCX_OPS_SWITCH_PARTIAL: only tasks that ask for SCHED_EXT (policy 7)
 * are ours; SCHED_OTHER tasks stay in the fair class.  Without the flag a
 * scheduler takes every SCHED_OTHER task too.  This side counts, per
 * watched task, how often it was enabled and ran under us.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

s32 ext_pid, other_pid;
u64 ext_enabled, ext_running, other_enabled, other_running;

void BPF_STRUCT_OPS(switch_partial_enable, struct task_struct *p)
{
	if (p->pid == ext_pid)
		__sync_fetch_and_add(&ext_enabled, 1);
	else if (p->pid == other_pid)
		__sync_fetch_and_add(&other_enabled, 1);
}

void BPF_STRUCT_OPS(switch_partial_running, struct task_struct *p)
{
	if (p->pid == ext_pid)
		__sync_fetch_and_add(&ext_running, 1);
	else if (p->pid == other_pid)
		__sync_fetch_and_add(&other_running, 1);
}

void BPF_STRUCT_OPS(switch_partial_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(switch_partial_ops,
	       .enable			= (void *)switch_partial_enable,
	       .running			= (void *)switch_partial_running,
	       .exit			= (void *)switch_partial_exit,
	       .flags			= SCX_OPS_SWITCH_PARTIAL,
	       .name			= "switch_partial");
