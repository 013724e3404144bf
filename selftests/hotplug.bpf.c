// SPDX-License-Identifier: GPL-2.0
/*
 * ops.cpu_offline() and ops.cpu_online() let a scheduler follow CPU
 * hotplug instead of being kicked out by it (see exit_hotplug for what
 * happens without them).  Each call is logged with its CPU in order.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define MAX_LOG		16

/* Positive: the CPU came online; negative: -(cpu + 1) went offline. */
s32 events[MAX_LOG];
u32 nr_log;

static void log_cpu(s32 v)
{
	u32 i = __sync_fetch_and_add(&nr_log, 1);

	if (i < MAX_LOG)
		events[i] = v;
}

void BPF_STRUCT_OPS(hotplug_cpu_online, s32 cpu)
{
	log_cpu(cpu + 1);
}

void BPF_STRUCT_OPS(hotplug_cpu_offline, s32 cpu)
{
	log_cpu(-(cpu + 1));
}

void BPF_STRUCT_OPS(hotplug_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(hotplug_ops,
	       .cpu_online		= (void *)hotplug_cpu_online,
	       .cpu_offline		= (void *)hotplug_cpu_offline,
	       .exit			= (void *)hotplug_exit,
	       .name			= "hotplug");
