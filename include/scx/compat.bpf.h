/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One BPF object for 6.12 and for newer kernels.
 *
 * Linux 6.13 renamed the dispatch kfuncs: scx_bpf_dispatch() became
 * scx_bpf_dsq_insert(), scx_bpf_consume() became scx_bpf_dsq_move_to_local(),
 * and the scx_bpf_dispatch_from_dsq() family became scx_bpf_dsq_move*().
 * Both sets are declared here as weak kernel symbols under a "___compat"
 * flavor, which libbpf strips when it resolves them.  Whichever set the
 * running kernel lacks resolves to NULL, bpf_ksym_exists() turns into a
 * constant at load time, and the verifier drops the dead branch.
 *
 * Each name, old and new, is then defined as an always-inlined wrapper, so
 * schedulers can use the current names and code written against a 6.12 tree
 * keeps building.
 */
#ifndef __SCX_COMPAT_BPF_H
#define __SCX_COMPAT_BPF_H

/* Linux 6.12 */
void scx_bpf_dispatch___compat(struct task_struct *p, u64 dsq_id, u64 slice,
			       u64 enq_flags) __ksym __weak;
void scx_bpf_dispatch_vtime___compat(struct task_struct *p, u64 dsq_id,
				     u64 slice, u64 vtime,
				     u64 enq_flags) __ksym __weak;
bool scx_bpf_consume___compat(u64 dsq_id) __ksym __weak;
void scx_bpf_dispatch_from_dsq_set_slice___compat(struct bpf_iter_scx_dsq *it,
						  u64 slice) __ksym __weak;
void scx_bpf_dispatch_from_dsq_set_vtime___compat(struct bpf_iter_scx_dsq *it,
						  u64 vtime) __ksym __weak;
bool scx_bpf_dispatch_from_dsq___compat(struct bpf_iter_scx_dsq *it,
					struct task_struct *p, u64 dsq_id,
					u64 enq_flags) __ksym __weak;
bool scx_bpf_dispatch_vtime_from_dsq___compat(struct bpf_iter_scx_dsq *it,
					      struct task_struct *p, u64 dsq_id,
					      u64 enq_flags) __ksym __weak;

/* Linux 6.13 and later */
void scx_bpf_dsq_insert___compat(struct task_struct *p, u64 dsq_id, u64 slice,
				 u64 enq_flags) __ksym __weak;
void scx_bpf_dsq_insert_vtime___compat(struct task_struct *p, u64 dsq_id,
				       u64 slice, u64 vtime,
				       u64 enq_flags) __ksym __weak;
bool scx_bpf_dsq_move_to_local___compat(u64 dsq_id) __ksym __weak;
void scx_bpf_dsq_move_set_slice___compat(struct bpf_iter_scx_dsq *it,
					 u64 slice) __ksym __weak;
void scx_bpf_dsq_move_set_vtime___compat(struct bpf_iter_scx_dsq *it,
					 u64 vtime) __ksym __weak;
bool scx_bpf_dsq_move___compat(struct bpf_iter_scx_dsq *it,
			       struct task_struct *p, u64 dsq_id,
			       u64 enq_flags) __ksym __weak;
bool scx_bpf_dsq_move_vtime___compat(struct bpf_iter_scx_dsq *it,
				     struct task_struct *p, u64 dsq_id,
				     u64 enq_flags) __ksym __weak;

/*
 * Queue @p on @dsq_id with a time slice of @slice ns: a built-in DSQ
 * (SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL, SCX_DSQ_LOCAL_ON | cpu) or one made with
 * scx_bpf_create_dsq().
 */
static __always_inline void
scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags)
{
	if (bpf_ksym_exists(scx_bpf_dsq_insert___compat))
		scx_bpf_dsq_insert___compat(p, dsq_id, slice, enq_flags);
	else
		scx_bpf_dispatch___compat(p, dsq_id, slice, enq_flags);
}

/* Like scx_bpf_dsq_insert(), ordered by @vtime; user DSQs only. */
static __always_inline void
scx_bpf_dsq_insert_vtime(struct task_struct *p, u64 dsq_id, u64 slice,
			 u64 vtime, u64 enq_flags)
{
	if (bpf_ksym_exists(scx_bpf_dsq_insert_vtime___compat))
		scx_bpf_dsq_insert_vtime___compat(p, dsq_id, slice, vtime,
						  enq_flags);
	else
		scx_bpf_dispatch_vtime___compat(p, dsq_id, slice, vtime,
						enq_flags);
}

/* From ops.dispatch(): move the first task of @dsq_id to this CPU's local DSQ. */
static __always_inline bool scx_bpf_dsq_move_to_local(u64 dsq_id)
{
	if (bpf_ksym_exists(scx_bpf_dsq_move_to_local___compat))
		return scx_bpf_dsq_move_to_local___compat(dsq_id);
	return scx_bpf_consume___compat(dsq_id);
}

/* Slice to give the next task moved with @it. */
static __always_inline void
scx_bpf_dsq_move_set_slice(struct bpf_iter_scx_dsq *it, u64 slice)
{
	if (bpf_ksym_exists(scx_bpf_dsq_move_set_slice___compat))
		scx_bpf_dsq_move_set_slice___compat(it, slice);
	else
		scx_bpf_dispatch_from_dsq_set_slice___compat(it, slice);
}

/* Vtime to give the next task moved with @it. */
static __always_inline void
scx_bpf_dsq_move_set_vtime(struct bpf_iter_scx_dsq *it, u64 vtime)
{
	if (bpf_ksym_exists(scx_bpf_dsq_move_set_vtime___compat))
		scx_bpf_dsq_move_set_vtime___compat(it, vtime);
	else
		scx_bpf_dispatch_from_dsq_set_vtime___compat(it, vtime);
}

/* Move @p, found while iterating with @it, to @dsq_id. */
static __always_inline bool
scx_bpf_dsq_move(struct bpf_iter_scx_dsq *it, struct task_struct *p,
		 u64 dsq_id, u64 enq_flags)
{
	if (bpf_ksym_exists(scx_bpf_dsq_move___compat))
		return scx_bpf_dsq_move___compat(it, p, dsq_id, enq_flags);
	return scx_bpf_dispatch_from_dsq___compat(it, p, dsq_id, enq_flags);
}

/* Like scx_bpf_dsq_move(), ordered by the vtime set on @it. */
static __always_inline bool
scx_bpf_dsq_move_vtime(struct bpf_iter_scx_dsq *it, struct task_struct *p,
		       u64 dsq_id, u64 enq_flags)
{
	if (bpf_ksym_exists(scx_bpf_dsq_move_vtime___compat))
		return scx_bpf_dsq_move_vtime___compat(it, p, dsq_id,
						       enq_flags);
	return scx_bpf_dispatch_vtime_from_dsq___compat(it, p, dsq_id,
							enq_flags);
}

/* The 6.12 names, for schedulers written against a 6.12 tree. */
static __always_inline void
scx_bpf_dispatch(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, dsq_id, slice, enq_flags);
}

static __always_inline void
scx_bpf_dispatch_vtime(struct task_struct *p, u64 dsq_id, u64 slice,
		       u64 vtime, u64 enq_flags)
{
	scx_bpf_dsq_insert_vtime(p, dsq_id, slice, vtime, enq_flags);
}

static __always_inline bool scx_bpf_consume(u64 dsq_id)
{
	return scx_bpf_dsq_move_to_local(dsq_id);
}

static __always_inline void
scx_bpf_dispatch_from_dsq_set_slice(struct bpf_iter_scx_dsq *it, u64 slice)
{
	scx_bpf_dsq_move_set_slice(it, slice);
}

static __always_inline void
scx_bpf_dispatch_from_dsq_set_vtime(struct bpf_iter_scx_dsq *it, u64 vtime)
{
	scx_bpf_dsq_move_set_vtime(it, vtime);
}

static __always_inline bool
scx_bpf_dispatch_from_dsq(struct bpf_iter_scx_dsq *it, struct task_struct *p,
			  u64 dsq_id, u64 enq_flags)
{
	return scx_bpf_dsq_move(it, p, dsq_id, enq_flags);
}

static __always_inline bool
scx_bpf_dispatch_vtime_from_dsq(struct bpf_iter_scx_dsq *it,
				struct task_struct *p, u64 dsq_id, u64 enq_flags)
{
	return scx_bpf_dsq_move_vtime(it, p, dsq_id, enq_flags);
}

/*
 * The names a 6.12 tree's schedulers use for the dispatch_from_dsq family,
 * which that tree wrapped because 6.11 lacked it.
 */
#define __COMPAT_scx_bpf_dispatch_from_dsq_set_slice(it, slice)		\
	scx_bpf_dsq_move_set_slice((it), (slice))
#define __COMPAT_scx_bpf_dispatch_from_dsq_set_vtime(it, vtime)		\
	scx_bpf_dsq_move_set_vtime((it), (vtime))
#define __COMPAT_scx_bpf_dispatch_from_dsq(it, p, dsq_id, enq_flags)		\
	scx_bpf_dsq_move((it), (p), (dsq_id), (enq_flags))
#define __COMPAT_scx_bpf_dispatch_vtime_from_dsq(it, p, dsq_id, enq_flags)	\
	scx_bpf_dsq_move_vtime((it), (p), (dsq_id), (enq_flags))

/*
 * scx_bpf_task_cgroup() is in every kernel with sched_ext and cgroup
 * scheduling; the 6.12 tree wrapped it for the kernels before.
 */
#define __COMPAT_scx_bpf_task_cgroup(p)	scx_bpf_task_cgroup(p)

/*
 * The value of enumerator @__name of @__type (e.g. enum scx_enq_flags) in
 * the kernel the program loads on, or 0 if that kernel lacks it: a CO-RE
 * relocation that libbpf resolves at load time.
 */
#define __COMPAT_ENUM_OR_ZERO(__type, __name)					\
	(bpf_core_enum_value_exists(__type, __name) ?				\
	 bpf_core_enum_value(__type, __name) : 0)

#endif	/* __SCX_COMPAT_BPF_H */
