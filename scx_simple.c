// SPDX-License-Identifier: GPL-2.0
/*
 * Loader for scx_simple: load the BPF scheduler, print how tasks were queued
 * every interval, and report why it stopped.
 */
#include <signal.h>
#include <getopt.h>
#include <scx/common.h>
#include "scx_simple.bpf.skel.h"

static const char usage[] =
"Usage: %s [-f] [-i SEC] [-v] [-h]\n"
"\n"
"A weighted-vtime scheduler with one shared queue.\n"
"\n"
"  -f      schedule in FIFO order instead of by weighted vtime\n"
"  -i SEC  print stats every SEC seconds (default 1)\n"
"  -v      print libbpf's debug messages\n"
"  -h      show this help\n";

static atomic_bool stop;

static void on_signal(int sig)
{
	atomic_store(&stop, true);
}

/* Sum the per-CPU counters into @out, indexed by enum simple_stat. */
static void read_stats(struct scx_simple *skel, u64 out[2])
{
	int nr_cpus = libbpf_num_possible_cpus();
	u64 vals[nr_cpus];
	u32 idx;
	int cpu;

	for (idx = 0; idx < 2; idx++) {
		out[idx] = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &idx, vals))
			continue;
		for (cpu = 0; cpu < nr_cpus; cpu++)
			out[idx] += vals[cpu];
	}
}

int main(int argc, char **argv)
{
	unsigned int interval = 1;
	bool fifo = false, verbose = false;
	struct scx_simple *skel;
	struct bpf_link *link;
	bool failed;
	u64 ecode;
	int opt;

	while ((opt = getopt(argc, argv, "fi:vh")) != -1) {
		switch (opt) {
		case 'f':
			fifo = true;
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
	skel = SCX_OPS_OPEN(simple_ops, scx_simple);
	skel->rodata->fifo_order = fifo;
	SCX_OPS_LOAD(skel, simple_ops, scx_simple, uei);
	link = SCX_OPS_ATTACH(skel, simple_ops, scx_simple);
	printf("scx_simple: running (%s)\n", fifo ? "fifo" : "weighted vtime");

	while (!atomic_load(&stop) && !UEI_EXITED(skel, uei)) {
		u64 st[2];

		read_stats(skel, st);
		printf("local=%llu shared=%llu\n", (unsigned long long)st[0],
		       (unsigned long long)st[1]);
		fflush(stdout);
		scx_stats_sleep(interval, &stop, &skel->data->uei.kind);
	}

	bpf_link__destroy(link);
	ecode = UEI_REPORT(skel, uei);
	failed = UEI_FAILED(skel, uei);
	scx_simple__destroy(skel);

	if (UEI_ECODE_RESTART(ecode)) {
		scx_wait_disabled(5000);
		goto restart;
	}
	return failed;
}
