/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every sched_ext BPF scheduler includes: the kernel's types from
 * vmlinux.h, libbpf's BPF helpers, declarations of the scx_bpf_* kfuncs
 * (as of Linux 6.12), and small helpers for writing struct_ops programs.
 *
 * The kfuncs renamed after 6.12 (scx_bpf_dispatch became scx_bpf_dsq_insert
 * and so on) are not declared here but in compat.bpf.h, which gives both
 * names and picks whichever the running kernel has when the program loads.
 */
#ifndef __SCX_COMMON_BPF_H
#define __SCX_COMMON_BPF_H

/*
 * A vmlinux.h made from BTF with kfunc decl tags (pahole 1.26 or later, as
 * distributions and 7.x kernels build it) declares every kfunc of the
 * kernel it came from.  Those prototypes differ between kernels and clash
 * with the compat wrappers below; bpftool guards them with this macro, and
 * the declarations here are the ones a scheduler builds against.
 */
#ifndef BPF_NO_KFUNC_PROTOTYPES
#define BPF_NO_KFUNC_PROTOTYPES
#endif
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "user_exit_info.h"

/*
 * vmlinux.h carries no macros.  The errno values come from the kernel's
 * uapi header (tools/include/uapi is on the include path), all of them, as
 * in a kernel tree; the other constants are defined here.
 */
#include <asm-generic/errno.h>

#define PF_KTHREAD		0x00200000	/* task is a kernel thread */
#define PF_WQ_WORKER		0x00000020	/* task is a workqueue worker */
#define PF_IDLE			0x00000002
#define PF_EXITING		0x00000004

#ifndef NSEC_PER_USEC
#define NSEC_PER_USEC		1000ULL
#define NSEC_PER_MSEC		(1000ULL * NSEC_PER_USEC)
#define NSEC_PER_SEC		(1000ULL * NSEC_PER_MSEC)
#endif

/* Clocks for bpf_timer_init(), as in uapi/linux/time.h. */
#ifndef CLOCK_MONOTONIC
#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_BOOTTIME		7
#endif

/* sched_ext's core kfuncs, in the order of kernel/sched/ext.c (6.12). */
s32 scx_bpf_select_cpu_dfl(struct task_struct *p, s32 prev_cpu, u64 wake_flags,
			   bool *is_idle) __ksym;
u32 scx_bpf_dispatch_nr_slots(void) __ksym;
void scx_bpf_dispatch_cancel(void) __ksym;
u32 scx_bpf_reenqueue_local(void) __ksym;
s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __ksym;
void scx_bpf_kick_cpu(s32 cpu, u64 flags) __ksym;
s32 scx_bpf_dsq_nr_queued(u64 dsq_id) __ksym;
void scx_bpf_destroy_dsq(u64 dsq_id) __ksym;
int bpf_iter_scx_dsq_new(struct bpf_iter_scx_dsq *it, u64 dsq_id,
			 u64 flags) __ksym;
struct task_struct *bpf_iter_scx_dsq_next(struct bpf_iter_scx_dsq *it) __ksym;
void bpf_iter_scx_dsq_destroy(struct bpf_iter_scx_dsq *it) __ksym;
void scx_bpf_exit_bstr(s64 exit_code, char *fmt, unsigned long long *data,
		       u32 data__sz) __ksym;
void scx_bpf_error_bstr(char *fmt, unsigned long long *data,
			u32 data__sz) __ksym;
void scx_bpf_dump_bstr(char *fmt, unsigned long long *data,
		       u32 data__sz) __ksym;
u32 scx_bpf_cpuperf_cap(s32 cpu) __ksym;
u32 scx_bpf_cpuperf_cur(s32 cpu) __ksym;
void scx_bpf_cpuperf_set(s32 cpu, u32 perf) __ksym;
u32 scx_bpf_nr_cpu_ids(void) __ksym;
const struct cpumask *scx_bpf_get_possible_cpumask(void) __ksym;
const struct cpumask *scx_bpf_get_online_cpumask(void) __ksym;
void scx_bpf_put_cpumask(const struct cpumask *cpumask) __ksym;
const struct cpumask *scx_bpf_get_idle_cpumask(void) __ksym;
const struct cpumask *scx_bpf_get_idle_smtmask(void) __ksym;
void scx_bpf_put_idle_cpumask(const struct cpumask *cpumask) __ksym;
bool scx_bpf_test_and_clear_cpu_idle(s32 cpu) __ksym;
s32 scx_bpf_pick_idle_cpu(const struct cpumask *cpus_allowed, u64 flags) __ksym;
s32 scx_bpf_pick_any_cpu(const struct cpumask *cpus_allowed, u64 flags) __ksym;
bool scx_bpf_task_running(const struct task_struct *p) __ksym;
s32 scx_bpf_task_cpu(const struct task_struct *p) __ksym;
struct rq *scx_bpf_cpu_rq(s32 cpu) __ksym;
struct cgroup *scx_bpf_task_cgroup(struct task_struct *p) __ksym;

/*
 * Kfuncs of newer kernels (7.x), weak: where the running kernel lacks one
 * its address is 0, so guard each call with bpf_ksym_exists(), and the
 * verifier drops the call as dead code there.
 */
u64 scx_bpf_now(void) __ksym __weak;
struct task_struct *scx_bpf_dsq_peek(u64 dsq_id) __ksym __weak;
struct task_struct *scx_bpf_cpu_curr(s32 cpu) __ksym __weak;
struct rq *scx_bpf_locked_rq(void) __ksym __weak;
bool scx_bpf_task_set_slice(struct task_struct *p, u64 slice) __ksym __weak;
bool scx_bpf_task_set_dsq_vtime(struct task_struct *p, u64 vtime) __ksym __weak;
u32 scx_bpf_nr_node_ids(void) __ksym __weak;
s32 scx_bpf_cpu_node(s32 cpu) __ksym __weak;

/*
 * printf-style wrappers around the *_bstr kfuncs.  The format lives in a
 * static buffer and the arguments are widened into an array of u64, which is
 * the form the kernel's bstr printing expects.
 */
#define __SCX_BSTR_ARGS(__fmt, __args...)					\
	static char ___scx_fmt[] = __fmt;					\
	unsigned long long ___scx_data[___bpf_narg(__args)];			\
										\
	_Pragma("GCC diagnostic push")						\
	_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")			\
	___bpf_fill(___scx_data, ##__args);					\
	_Pragma("GCC diagnostic pop")

/* Disable the scheduler with SCX_EXIT_ERROR_BPF and a formatted message. */
#define scx_bpf_error(__fmt, __args...)						\
({										\
	__SCX_BSTR_ARGS(__fmt, ##__args)					\
	scx_bpf_error_bstr(___scx_fmt, ___scx_data, sizeof(___scx_data));	\
})

/* Disable the scheduler gracefully (SCX_EXIT_UNREG_BPF) with an exit code. */
#define scx_bpf_exit(__code, __fmt, __args...)					\
({										\
	__SCX_BSTR_ARGS(__fmt, ##__args)					\
	scx_bpf_exit_bstr((__code), ___scx_fmt, ___scx_data,			\
			  sizeof(___scx_data));					\
})

/* Append a formatted line to the debug dump; valid in ops.dump*() only. */
#define scx_bpf_dump(__fmt, __args...)						\
({										\
	__SCX_BSTR_ARGS(__fmt, ##__args)					\
	scx_bpf_dump_bstr(___scx_fmt, ___scx_data, sizeof(___scx_data));	\
})

/*
 * Define the scheduler: a struct sched_ext_ops in the section that makes
 * libbpf create a struct_ops map attachable as a link.
 */
#define SCX_OPS_DEFINE(__name, ...)						\
	SEC(".struct_ops.link")							\
	struct sched_ext_ops __name = {						\
		__VA_ARGS__,							\
	}

/*
 * The iterator of the enclosing bpf_for_each() loop, for the kfuncs that
 * move the task being visited (scx_bpf_dsq_move() and friends).
 */
#define BPF_FOR_EACH_ITER	(&___it)

/*
 * SEC() under another name: checkpatch takes "SEC(...) more" for an
 * expression missing its parentheses, but leaves alone a macro body that
 * mentions a struct, which these section attributes are all for.
 */
#define __scx_struct_sec(__sec)	SEC(__sec)

/* Define a struct_ops callback with typed arguments. */
#define BPF_STRUCT_OPS(__name, __args...)					\
	__scx_struct_sec("struct_ops/" #__name) BPF_PROG(__name, ##__args)

#define BPF_STRUCT_OPS_SLEEPABLE(__name, __args...)				\
	__scx_struct_sec("struct_ops.s/" #__name) BPF_PROG(__name, ##__args)

/*
 * A global array in a data section of its own.  User space resizes it with
 * RESIZE_ARRAY() before load, e.g. to hold one entry per possible CPU.
 */
#define RESIZABLE_ARRAY(__elfsec, __arr)					\
	__arr[1] __scx_struct_sec("." #__elfsec "." #__arr)

/*
 * Bounds-checked pointer to element @__i of a resizable array of @__n
 * elements, or NULL.  The verifier cannot know the array's final size, so
 * it must see @__i checked against @__n (a constant it can read, such as a
 * const volatile set before load) on the very register that then indexes
 * the array: barrier_var() keeps the compiler from computing the address
 * before the check or from a copy of the index.
 */
#define ARRAY_ELEM_PTR(__arr, __i, __n)						\
({										\
	typeof(&(__arr)[0]) __ptr = NULL;					\
	u64 __idx = (__i);							\
										\
	if (__idx < (u64)(__n)) {						\
		barrier_var(__idx);						\
		__ptr = &(__arr)[__idx];					\
	}									\
	__ptr;									\
})

/*
 * Pointer to a member of @__base reached through variable indexes, such as
 * MEMBER_VPTR(buf, [i]) or MEMBER_VPTR(ctx, .stats[i][j]), or NULL if it
 * would fall outside @__base.  The offset is checked, then added to the
 * base, on one register the compiler may not reason about (see above).
 */
#define MEMBER_VPTR(__base, __member)						\
({										\
	typeof(&(__base)__member) __vptr = NULL;				\
	u64 __off = (char *)&(__base)__member - (char *)&(__base);		\
										\
	barrier_var(__off);							\
	if (__off <= sizeof(__base) - sizeof((__base)__member)) {		\
		barrier_var(__off);						\
		__vptr = (typeof(__vptr))((char *)&(__base) + __off);		\
	}									\
	__vptr;									\
})

/* Tie a BPF-side struct field to the type held by a graph root. */
#define __contains(__name, __node)						\
	__attribute__((btf_decl_tag("contains:" #__name ":" #__node)))
/*
 * Globals that must share a section (and so a map) with nothing else, such
 * as a bpf_spin_lock and the rbtree it protects.
 */
#define private(__name)								\
	__scx_struct_sec(".data." #__name) __hidden _Alignas(8)

/* Newer libbpf defines these too. */
#ifndef likely
#define likely(__x)	__builtin_expect(!!(__x), 1)
#define unlikely(__x)	__builtin_expect(!!(__x), 0)
#endif

#ifndef READ_ONCE
/* Plain loads and stores the compiler may not merge, tear or drop. */
#define READ_ONCE(__x)		(*(__volatile__ typeof(__x) *)&(__x))
#define WRITE_ONCE(__x, __v)	(*(__volatile__ typeof(__x) *)&(__x) = (__v))
#endif

/*
 * Our own helpers carry an scx_ prefix: min(), max(), vtime_before() and the
 * like are names schedulers commonly define for themselves, and a header of
 * ours that defined them too would break such code.
 */
#define scx_min(__a, __b)	((__a) < (__b) ? (__a) : (__b))
#define scx_max(__a, __b)	((__a) > (__b) ? (__a) : (__b))

/* Is vtime (or any u64 clock that may wrap) @a before @b? */
static inline bool scx_vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

/*
 * Is this ops.dispatch() for an SMT sibling of the CPU we run on?  With
 * core scheduling on (a task on the system holds a core-sched cookie), the
 * kernel's balance step also calls ops.dispatch() for each sibling, from
 * the CPU that schedules.  Return early then, for two reasons:
 * - per-CPU state looked up for "this CPU" belongs to another CPU;
 * - on 6.12, a dispatch for a sibling that drops the rq lock (moving a task
 *   that sits on another CPU's rq does) can tell the sibling to keep
 *   running a task that went to sleep meanwhile; the task's next wakeup
 *   then spins forever and the machine locks up (README, "Known kernel
 *   issues").
 * The sibling loses nothing: it dispatches for itself when it schedules.
 * Without core scheduling @cpu is always this CPU.
 */
static inline bool scx_dispatch_for_sibling(s32 cpu)
{
	return cpu != bpf_get_smp_processor_id();
}

/*
 * The examples' counters: SCX_STATS(NR) defines "stats", a per-CPU array of
 * NR u64s indexed by the scheduler's own enum, and stat_add()/stat_inc() to
 * bump one.  Per-CPU, so that counting in a hot path never bounces a cache
 * line between CPUs; the loader sums the CPUs with scx_read_stats().
 */
#define SCX_STATS(__nr_stats)							\
struct {									\
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);				\
	__uint(key_size, sizeof(u32));						\
	__uint(value_size, sizeof(u64));					\
	__uint(max_entries, __nr_stats);					\
} stats SEC(".maps");								\
										\
static __always_inline void stat_add(u32 idx, u64 v)				\
{										\
	u64 *cnt = bpf_map_lookup_elem(&stats, &idx);				\
										\
	if (cnt)								\
		*cnt += v;							\
}										\
										\
static __always_inline void stat_inc(u32 idx)					\
{										\
	stat_add(idx, 1);							\
}

/* Trusted cpumask for kfuncs that take a plain struct cpumask. */
static inline const struct cpumask *cast_mask(struct bpf_cpumask *mask)
{
	/* Its first member is the mask itself: the same address, no code. */
	return &mask->cpumask;
}

/*
 * The kernel's name for "unused" (checkpatch wants the name rather than the
 * attribute, so here the attribute too goes through a macro).
 */
#define __scx_attr(__a)		__attribute__((__a))
#ifndef __maybe_unused
#define __maybe_unused		__scx_attr(__unused__)
#endif

/* Is @p pinned to its CPU for now, by migrate_disable()? */
static inline bool is_migration_disabled(const struct task_struct *p)
{
	/* Kernels without the field cannot pin a task to its CPU that way. */
	if (!bpf_core_field_exists(p->migration_disabled))
		return false;
	/*
	 * BPF programs run with migration disabled, and that shows in the
	 * count of the task we run on behalf of: one level on current is
	 * ours, not its.
	 */
	if (p == bpf_get_current_task_btf())
		return p->migration_disabled > 1;
	return p->migration_disabled;
}

/* The base-2 logarithm of @v, rounded down; 0 for 0 as for 1. */
static inline u32 log2_u64(u64 v)
{
	u32 log = 0, shift;

	for (shift = 32; shift; shift >>= 1) {
		if (v >> shift) {
			v >>= shift;
			log += shift;
		}
	}
	return log;
}

static inline u32 log2_u32(u32 v)
{
	return log2_u64(v);
}

/* BPF core kfuncs: tasks, cgroups, RCU, cpumasks, rbtrees and lists. */
struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;
struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;
struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
void bpf_rcu_read_lock(void) __ksym;
void bpf_rcu_read_unlock(void) __ksym;

struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
struct bpf_cpumask *bpf_cpumask_acquire(struct bpf_cpumask *mask) __ksym;
void bpf_cpumask_release(struct bpf_cpumask *mask) __ksym;
u32 bpf_cpumask_first(const struct cpumask *mask) __ksym;
u32 bpf_cpumask_first_zero(const struct cpumask *mask) __ksym;
void bpf_cpumask_set_cpu(u32 cpu, struct bpf_cpumask *mask) __ksym;
void bpf_cpumask_clear_cpu(u32 cpu, struct bpf_cpumask *mask) __ksym;
bool bpf_cpumask_test_cpu(u32 cpu, const struct cpumask *mask) __ksym;
bool bpf_cpumask_test_and_set_cpu(u32 cpu, struct bpf_cpumask *mask) __ksym;
bool bpf_cpumask_test_and_clear_cpu(u32 cpu, struct bpf_cpumask *mask) __ksym;
void bpf_cpumask_setall(struct bpf_cpumask *mask) __ksym;
void bpf_cpumask_clear(struct bpf_cpumask *mask) __ksym;
bool bpf_cpumask_and(struct bpf_cpumask *dst, const struct cpumask *src1,
		     const struct cpumask *src2) __ksym;
void bpf_cpumask_or(struct bpf_cpumask *dst, const struct cpumask *src1,
		    const struct cpumask *src2) __ksym;
bool bpf_cpumask_equal(const struct cpumask *src1,
		       const struct cpumask *src2) __ksym;
bool bpf_cpumask_intersects(const struct cpumask *src1,
			    const struct cpumask *src2) __ksym;
bool bpf_cpumask_subset(const struct cpumask *src1,
			const struct cpumask *src2) __ksym;
bool bpf_cpumask_empty(const struct cpumask *mask) __ksym;
bool bpf_cpumask_full(const struct cpumask *mask) __ksym;
void bpf_cpumask_copy(struct bpf_cpumask *dst, const struct cpumask *src) __ksym;
u32 bpf_cpumask_any_distribute(const struct cpumask *mask) __ksym;
u32 bpf_cpumask_any_and_distribute(const struct cpumask *src1,
				   const struct cpumask *src2) __ksym;
u32 bpf_cpumask_weight(const struct cpumask *mask) __ksym;
void bpf_cpumask_xor(struct bpf_cpumask *dst, const struct cpumask *src1,
		     const struct cpumask *src2) __ksym;

/* Walk cgroups: bpf_for_each(css, pos, start, BPF_CGROUP_ITER_*). */
int bpf_iter_css_new(struct bpf_iter_css *it,
		     struct cgroup_subsys_state *start, unsigned int flags) __ksym;
struct cgroup_subsys_state *bpf_iter_css_next(struct bpf_iter_css *it) __ksym;
void bpf_iter_css_destroy(struct bpf_iter_css *it) __ksym;

void *bpf_obj_new_impl(u64 local_type_id, void *meta) __ksym;
void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
			bool (less)(struct bpf_rb_node *a,
				    const struct bpf_rb_node *b),
			void *meta, u64 off) __ksym;
struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root,
				      struct bpf_rb_node *node) __ksym;
struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;
int bpf_list_push_front_impl(struct bpf_list_head *head,
			     struct bpf_list_node *node, void *meta,
			     u64 off) __ksym;
int bpf_list_push_back_impl(struct bpf_list_head *head,
			    struct bpf_list_node *node, void *meta,
			    u64 off) __ksym;
struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head) __ksym;
void *bpf_refcount_acquire_impl(void *kptr, void *meta) __ksym;

/*
 * Allocate and free program-local objects that may sit in rbtrees and
 * lists, take another reference on a refcounted one, and link them in.  The
 * verifier fills in the arguments passed as NULL and 0.
 */
#define bpf_obj_new(__type)							\
	((__type *)bpf_obj_new_impl(bpf_core_type_id_local(__type), NULL))
#define bpf_obj_drop(__kptr)	bpf_obj_drop_impl(__kptr, NULL)
#define bpf_refcount_acquire(__kptr)						\
	((typeof(__kptr))bpf_refcount_acquire_impl(__kptr, NULL))
#define bpf_rbtree_add(__root, __node, __less)					\
	bpf_rbtree_add_impl(__root, __node, __less, NULL, 0)
#define bpf_list_push_front(__head, __node)					\
	bpf_list_push_front_impl(__head, __node, NULL, 0)
#define bpf_list_push_back(__head, __node)					\
	bpf_list_push_back_impl(__head, __node, NULL, 0)

#include "compat.bpf.h"

#endif	/* __SCX_COMMON_BPF_H */
