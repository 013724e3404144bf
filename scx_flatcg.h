/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What scx_flatcg's BPF side and its loader both need to know: the layout of
 * the per-CPU counters that the loader sums and prints every interval.
 */
#ifndef __SCX_FLATCG_H
#define __SCX_FLATCG_H

enum fcg_stat {
	FCG_STAT_ACT,		/* a cgroup gained its first active member */
	FCG_STAT_DEACT,		/* a cgroup lost its last active member */
	FCG_STAT_LOCAL,		/* woke onto an idle CPU, no queue involved */
	FCG_STAT_BYPASS,	/* restricted affinity: straight to a local DSQ */
	FCG_STAT_ENQ,		/* queued on its cgroup's DSQ */
	FCG_STAT_DISP,		/* tasks moved from a cgroup DSQ to a CPU */
	FCG_STAT_STAY,		/* ... of which the CPU stayed on its cgroup */
	FCG_STAT_PICK,		/* cgroups taken from the front of the tree */
	FCG_STAT_EMPTY,		/* a picked cgroup had nothing left to run */
	FCG_STAT_REKEY,		/* a picked cgroup had been charged since */
	FCG_STAT_CAP,		/* idle credit cut back to the budget */
	FCG_STAT_RUN_NS,	/* CPU time charged to cgroups, in ns */
	FCG_NR_STATS,
};

#endif	/* __SCX_FLATCG_H */
