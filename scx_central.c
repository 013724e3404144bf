// SPDX-License-Identifier: GPL-2.0
/*
 * Loader for scx_central: move to the central CPU, load the BPF scheduler,
 * print its counters every interval, and start it again when CPU hotplug
 * made the kernel stop it.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <scx/common.h>
#include "scx_central.h"
#include "scx_central.bpf.skel.h"

static const char usage[] =
"Usage: %s [-c CPU] [-s SLICE_US] [-q LEN] [-b BATCH] [-P] [-i SEC] [-v] [-h]\n"
"\n"
"One CPU makes every scheduling decision; the others run their tasks with\n"
"infinite slices, so that nohz_full CPUs can stop their tick.\n"
"\n"
"  -c CPU       the central CPU (default 0)\n"
"  -s SLICE_US  how long a CPU may keep a task while others wait, in\n"
"               microseconds, 100..1000000 (default 20000)\n"
"  -q LEN       length of the central queue; what does not fit goes to the\n"
"               fallback DSQ (default 4096)\n"
"  -b BATCH     dispatch at most BATCH tasks per ops.dispatch() call,\n"
"               1..4096 (default: the kernel's 32)\n"
"  -P           do not pin the slice timer to the central CPU (tests the\n"
"               path taken by kernels without BPF_F_TIMER_CPU_PIN)\n"
"  -i SEC       print stats every SEC seconds, 1..3600 (default 1)\n"
"  -v           print libbpf's debug messages\n"
"  -h           show this help\n";

#define MAX_BATCH	4096

static const char *const stat_names[CENTRAL_NR_STATS] = {
	[CSTAT_TOTAL]		= "total",
	[CSTAT_LOCAL]		= "local",
	[CSTAT_QUEUED]		= "queued",
	[CSTAT_LOST]		= "lost",
	[CSTAT_TIMER]		= "timer",
	[CSTAT_DISPATCH]	= "dispatch",
	[CSTAT_MISMATCH]	= "mismatch",
	[CSTAT_RETRY]		= "retry",
	[CSTAT_OVERFLOW]	= "overflow",
};

/*
 * The stats loop and restarts then run where the scheduler's own work is,
 * instead of waking the CPUs that are meant to stay quiet.
 */
static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		SCX_BUG("cannot move to central CPU %d (is it online?)", cpu);
}

int main(int argc, char **argv)
{
	struct scx_opts opts = SCX_OPTS_INIT(usage);
	int nr_cpus = libbpf_num_possible_cpus();
	unsigned int queue_len = 4096, batch = 0;
	unsigned long long slice_us = 20000;
	bool no_pin = false, warned = false;
	struct scx_central *skel;
	struct bpf_link *link;
	u64 st[CENTRAL_NR_STATS];
	int opt, status;
	int central = 0;

	SCX_BUG_ON(nr_cpus <= 0, "cannot count the possible CPUs");
	if (nr_cpus > CENTRAL_MAX_CPUS)
		SCX_DIE("%d possible CPUs, built for at most %d", nr_cpus,
			CENTRAL_MAX_CPUS);

	while ((opt = scx_getopt(argc, argv, "c:s:q:b:P", &opts)) != -1) {
		switch (opt) {
		case 'c':
			central = scx_arg_ll('c', optarg, 0, nr_cpus - 1);
			break;
		case 's':
			slice_us = scx_arg_ll('s', optarg, SCX_SLICE_US_MIN,
					      SCX_SLICE_US_MAX);
			break;
		case 'q':
			queue_len = scx_arg_ll('q', optarg, 1, 1 << 20);
			break;
		case 'b':
			batch = scx_arg_ll('b', optarg, 1, MAX_BATCH);
			break;
		case 'P':
			no_pin = true;
			break;
		}
	}
	scx_stop_on_signals();
restart:
	pin_to_cpu(central);
	skel = SCX_OPS_OPEN(central_ops, scx_central);
	skel->rodata->central_cpu = central;
	skel->rodata->nr_possible_cpus = nr_cpus;
	skel->rodata->slice_ns = slice_us * 1000;
	skel->rodata->timer_no_pin = no_pin;
	if (batch)
		skel->struct_ops.central_ops->dispatch_max_batch = batch;
	SCX_BUG_ON(bpf_map__set_max_entries(skel->maps.central_q, queue_len),
		   "cannot size the central queue");
	SCX_OPS_LOAD(skel, central_ops, scx_central, uei);
	link = SCX_OPS_ATTACH(skel, central_ops, scx_central);
	printf("scx_central: running (central CPU %d, slice %llu us, queue %u)\n",
	       central, slice_us, queue_len);

	while (SCX_STATS_WAIT(skel, uei, opts.interval)) {
		if (skel->bss->timer_unpinned && !warned) {
			fprintf(stderr, "%s: warning: the slice timer is not pinned to CPU %d%s\n",
				program_invocation_short_name, central,
				no_pin ? " (-P)" :
				" (no BPF_F_TIMER_CPU_PIN in this kernel)");
			warned = true;
		}
		scx_read_stats(skel->maps.stats, st, CENTRAL_NR_STATS);
		scx_print_stats(stat_names, st, CENTRAL_NR_STATS);
	}

	bpf_link__destroy(link);
	status = SCX_OPS_EXIT(skel, uei, scx_central);
	if (status == SCX_OPS_RESTART)
		goto restart;
	return status;
}
