// SPDX-License-Identifier: GPL-2.0
/*
 * Loader for scx_flatcg: load the BPF scheduler, print CPU utilisation, the
 * hweight generation and the scheduling counters every interval, and report
 * why it stopped.
 */
#include <scx/common.h>
#include "scx_flatcg.h"
#include "scx_flatcg.bpf.skel.h"

static const char usage[] =
"Usage: %s [-s SLICE_US] [-f] [-i SEC] [-v] [-h]\n"
"\n"
"Enforce the cgroup v2 cpu.weight hierarchy with one flat layer of cgroups.\n"
"\n"
"  -s SLICE_US  time slice of a task, and how long a CPU stays on one\n"
"               cgroup, in microseconds, 100..1000000 (default 20000)\n"
"  -f           order tasks within a cgroup FIFO instead of by vtime\n"
"  -i SEC       print stats every SEC seconds, 1..3600 (default 1)\n"
"  -v           print libbpf's debug messages\n"
"  -h           show this help\n";

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void print_stats(struct scx_flatcg *skel, u64 prev[FCG_NR_STATS],
			u64 *prev_at)
{
	/* Only online CPUs can run anything; possible ones may be offline. */
	long nr_online = sysconf(_SC_NPROCESSORS_ONLN);
	u64 cur[FCG_NR_STATS], d[FCG_NR_STATS], at = now_ns();
	double util = 0;
	int i;

	scx_read_stats(skel->maps.stats, cur, FCG_NR_STATS);
	for (i = 0; i < FCG_NR_STATS; i++)
		d[i] = cur[i] - prev[i];
	if (at > *prev_at && nr_online > 0)
		util = 100.0 * d[FCG_STAT_RUN_NS] /
		       ((double)(at - *prev_at) * nr_online);

	printf("util=%5.1f%% hweight_epoch=%llu act=%llu deact=%llu enq=%llu\n",
	       util, (unsigned long long)skel->data->hweight_epoch,
	       (unsigned long long)d[FCG_STAT_ACT],
	       (unsigned long long)d[FCG_STAT_DEACT],
	       (unsigned long long)d[FCG_STAT_ENQ]);
	printf("  disp=%llu stay=%llu pick=%llu empty=%llu rekey=%llu cap=%llu local=%llu bypass=%llu\n",
	       (unsigned long long)d[FCG_STAT_DISP],
	       (unsigned long long)d[FCG_STAT_STAY],
	       (unsigned long long)d[FCG_STAT_PICK],
	       (unsigned long long)d[FCG_STAT_EMPTY],
	       (unsigned long long)d[FCG_STAT_REKEY],
	       (unsigned long long)d[FCG_STAT_CAP],
	       (unsigned long long)d[FCG_STAT_LOCAL],
	       (unsigned long long)d[FCG_STAT_BYPASS]);

	memcpy(prev, cur, sizeof(cur));
	*prev_at = at;
}

int main(int argc, char **argv)
{
	struct scx_opts opts = SCX_OPTS_INIT(usage);
	u64 prev[FCG_NR_STATS], prev_at;
	struct scx_flatcg *skel;
	struct bpf_link *link;
	u64 slice_us = 20000;
	bool fifo = false;
	int opt, status;

	while ((opt = scx_getopt(argc, argv, "s:f", &opts)) != -1) {
		switch (opt) {
		case 's':
			slice_us = scx_arg_ll('s', optarg, SCX_SLICE_US_MIN,
					      SCX_SLICE_US_MAX);
			break;
		case 'f':
			fifo = true;
			break;
		}
	}
	scx_stop_on_signals();
restart:
	skel = SCX_OPS_OPEN(flatcg_ops, scx_flatcg);
	skel->rodata->slice_ns = slice_us * 1000;
	skel->rodata->fifo_sched = fifo;
	/*
	 * Without this flag 6.12 warns that we ignore cpu.weight.  It is set
	 * here, not in SCX_OPS_DEFINE(), because 7.3 dropped it (the weight
	 * always arrives there): compat.h reads it from the kernel's enum.
	 */
	skel->struct_ops.flatcg_ops->flags |= SCX_OPS_HAS_CGROUP_WEIGHT;
	SCX_OPS_LOAD(skel, flatcg_ops, scx_flatcg, uei);
	link = SCX_OPS_ATTACH(skel, flatcg_ops, scx_flatcg);
	printf("scx_flatcg: running (slice %llu us, %s within cgroups)\n",
	       (unsigned long long)slice_us, fifo ? "fifo" : "vtime");

	/* Each line shows what changed since the one before. */
	scx_read_stats(skel->maps.stats, prev, FCG_NR_STATS);
	prev_at = now_ns();
	while (SCX_STATS_WAIT(skel, uei, opts.interval))
		print_stats(skel, prev, &prev_at);

	bpf_link__destroy(link);
	status = SCX_OPS_EXIT(skel, uei, scx_flatcg);
	if (status == SCX_OPS_RESTART)
		goto restart;
	return status;
}
