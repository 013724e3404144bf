/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What scx_userland's BPF side and its user-space scheduler pass to each
 * other through their two ring buffers.  Both sides include this file, so
 * only fixed-width types, defined by vmlinux.h on one side and by
 * scx/common.h on the other.
 */
#ifndef __SCX_USERLAND_H
#define __SCX_USERLAND_H

/*
 * BPF -> user space, one per task that became runnable.  The task's total
 * run time (p->se.sum_exec_runtime, kept by the core scheduler for every
 * class) lets user space charge the time used since it last saw the task
 * without BPF keeping any per-task state.
 */
struct userland_enq {
	s32	pid;
	u32	weight;		/* 100 for nice 0 */
	u64	sum_exec;	/* ns */
};

/* User space -> BPF, one per task to run, in the order to run them. */
struct userland_disp {
	s32	pid;
	u32	pad;
	u64	vtime;		/* user space's weighted vruntime of the task */
};

/* Ring sizes in bytes: powers of two and multiples of the page size. */
#define USERLAND_ENQ_RING_SIZE	(256 * 1024)
#define USERLAND_DISP_RING_SIZE	(256 * 1024)

#endif /* __SCX_USERLAND_H */
