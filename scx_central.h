/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What scx_central's BPF side and its loader agree on: the limits of the
 * per-CPU arrays and the order of the counters in the stats array.
 */
#ifndef __SCX_CENTRAL_H
#define __SCX_CENTRAL_H

/* The per-CPU arrays are sized at build time; the loader checks the fit. */
#define CENTRAL_MAX_CPUS	1024

enum central_stat {
	CSTAT_TOTAL,	/* ops.enqueue() calls */
	CSTAT_LOCAL,	/* kept on the CPU they are on, past the central CPU */
	CSTAT_QUEUED,	/* pushed onto the central queue */
	CSTAT_LOST,	/* popped, but the task had exited meanwhile */
	CSTAT_TIMER,	/* CPUs preempted by the slice timer */
	CSTAT_DISPATCH,	/* tasks the central CPU placed on a CPU */
	CSTAT_MISMATCH,	/* tasks that could not run where they were headed */
	CSTAT_RETRY,	/* dispatch rounds cut short by full dispatch slots */
	CSTAT_OVERFLOW,	/* tasks the full queue could not take */
	CENTRAL_NR_STATS,
};

#endif	/* __SCX_CENTRAL_H */
