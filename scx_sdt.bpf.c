// SPDX-License-Identifier: GPL-2.0
/*
 * scx_sdt: scx_simple's scheduling, with each task's data in a BPF arena.
 *
 * The scheduling is scx_simple's: one shared DSQ ordered by weighted
 * virtual time, and straight to the local DSQ of an idle CPU on wakeup;
 * only the charge is the time run rather than the slice used, and
 * ops.dispatch() lets a task that is still ahead keep its CPU (both are
 * explained where they happen).  What differs is where a task's state
 * lives.  Its vtime and run count sit in a context of SDT_SLOT_SIZE bytes
 * carved out of a BPF arena, handed out by ops.init_task() and taken back
 * by ops.exit_task() with an allocator written here, in BPF.
 *
 * An arena (BPF_MAP_TYPE_ARENA, since 6.9) is a range of memory shared by
 * the BPF programs and the process that loaded them: plain memory, with
 * pointers that both sides can follow, not key/value pairs.  What it takes:
 * - pointers into it live in address space 1 (__arena below).  clang 18 and
 *   later turns every access through one into an address-space cast
 *   followed by the access; the verifier then knows the register points
 *   into the arena, and the JIT rewrites the access relative to the arena's
 *   kernel address, with a fault handler that makes a stray access read 0
 *   instead of oopsing.  The verifier checks no bounds: a wrong arena
 *   pointer reads the wrong context, not kernel memory;
 * - pointers keep the form user space sees (the arena is mmap()ed by
 *   libbpf when it loads the object), so they can be stored anywhere, in the
 *   arena, in a global or in a map, and followed later;
 * - a program that follows an arena pointer must reference the arena map
 *   itself, because the JIT takes the arena's address from there (see
 *   arena_bind());
 * - memory comes in pages, from bpf_arena_alloc_pages().  On 6.12 that
 *   kfunc may sleep, so only sleepable callbacks can call it: of the ones
 *   a task goes through, ops.init_task() alone is.  ops.exit_task() is not,
 *   so freeing cannot give pages back; it returns the slot to a free list.
 *
 * The allocator: slots come from the free list first, then from the rest
 * of the newest page, and only then is a page allocated.  Both are guarded
 * by one bpf_spin_lock, which may not be held across a kfunc call, so the
 * page is allocated unlocked, and given back with bpf_arena_free_pages() if
 * another CPU refilled meanwhile.  Freed slots are reused, so the pages in
 * use follow the peak number of live tasks, not the tasks that ever lived.
 * No page goes back to the kernel before the scheduler unloads.
 *
 * The kernel has no spare field in task_struct for us, so the context is
 * found through task local storage that holds only its arena pointer: the
 * state lives in the arena, where the allocator decides its layout and
 * user space could read it through the mapping.
 *
 * Where it breaks down: one lock around the allocator serialises forks on
 * big machines (per-CPU caches of slots would fix that); the arena's size is
 * fixed at load (-p), and when it is full ops.init_task() fails and the
 * scheduler ends, since a task without a context cannot be scheduled; pages
 * are never freed, so a burst of tasks keeps its pages until unload.
 */
#include <scx/common.bpf.h>
#include "scx_sdt.h"

#ifndef __BPF_FEATURE_ADDR_SPACE_CAST
#error "arena pointers need clang 18 or later (address-space casts)"
#endif

/* libbpf's bpf_helpers.h of 6.12 and 7.3 does not define it. */
#ifndef __arena
#define __arena __attribute__((address_space(1)))
#endif

/* bpf_arena_alloc_pages() may take a page from any NUMA node. */
#define ANY_NODE	(-1)

/* The arena kfuncs, the same on 6.12 and 7.3 (sleepable only on 6.12). */
__arena void *bpf_arena_alloc_pages(void *map, __arena void *addr,
				    u32 page_cnt, int node_id, u64 flags) __ksym;
void bpf_arena_free_pages(void *map, __arena void *ptr, u32 page_cnt) __ksym;

char _license[] SEC("license") = "GPL";

#define SHARED_DSQ	0

/* Set by the loader before load. */
const volatile u32 page_size = 4096;
const volatile u32 arena_pages = 1024;

/*
 * The arena: max_entries counts pages, and is only a ceiling; pages exist
 * once allocated.  The loader sets it with -p.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1024);
} arena SEC(".maps");

/* A task's context: one slot of SDT_SLOT_SIZE bytes in the arena. */
struct sdt_task_ctx {
	/* The next free slot while this one is free; NULL while in use. */
	__arena struct sdt_task_ctx *next_free;
	u64 vtime;		/* what scx_simple keeps in p->scx.dsq_vtime */
	u64 started_at;		/* its p->se.sum_exec_runtime when it started */
	u64 nr_runs;		/* times it started running, for the dump */
	s32 pid;		/* its owner: catches a slot given out twice */
};

_Static_assert(sizeof(struct sdt_task_ctx) <= SDT_SLOT_SIZE,
	       "a task context must fit in its slot");

/* What task storage keeps: the pointer, 8 bytes; the state is elsewhere. */
struct sdt_task_ref {
	__arena struct sdt_task_ctx *tctx;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sdt_task_ref);
} task_refs SEC(".maps");

/* Guards the free list, the bump region and the counters below. */
private(SDT_ALLOC) struct bpf_spin_lock alloc_lock;
static __arena struct sdt_task_ctx *free_head;
static __arena char *bump;		/* unused rest of the newest page */
static u32 bump_left;			/* slots left there */

/* Read by the loader; live contexts are nr_alloc - nr_free. */
u64 nr_alloc, nr_free, nr_pages;

static u64 vtime_now;

UEI_DEFINE(uei);

SCX_STATS(SDT_NR_STATS);

/*
 * Make the arena the program's arena.  A program that follows a pointer it
 * loaded from task storage or a global never names the map, and the
 * verifier refuses its address-space casts ("... a program that has an
 * associated arena"); loading the map's address into a register, even for
 * nothing, is enough to associate it.
 */
static __always_inline void arena_bind(void)
{
	asm volatile("" : : "r"(&arena));
}

/*
 * Take a slot, from the free list or the bump region; call locked.  Not
 * inlined: inlined twice, clang shares stores between the copies, and the
 * verifier refuses an instruction that stores through an arena pointer on
 * one path and a map value on another.
 */
static __noinline __arena struct sdt_task_ctx *slot_take(void)
{
	__arena struct sdt_task_ctx *tctx = free_head;

	if (tctx) {
		free_head = tctx->next_free;
		tctx->next_free = NULL;
	} else if (bump_left) {
		tctx = (__arena struct sdt_task_ctx *)bump;
		bump += SDT_SLOT_SIZE;
		bump_left--;
	} else {
		return NULL;
	}
	nr_alloc++;
	return tctx;
}

/* A context for a new task, or NULL once the arena is full. */
static __arena struct sdt_task_ctx *sdt_alloc(void)
{
	__arena struct sdt_task_ctx *tctx;
	__arena void *page;

	bpf_spin_lock(&alloc_lock);
	tctx = slot_take();
	bpf_spin_unlock(&alloc_lock);
	if (tctx)
		return tctx;

	/* The kfunc may sleep on 6.12: never under the lock. */
	page = bpf_arena_alloc_pages(&arena, NULL, 1, ANY_NODE, 0);
	if (!page)
		return NULL;

	bpf_spin_lock(&alloc_lock);
	if (!bump_left) {
		bump = page;
		bump_left = page_size / SDT_SLOT_SIZE;
		nr_pages++;
		page = NULL;
	}
	tctx = slot_take();
	bpf_spin_unlock(&alloc_lock);

	/* Another CPU refilled while we allocated: ours is not needed. */
	if (page)
		bpf_arena_free_pages(&arena, page, 1);
	return tctx;
}

static void sdt_free(__arena struct sdt_task_ctx *tctx)
{
	bpf_spin_lock(&alloc_lock);
	tctx->next_free = free_head;
	free_head = tctx;
	nr_free++;
	bpf_spin_unlock(&alloc_lock);
}

/* The task's context; NULL only for a task that never passed init_task. */
static __arena struct sdt_task_ctx *ctx_of(struct task_struct *p)
{
	struct sdt_task_ref *ref;

	arena_bind();
	ref = bpf_task_storage_get(&task_refs, p, NULL, 0);
	if (!ref || !ref->tctx) {
		scx_bpf_error("%s[%d] has no context in the arena", p->comm,
			      p->pid);
		return NULL;
	}
	return ref->tctx;
}

s32 BPF_STRUCT_OPS(arena_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool idle = false;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);
	if (idle) {
		/* Nobody waits on an idle CPU: order does not matter. */
		stat_inc(SDT_STAT_LOCAL);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(arena_enqueue, struct task_struct *p, u64 enq_flags)
{
	__arena struct sdt_task_ctx *tctx = ctx_of(p);
	u64 floor;

	if (!tctx)
		return;
	stat_inc(SDT_STAT_SHARED);
	/*
	 * A task that slept may lag at most one slice behind the current
	 * vtime, or it would run unopposed until it caught up.
	 */
	floor = vtime_now - SCX_SLICE_DFL;
	if (scx_vtime_before(tctx->vtime, floor))
		tctx->vtime = floor;
	scx_bpf_dsq_insert_vtime(p, SHARED_DSQ, SCX_SLICE_DFL, tctx->vtime,
				 enq_flags);
}

/*
 * What @p's run since it started costs in vtime: the time it ran, scaled
 * by the inverse of its weight (100 at nice 0), so that a nice -5 task, of
 * weight 305, pays about a third and runs about three times as long.
 * scx_simple charges the part of the slice used instead; but a task runs
 * past the end of its slice until the next tick notices, unpaid, and
 * under emulation (TCG) ticks come so late that the overrun outweighs
 * the weights.  The kernel's own count of the time run has no such gap.
 */
static u64 run_charge(struct task_struct *p, __arena struct sdt_task_ctx *tctx)
{
	return (p->se.sum_exec_runtime - tctx->started_at) * 100 /
	       p->scx.weight;
}

void BPF_STRUCT_OPS(arena_dispatch, s32 cpu, struct task_struct *prev)
{
	__arena struct sdt_task_ctx *tctx;
	struct task_struct *q;
	u64 vtime;

	/* A sibling under core scheduling dispatches for itself. */
	if (scx_dispatch_for_sibling(cpu))
		return;

	/*
	 * The kernel asks for work before it queues @prev again at the end
	 * of its slice, so the queue holds everyone but @prev: always taking
	 * its head would make two busy tasks on one CPU take turns, whatever
	 * their weights.  Compare @prev with the head; if it stays ahead,
	 * charge it now and refill its slice.  The kernel then keeps it
	 * running without ops.stopping() and ops.running(), so the charge
	 * for the slice just used is made here.
	 */
	if (prev && (prev->scx.flags & SCX_TASK_QUEUED)) {
		tctx = ctx_of(prev);
		if (!tctx)
			return;
		vtime = tctx->vtime + run_charge(prev, tctx);
		bpf_for_each(scx_dsq, q, SHARED_DSQ, 0) {
			if (scx_vtime_before(q->scx.dsq_vtime, vtime))
				goto pull;
			break;
		}
		tctx->vtime = vtime;
		tctx->started_at = prev->se.sum_exec_runtime;
		prev->scx.slice = SCX_SLICE_DFL;
		return;
	}
pull:
	scx_bpf_dsq_move_to_local(SHARED_DSQ);
}

void BPF_STRUCT_OPS(arena_running, struct task_struct *p)
{
	__arena struct sdt_task_ctx *tctx = ctx_of(p);

	if (!tctx)
		return;
	tctx->nr_runs++;
	tctx->started_at = p->se.sum_exec_runtime;
	/*
	 * The queue hands tasks out in vtime order, so the clock only moves
	 * forward; a racing CPU may lose an update, which costs precision.
	 */
	if (scx_vtime_before(vtime_now, tctx->vtime))
		vtime_now = tctx->vtime;
}

void BPF_STRUCT_OPS(arena_stopping, struct task_struct *p, bool runnable)
{
	__arena struct sdt_task_ctx *tctx = ctx_of(p);

	if (!tctx)
		return;
	tctx->vtime += run_charge(p, tctx);
}

void BPF_STRUCT_OPS(arena_enable, struct task_struct *p)
{
	__arena struct sdt_task_ctx *tctx = ctx_of(p);

	/* Newcomers start level with whoever runs now. */
	if (tctx)
		tctx->vtime = READ_ONCE(vtime_now);
}

/* Sleepable: the only task callback allowed to allocate arena pages. */
s32 BPF_STRUCT_OPS_SLEEPABLE(arena_init_task, struct task_struct *p,
			     struct scx_init_task_args *args)
{
	__arena struct sdt_task_ctx *tctx;
	struct sdt_task_ref *ref;

	ref = bpf_task_storage_get(&task_refs, p, NULL,
				   BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ref)
		return -ENOMEM;

	tctx = sdt_alloc();
	if (!tctx) {
		/*
		 * Failing ops.init_task() fails the fork, or the load for a
		 * task that existed before; the scheduler would then go on
		 * without the task, or the next one.  Say why, and end.
		 */
		scx_bpf_error("arena full: %llu of %u pages hold %llu task contexts, none left for %s[%d]; raise -p",
			      nr_pages, arena_pages, nr_alloc - nr_free,
			      p->comm, p->pid);
		return -ENOMEM;
	}
	/*
	 * One field at a time, and vtime is left to ops.enable(): clang 19
	 * merges neighbouring zero stores into a memset, which it does not
	 * cast to the arena, and the verifier refuses the store through the
	 * raw pointer ("invalid mem access 'scalar'").
	 */
	tctx->pid = p->pid;
	tctx->nr_runs = 0;
	ref->tctx = tctx;
	return 0;
}

void BPF_STRUCT_OPS(arena_exit_task, struct task_struct *p,
		    struct scx_exit_task_args *args)
{
	__arena struct sdt_task_ctx *tctx;
	struct sdt_task_ref *ref;

	arena_bind();
	ref = bpf_task_storage_get(&task_refs, p, NULL, 0);
	if (!ref || !ref->tctx)
		return;
	tctx = ref->tctx;
	ref->tctx = NULL;
	if (tctx->pid != p->pid) {
		scx_bpf_error("context of %s[%d] belongs to pid %d",
			      p->comm, p->pid, tctx->pid);
		return;
	}
	sdt_free(tctx);
}

void BPF_STRUCT_OPS(arena_dump_task, struct scx_dump_ctx *dctx,
		    struct task_struct *p)
{
	struct sdt_task_ref *ref;

	arena_bind();
	ref = bpf_task_storage_get(&task_refs, p, NULL, 0);
	if (ref && ref->tctx)
		scx_bpf_dump("sdt: vtime=%llu nr_runs=%llu", ref->tctx->vtime,
			     ref->tctx->nr_runs);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(arena_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1 /* any NUMA node */);
}

void BPF_STRUCT_OPS(arena_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(sdt_ops,
	       .select_cpu	= (void *)arena_select_cpu,
	       .enqueue		= (void *)arena_enqueue,
	       .dispatch	= (void *)arena_dispatch,
	       .running		= (void *)arena_running,
	       .stopping	= (void *)arena_stopping,
	       .enable		= (void *)arena_enable,
	       .init_task	= (void *)arena_init_task,
	       .exit_task	= (void *)arena_exit_task,
	       .dump_task	= (void *)arena_dump_task,
	       .init		= (void *)arena_init,
	       .exit		= (void *)arena_exit,
	       .name		= "sdt");
