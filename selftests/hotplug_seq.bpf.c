// SPDX-License-Identifier: GPL-2.0
/*
 * ops.hotplug_seq closes the race between reading the set of online CPUs
 * and attaching: a loader copies /sys/kernel/sched_ext/hotplug_seq into it
 * before load, and if a CPU came or went in between, the kernel unloads
 * the scheduler right after enabling it and asks for a restart.  The test
 * sets the field from user space; this side records the exit and counts
 * enqueues, to show whether the scheduler ever ran.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

u64 nr_enqueued;

void BPF_STRUCT_OPS(hotplug_seq_enqueue, struct task_struct *p, u64 enq_flags)
{
	__sync_fetch_and_add(&nr_enqueued, 1);
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(hotplug_seq_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(hotplug_seq_ops,
	       .enqueue			= (void *)hotplug_seq_enqueue,
	       .exit			= (void *)hotplug_seq_exit,
	       .name			= "hotplug_seq");
