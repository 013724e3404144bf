// SPDX-License-Identifier: GPL-2.0
/*
 * Loader for scx_simple: load the BPF scheduler, print how tasks were queued
 * every interval, and report why it stopped.
 */
#include <scx/common.h>
#include "scx_simple.bpf.skel.h"

static const char usage[] =
"Usage: %s [-f] [-i SEC] [-v] [-h]\n"
"\n"
"A weighted-vtime scheduler with one shared queue.\n"
"\n"
"  -f      schedule in FIFO order instead of by weighted vtime\n"
"  -i SEC  print stats every SEC seconds, 1..3600 (default 1)\n"
"  -v      print libbpf's debug messages\n"
"  -h      show this help\n";

/* The counters of enum simple_stat, in its order. */
static const char *const stat_names[] = { "local", "shared" };
#define NR_STATS	ARRAY_SIZE(stat_names)

int main(int argc, char **argv)
{
	struct scx_opts opts = SCX_OPTS_INIT(usage);
	struct scx_simple *skel;
	struct bpf_link *link;
	bool fifo = false;
	u64 st[NR_STATS];
	int opt, status;

	while ((opt = scx_getopt(argc, argv, "f", &opts)) != -1) {
		switch (opt) {
		case 'f':
			fifo = true;
			break;
		}
	}
	scx_stop_on_signals();
restart:
	skel = SCX_OPS_OPEN(simple_ops, scx_simple);
	skel->rodata->fifo_order = fifo;
	SCX_OPS_LOAD(skel, simple_ops, scx_simple, uei);
	link = SCX_OPS_ATTACH(skel, simple_ops, scx_simple);
	printf("scx_simple: running (%s)\n", fifo ? "fifo" : "weighted vtime");

	while (SCX_STATS_WAIT(skel, uei, opts.interval)) {
		scx_read_stats(skel->maps.stats, st, NR_STATS);
		scx_print_stats(stat_names, st, NR_STATS);
	}

	bpf_link__destroy(link);
	status = SCX_OPS_EXIT(skel, uei, scx_simple);
	if (status == SCX_OPS_RESTART)
		goto restart;
	return status;
}
