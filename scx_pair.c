// SPDX-License-Identifier: GPL-2.0
/*
 * Loader for scx_pair: pair the CPUs, load the BPF scheduler, print its
 * counters and the runs of each cgroup every interval, and report why it
 * stopped.
 */
#include <scx/common.h>
#include "scx_pair.h"
#include "scx_pair.bpf.skel.h"

static const char usage[] =
"Usage: %s [-S STRIDE] [-i SEC] [-v] [-h]\n"
"\n"
"Core scheduling by BPF: the two CPUs of a pair always run tasks of the\n"
"same cgroup, or one of them idles.\n"
"\n"
"  -S STRIDE  pair CPU c with CPU c + STRIDE, the lowest unpaired CPU first\n"
"             (default: half the CPUs); the CPU count must be a multiple of\n"
"             2 * STRIDE\n"
"  -i SEC     print stats every SEC seconds, 1..3600 (default 1)\n"
"  -v         print libbpf's debug messages\n"
"  -h         show this help\n";

static const char *const stat_names[PAIR_NR_STATS] = {
	[PAIR_STAT_ENQ]		= "enq",
	[PAIR_STAT_DISP]	= "disp",
	[PAIR_STAT_KEEP]	= "keep",
	[PAIR_STAT_SWITCH]	= "switch",
	[PAIR_STAT_DRAIN]	= "drain",
	[PAIR_STAT_WAIT]	= "wait",
	[PAIR_STAT_PREEMPT]	= "preempt",
	[PAIR_STAT_NOQ]		= "noq",
	[PAIR_STAT_MOVED]	= "moved",
	[PAIR_STAT_MISMATCH]	= "mismatch",
};

/* The pairing, worked out before anything is loaded. */
static u32 cpu_pair[PAIR_MAX_CPUS], cpu_half[PAIR_MAX_CPUS];
static s32 cpu_peer[PAIR_MAX_CPUS];

/*
 * Pair CPU c with c + @stride, taking the lowest unpaired CPU each time.
 * That pairs all @nr_cpus exactly when they are a multiple of 2 * @stride;
 * otherwise say which CPU is left over and which strides would do.
 */
static void pair_cpus(int nr_cpus, int stride)
{
	bool paired[PAIR_MAX_CPUS] = {};
	char valid[256] = "";
	int cpu, peer, s, id = 0;
	size_t len = 0;

	for (s = 1; s <= nr_cpus / 2; s++)
		if (!(nr_cpus % (2 * s)) && len < sizeof(valid) - 16)
			len += snprintf(valid + len, sizeof(valid) - len, "%s-S %d",
					len ? ", " : "", s);
	if (!len)
		SCX_DIE("cannot pair %d CPUs: scx_pair needs an even number of possible CPUs",
			nr_cpus);

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		if (paired[cpu])
			continue;
		peer = cpu + stride;
		if (peer >= nr_cpus || paired[peer])
			SCX_DIE("-S %d does not pair up the %d CPUs (CPU %d would pair with CPU %d); "
				"the CPU count must be a multiple of 2 * STRIDE: use %s",
				stride, nr_cpus, cpu, peer, valid);
		paired[cpu] = paired[peer] = true;
		cpu_pair[cpu] = cpu_pair[peer] = id++;
		cpu_half[cpu] = 0;
		cpu_half[peer] = 1;
		cpu_peer[cpu] = peer;
		cpu_peer[peer] = cpu;
	}
}

static void print_stats(struct scx_pair *skel)
{
	u64 st[PAIR_NR_STATS];
	u32 q, n;

	scx_read_stats(skel->maps.stats, st, PAIR_NR_STATS);
	scx_print_stats(stat_names, st, PAIR_NR_STATS);

	/* Runs per cgroup, keyed by cgroup id (the cgroup directory's inode). */
	printf("runs:");
	n = __atomic_load_n(&skel->data->nr_queues, __ATOMIC_RELAXED);
	for (q = 1; q <= n && q < PAIR_MAX_CGRPS; q++) {
		u64 cgid = skel->bss->q_cgid[q], runs = skel->bss->q_runs[q];

		if (cgid && runs)
			printf(" cg%llu=%llu", (unsigned long long)cgid,
			       (unsigned long long)runs);
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	struct scx_opts opts = SCX_OPTS_INIT(usage);
	int nr_cpus = libbpf_num_possible_cpus();
	struct scx_pair *skel;
	struct bpf_link *link;
	int opt, status;
	int stride = 0;

	SCX_BUG_ON(nr_cpus <= 0, "cannot count the possible CPUs");
	if (nr_cpus > PAIR_MAX_CPUS)
		SCX_DIE("%d possible CPUs, built for at most %d", nr_cpus,
			PAIR_MAX_CPUS);

	while ((opt = scx_getopt(argc, argv, "S:", &opts)) != -1) {
		switch (opt) {
		case 'S':
			stride = scx_arg_ll('S', optarg, 1,
					    nr_cpus > 1 ? nr_cpus - 1 : 1);
			break;
		}
	}
	if (!stride)
		stride = nr_cpus / 2 ?: 1;
	pair_cpus(nr_cpus, stride);
	scx_stop_on_signals();
restart:
	skel = SCX_OPS_OPEN(pair_ops, scx_pair);
	skel->rodata->nr_cpu_ids = nr_cpus;
	memcpy((void *)skel->rodata->pair_id, cpu_pair, sizeof(cpu_pair));
	memcpy((void *)skel->rodata->pair_half, cpu_half, sizeof(cpu_half));
	memcpy((void *)skel->rodata->pair_peer, cpu_peer, sizeof(cpu_peer));
	/* Migration-disabled tasks skip ops.enqueue() on kernels that know the flag. */
	skel->struct_ops.pair_ops->flags |=
		__COMPAT_ENUM_OR_ZERO("scx_ops_flags", "SCX_OPS_ENQ_MIGRATION_DISABLED");
	SCX_OPS_LOAD(skel, pair_ops, scx_pair, uei);
	link = SCX_OPS_ATTACH(skel, pair_ops, scx_pair);
	printf("scx_pair: running (%d CPUs, pairs of CPU c and c+%d)\n", nr_cpus,
	       stride);

	while (SCX_STATS_WAIT(skel, uei, opts.interval))
		print_stats(skel);

	bpf_link__destroy(link);
	status = SCX_OPS_EXIT(skel, uei, scx_pair);
	if (status == SCX_OPS_RESTART)
		goto restart;
	return status;
}
