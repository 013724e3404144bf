// SPDX-License-Identifier: GPL-2.0
/*
 * Loader for scx_legacy, in the shape of a 6.12 tree's loaders.  Prints how
 * many tasks the dispatch_from_dsq kfuncs moved, once a second.
 */
#include <signal.h>
#include <scx/common.h>
#include "scx_legacy.bpf.skel.h"

static atomic_bool stop;

static void on_signal(int sig)
{
	atomic_store(&stop, true);
}

int main(int argc, char **argv)
{
	struct scx_legacy *skel;
	struct bpf_link *link;
	u64 ecode;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	scx_libbpf_verbose(argc > 1 && !strcmp(argv[1], "-v"));
restart:
	skel = SCX_OPS_OPEN(legacy_ops, scx_legacy);
	SCX_OPS_LOAD(skel, legacy_ops, scx_legacy, uei);
	link = SCX_OPS_ATTACH(skel, legacy_ops, scx_legacy);

	while (!atomic_load(&stop) && !UEI_EXITED(skel, uei)) {
		printf("moved=%llu\n", (unsigned long long)skel->bss->nr_moved);
		fflush(stdout);
		scx_stats_sleep(1, &stop, &skel->data->uei.kind);
	}

	bpf_link__destroy(link);
	ecode = UEI_REPORT(skel, uei);
	scx_legacy__destroy(skel);
	if (UEI_ECODE_RESTART(ecode))
		goto restart;
	return 0;
}
