// SPDX-License-Identifier: GPL-2.0
/*
 * Loader for scx_cpu0: load the BPF scheduler, print where tasks were queued
 * and ran every interval, and report why it stopped.
 */
#include <scx/common.h>
#include "scx_cpu0.bpf.skel.h"

static const char usage[] =
"Usage: %s [-s SLICE_US] [-t MS] [-i SEC] [-v] [-h]\n"
"\n"
"Runs every task that may run on CPU 0 on CPU 0 only, from one queue.\n"
"\n"
"  -s SLICE_US  time slice in microseconds, 100..1000000 (default 20000)\n"
"  -t MS        watchdog timeout: a task runnable this long without running\n"
"               ends the scheduler (1 to 30000, default: the kernel's 30000)\n"
"  -i SEC       print stats every SEC seconds, 1..3600 (default 1)\n"
"  -v           print libbpf's debug messages\n"
"  -h           show this help\n";

/* The counters of enum cpu0_stat, in its order. */
static const char *const stat_names[] = {
	"nr_queued", "nr_local", "nr_on_cpu0", "nr_off_cpu0", "nr_kernel",
};
#define NR_STATS	ARRAY_SIZE(stat_names)

int main(int argc, char **argv)
{
	struct scx_opts opts = SCX_OPTS_INIT(usage);
	unsigned int timeout_ms = 0;
	struct scx_cpu0 *skel;
	struct bpf_link *link;
	u64 slice_us = 0;
	u64 st[NR_STATS];
	int opt, status;

	while ((opt = scx_getopt(argc, argv, "s:t:", &opts)) != -1) {
		switch (opt) {
		case 's':
			slice_us = scx_arg_ll('s', optarg, SCX_SLICE_US_MIN,
					      SCX_SLICE_US_MAX);
			break;
		case 't':
			timeout_ms = scx_arg_ll('t', optarg, 1, 30000);
			break;
		}
	}
	scx_stop_on_signals();
restart:
	skel = SCX_OPS_OPEN(cpu0_ops, scx_cpu0);
	skel->struct_ops.cpu0_ops->timeout_ms = timeout_ms;
	if (slice_us)
		skel->rodata->slice_ns = slice_us * 1000;
	SCX_OPS_LOAD(skel, cpu0_ops, scx_cpu0, uei);
	link = SCX_OPS_ATTACH(skel, cpu0_ops, scx_cpu0);
	if (timeout_ms)
		printf("scx_cpu0: running (watchdog timeout %u ms)\n", timeout_ms);
	else
		printf("scx_cpu0: running\n");

	while (SCX_STATS_WAIT(skel, uei, opts.interval)) {
		scx_read_stats(skel->maps.stats, st, NR_STATS);
		scx_print_stats(stat_names, st, NR_STATS);
	}

	bpf_link__destroy(link);
	status = SCX_OPS_EXIT(skel, uei, scx_cpu0);
	if (status == SCX_OPS_RESTART)
		goto restart;
	return status;
}
