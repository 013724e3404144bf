// SPDX-License-Identifier: GPL-2.0
/*
 * Loader for scx_cpu0: load the BPF scheduler, print where tasks were queued
 * and ran every interval, and report why it stopped.
 */
#include <signal.h>
#include <getopt.h>
#include <scx/common.h>
#include "scx_cpu0.bpf.skel.h"

static const char usage[] =
"Usage: %s [-s SLICE_US] [-t MS] [-i SEC] [-v] [-h]\n"
"\n"
"Runs every task that may run on CPU 0 on CPU 0 only, from one queue.\n"
"\n"
"  -s SLICE_US  time slice in microseconds (1 to 1000000, default 20000)\n"
"  -t MS        watchdog timeout: a task runnable this long without running\n"
"               ends the scheduler (1 to 30000, default: the kernel's 30000)\n"
"  -i SEC       print stats every SEC seconds (default 1)\n"
"  -v           print libbpf's debug messages\n"
"  -h           show this help\n";

/* The counters of enum cpu0_stat, in its order. */
#define NR_STATS	5
static const char *const stat_names[NR_STATS] = {
	"nr_queued", "nr_local", "nr_on_cpu0", "nr_off_cpu0", "nr_kernel",
};

static atomic_bool stop;

static void on_signal(int sig)
{
	atomic_store(&stop, true);
}

/* Sum the per-CPU counters into @out, indexed by enum cpu0_stat. */
static void read_stats(struct scx_cpu0 *skel, u64 out[NR_STATS])
{
	int nr_cpus = libbpf_num_possible_cpus();
	u64 vals[nr_cpus];
	u32 idx;
	int cpu;

	for (idx = 0; idx < NR_STATS; idx++) {
		out[idx] = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &idx, vals))
			continue;
		for (cpu = 0; cpu < nr_cpus; cpu++)
			out[idx] += vals[cpu];
	}
}

int main(int argc, char **argv)
{
	unsigned int interval = 1, timeout_ms = 0;
	u64 slice_us = 0;
	bool verbose = false;
	struct scx_cpu0 *skel;
	struct bpf_link *link;
	bool failed;
	u64 ecode;
	int opt;

	while ((opt = getopt(argc, argv, "s:t:i:vh")) != -1) {
		switch (opt) {
		case 's':
			slice_us = scx_arg_ll('s', optarg, 1, 1000000);
			break;
		case 't':
			timeout_ms = scx_arg_ll('t', optarg, 1, 30000);
			break;
		case 'i':
			interval = scx_arg_ll('i', optarg, 1, 3600);
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			printf(usage, argv[0]);
			return 0;
		default:
			fprintf(stderr, usage, argv[0]);
			return 1;
		}
	}
	if (optind < argc)
		SCX_DIE("unexpected argument '%s' (see -h)", argv[optind]);

	scx_libbpf_verbose(verbose);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
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

	while (!atomic_load(&stop) && !UEI_EXITED(skel, uei)) {
		u64 st[NR_STATS];
		unsigned int i;

		read_stats(skel, st);
		for (i = 0; i < NR_STATS; i++)
			printf("%s%s=%llu", i ? " " : "", stat_names[i],
			       (unsigned long long)st[i]);
		putchar('\n');
		fflush(stdout);
		scx_stats_sleep(interval, &stop, &skel->data->uei.kind);
	}

	bpf_link__destroy(link);
	ecode = UEI_REPORT(skel, uei);
	failed = UEI_FAILED(skel, uei);
	scx_cpu0__destroy(skel);

	if (UEI_ECODE_RESTART(ecode)) {
		scx_wait_disabled(5000);
		goto restart;
	}
	return failed;
}
