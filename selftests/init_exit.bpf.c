// SPDX-License-Identifier: GPL-2.0
/*
 * ops.init() and ops.exit() bracket a scheduler's life: init runs once,
 * before any task is handed to us (ops.enable), and exit runs once, after
 * every task has been handed back (ops.disable).  Counting enables and
 * disables at both ends proves the ordering, and the exit info proves the
 * kind: a plain detach from user space is SCX_EXIT_UNREG.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

u64 nr_init, nr_exit;
/* Tasks enabled before init ran, and still enabled when exit ran. */
s64 enabled_at_init = -1, enabled_at_exit = -1;
s64 nr_enabled;

s32 BPF_STRUCT_OPS_SLEEPABLE(init_exit_init)
{
	enabled_at_init = __sync_fetch_and_add(&nr_enabled, 0);
	__sync_fetch_and_add(&nr_init, 1);
	return 0;
}

void BPF_STRUCT_OPS(init_exit_enable, struct task_struct *p)
{
	__sync_fetch_and_add(&nr_enabled, 1);
}

void BPF_STRUCT_OPS(init_exit_disable, struct task_struct *p)
{
	__sync_fetch_and_sub(&nr_enabled, 1);
}

void BPF_STRUCT_OPS(init_exit_exit, struct scx_exit_info *ei)
{
	enabled_at_exit = __sync_fetch_and_add(&nr_enabled, 0);
	__sync_fetch_and_add(&nr_exit, 1);
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(init_exit_ops,
	       .init		= (void *)init_exit_init,
	       .enable		= (void *)init_exit_enable,
	       .disable		= (void *)init_exit_disable,
	       .exit		= (void *)init_exit_exit,
	       .name		= "init_exit_test");
