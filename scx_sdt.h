/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF side of scx_sdt and its loader agree on: the counters of the
 * per-CPU stats map, and the size of one task context in the arena.
 */
#ifndef __SCX_SDT_H
#define __SCX_SDT_H

/*
 * Every task context takes one slot of this many bytes: a cache line, so
 * that two CPUs updating the contexts of two different tasks never write to
 * the same line.  A page of 4096 bytes holds 64 of them.
 */
#define SDT_SLOT_SIZE	64

/* How tasks were queued, counted per CPU and summed by the loader. */
enum sdt_stat {
	SDT_STAT_LOCAL,		/* straight to an idle CPU's local DSQ */
	SDT_STAT_SHARED,	/* on the shared DSQ, in vtime order */
	SDT_NR_STATS,
};

#endif /* __SCX_SDT_H */
