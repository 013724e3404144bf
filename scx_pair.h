/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What scx_pair's BPF side and its loader both need to know: the limits
 * the loader checks before load, and the per-CPU counters it sums and
 * prints every interval.
 */
#ifndef __SCX_PAIR_H
#define __SCX_PAIR_H

/* Possible CPUs the pairing tables hold; more are refused at start. */
#define PAIR_MAX_CPUS		1024
/*
 * Cgroups (with the cpu controller) that can have a queue at once.  Queue
 * 0 is never used, so that 0 can mean "no cgroup" in the pair contexts.
 */
#define PAIR_MAX_CGRPS		1024

enum pair_stat {
	PAIR_STAT_ENQ,		/* tasks queued on their cgroup's queue */
	PAIR_STAT_DISP,		/* tasks moved from a cgroup queue to a CPU */
	PAIR_STAT_KEEP,		/* a CPU kept its task: nothing else of its cgroup */
	PAIR_STAT_SWITCH,	/* a pair started serving another cgroup */
	PAIR_STAT_DRAIN,	/* a pair's time was up and another cgroup waited */
	PAIR_STAT_WAIT,		/* a CPU idled until its sibling left a cgroup */
	PAIR_STAT_PREEMPT,	/* siblings kicked with SCX_KICK_PREEMPT */
	PAIR_STAT_NOQ,		/* tasks of a cgroup without a queue (root's used) */
	PAIR_STAT_MOVED,	/* a task ran after a move to another cgroup */
	/* A CPU started a task while its sibling ran one of another cgroup. */
	PAIR_STAT_MISMATCH,
	PAIR_NR_STATS,
};

#endif	/* __SCX_PAIR_H */
