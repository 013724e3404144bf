// SPDX-License-Identifier: GPL-2.0
/*
 * A scheduler without ops.cpu_online() and ops.cpu_offline() cannot follow
 * a CPU going away, so the kernel unloads it (SCX_EXIT_UNREG_KERN) with an
 * exit code asking user space to restart it because of hotplug.  All this
 * side does is record the exit.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

void BPF_STRUCT_OPS(exit_hotplug_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(exit_hotplug_ops,
	       .exit			= (void *)exit_hotplug_exit,
	       .name			= "exit_hotplug");
