// SPDX-License-Identifier: GPL-2.0
/*
 * Loader for scx_sdt: size the arena, load the BPF scheduler, print where
 * tasks were queued and what the arena allocator holds every interval, and
 * report why it stopped.
 */
#include <scx/common.h>
#include "scx_sdt.h"
#include "scx_sdt.bpf.skel.h"

static const char usage[] =
"Usage: %s [-p PAGES] [-i SEC] [-v] [-h]\n"
"\n"
"scx_simple's weighted vtime scheduling, with each task's context kept in\n"
"a BPF arena by an allocator written in BPF.\n"
"\n"
"  -p PAGES     arena size in pages, 1..1048576 (default 1024); each page\n"
"               holds the contexts of page size / 64 tasks\n"
"  -i SEC       print stats every SEC seconds, 1..3600 (default 1)\n"
"  -v           print libbpf's debug messages\n"
"  -h           show this help\n";

/* The usage above says 64. */
_Static_assert(SDT_SLOT_SIZE == 64, "-h gives the slot size as 64");

/* The counters of enum sdt_stat, in its order. */
static const char *const stat_names[] = { "nr_local", "nr_shared" };
#define NR_STATS	ARRAY_SIZE(stat_names)

/* The allocator's counters, read from .bss, after the per-CPU ones. */
static void print_stats(struct scx_sdt *skel)
{
	u64 st[NR_STATS], nr_alloc, nr_free;

	/*
	 * Frees first: a slot is freed after it was allocated, so live below
	 * cannot count more frees than allocations.
	 */
	nr_free = __atomic_load_n(&skel->bss->nr_free, __ATOMIC_ACQUIRE);
	nr_alloc = __atomic_load_n(&skel->bss->nr_alloc, __ATOMIC_ACQUIRE);
	scx_read_stats(skel->maps.stats, st, NR_STATS);
	printf("nr_local=%llu nr_shared=%llu nr_alloc=%llu nr_free=%llu live=%llu pages=%llu\n",
	       (unsigned long long)st[SDT_STAT_LOCAL],
	       (unsigned long long)st[SDT_STAT_SHARED],
	       (unsigned long long)nr_alloc, (unsigned long long)nr_free,
	       (unsigned long long)(nr_alloc - nr_free),
	       (unsigned long long)skel->bss->nr_pages);
}

int main(int argc, char **argv)
{
	struct scx_opts opts = SCX_OPTS_INIT(usage);
	long page_size = sysconf(_SC_PAGESIZE);
	unsigned int pages = 1024;
	struct scx_sdt *skel;
	struct bpf_link *link;
	int opt, status;

	while ((opt = scx_getopt(argc, argv, "p:", &opts)) != -1) {
		switch (opt) {
		case 'p':
			/* The arena spans at most 4 GiB. */
			pages = scx_arg_ll('p', optarg, 1,
					   (1LL << 32) / page_size);
			break;
		}
	}
	scx_stop_on_signals();
restart:
	skel = SCX_OPS_OPEN(sdt_ops, scx_sdt);
	skel->rodata->page_size = page_size;
	skel->rodata->arena_pages = pages;
	SCX_BUG_ON(bpf_map__set_max_entries(skel->maps.arena, pages),
		   "cannot size the arena to %u pages", pages);
	SCX_OPS_LOAD(skel, sdt_ops, scx_sdt, uei);
	link = SCX_OPS_ATTACH(skel, sdt_ops, scx_sdt);
	printf("scx_sdt: running (arena of %u pages, %ld task contexts each)\n",
	       pages, page_size / SDT_SLOT_SIZE);

	while (SCX_STATS_WAIT(skel, uei, opts.interval))
		print_stats(skel);

	bpf_link__destroy(link);
	status = SCX_OPS_EXIT(skel, uei, scx_sdt);
	if (status == SCX_OPS_RESTART)
		goto restart;
	return status;
}
