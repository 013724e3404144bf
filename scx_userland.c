// SPDX-License-Identifier: GPL-2.0
/*
 * Loader and user-space scheduler of scx_userland.  The main thread is the
 * scheduler: it reads runnable tasks from the BPF ring buffer, orders them
 * by weighted vruntime in a binary heap, and sends them back in batches of
 * at most -b tasks through the user ring buffer.  Between rounds it sleeps
 * in epoll on the ring, or yields to BPF, which runs it again when the last
 * batch is drained.  No bpf() syscall is made per task, and the stats come
 * from the BPF program's memory-mapped .bss, so none is made for them.
 */
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <scx/common.h>
#include "scx_userland.h"
#include "scx_userland.bpf.skel.h"

static const char usage[] =
"Usage: %s [-b BATCH] [-r PAGES] [-i SEC] [-v] [-h]\n"
"\n"
"Order tasks by weighted vruntime in a user-space program, with BPF ring\n"
"buffers carrying them to it and back.\n"
"\n"
"  -b BATCH  send at most BATCH tasks back per round, 1..1024 (default 8)\n"
"  -r PAGES  size of each ring buffer in pages, a power of two up to 256\n"
"            (default: 256 KiB); tasks that find the ring full skip user space\n"
"  -i SEC    print stats every SEC seconds, 1..3600 (default 1)\n"
"  -v        print libbpf's debug messages\n"
"  -h        show this help\n";

#define SLICE_NS	20000000ULL	/* SCX_SLICE_DFL */

/*
 * Tasks the heap can hold.  The ring to user space holds fewer records
 * than that (at most 256 pages / 24 bytes), and we read only as many as fit.
 */
#define HEAP_CAP	(1U << 17)

/*
 * Per-task state, by pid, in a direct-mapped table: a pid that lands on a
 * slot taken by another simply starts afresh at the current vruntime.  A
 * hash table would be exact; this one never allocates and costs one lookup.
 */
#define TASKS_BITS	16
#define NR_TASKS	(1U << TASKS_BITS)

struct task_ent {
	s32 pid;
	u64 vtime;
	u64 sum_exec;	/* p->se.sum_exec_runtime when last charged */
};

struct heap_ent {
	u64 vtime;
	s32 pid;
};

static struct task_ent tasks[NR_TASKS];
static struct heap_ent heap[HEAP_CAP];
static u32 heap_len;
static u64 min_vtime;	/* vtime of the task sent last, never going back */

static u64 nr_user_enq, nr_user_disp, nr_disp_full, nr_rounds, nr_loops;
static u32 max_round;	/* most tasks sent in one round */

static struct scx_userland *skel;

/*
 * Our own signal handler, unlike the other loaders': scx_stop alone would
 * not do, because this thread may have yielded to BPF with work pending,
 * and BPF runs it again only when told to.
 */
static void on_signal(int sig)
{
	atomic_store(&scx_stop, true);
	if (skel)
		__atomic_store_n(&skel->bss->user_stop, 1, __ATOMIC_RELEASE);
}

static bool heap_less(u32 a, u32 b)
{
	return (s64)(heap[a].vtime - heap[b].vtime) < 0;
}

static void heap_swap(u32 a, u32 b)
{
	struct heap_ent t = heap[a];

	heap[a] = heap[b];
	heap[b] = t;
}

static void heap_push(u64 vtime, s32 pid)
{
	u32 i = heap_len++;

	heap[i].vtime = vtime;
	heap[i].pid = pid;
	while (i && heap_less(i, (i - 1) / 2)) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static struct heap_ent heap_pop(void)
{
	struct heap_ent top = heap[0];
	u32 i = 0;

	heap[0] = heap[--heap_len];
	for (;;) {
		u32 l = 2 * i + 1, r = l + 1, m = i;

		if (l < heap_len && heap_less(l, m))
			m = l;
		if (r < heap_len && heap_less(r, m))
			m = r;
		if (m == i)
			break;
		heap_swap(i, m);
		i = m;
	}
	return top;
}

/*
 * Ring buffer callback: charge the task for the time it ran since we last
 * saw it, scaled by 100/weight, and queue it.  A task that slept keeps at
 * most one slice of credit, so that it cannot run unopposed for as long as
 * it slept.
 */
static int on_enqueue(void *ctx, void *data, size_t size)
{
	const struct userland_enq *rec = data;
	struct task_ent *t = &tasks[rec->pid & (NR_TASKS - 1)];
	u32 weight = rec->weight ? rec->weight : 100;

	if (t->pid != rec->pid) {
		t->pid = rec->pid;
		t->vtime = min_vtime;
	} else if (rec->sum_exec > t->sum_exec) {
		t->vtime += (rec->sum_exec - t->sum_exec) * 100 / weight;
	}
	t->sum_exec = rec->sum_exec;
	if ((s64)(t->vtime - (min_vtime - SLICE_NS)) < 0)
		t->vtime = min_vtime - SLICE_NS;

	heap_push(t->vtime, rec->pid);
	nr_user_enq++;
	return 0;
}

/* Send up to @batch tasks, lowest vruntime first.  False if the ring was full. */
static bool send_batch(struct user_ring_buffer *urb, u32 batch)
{
	u32 n;

	for (n = 0; n < batch && heap_len; n++) {
		struct userland_disp *msg;
		struct heap_ent e;

		msg = user_ring_buffer__reserve(urb, sizeof(*msg));
		if (!msg) {
			nr_disp_full++;
			break;
		}
		e = heap_pop();
		msg->pid = e.pid;
		msg->pad = 0;
		msg->vtime = e.vtime;
		user_ring_buffer__submit(urb, msg);
		if ((s64)(e.vtime - min_vtime) > 0)
			min_vtime = e.vtime;
		nr_user_disp++;
	}
	if (n) {
		nr_rounds++;
		if (n > max_round)
			max_round = n;
	}
	__atomic_store_n(&skel->bss->user_sent, nr_user_disp, __ATOMIC_RELEASE);
	return n == batch || !heap_len;
}

static u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static u64 rd(const u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* One "name=value" field of a stats line. */
static void field(const char *name, u64 v)
{
	printf("%s=%llu ", name, (unsigned long long)v);
}

static void print_stats(void)
{
	struct scx_userland__bss *b = skel->bss;
	u64 disp = nr_user_disp, sys = rd(&b->nr_bpf_syscalls);

	field("kernel_enq", rd(&b->nr_to_user));
	field("user_enq", nr_user_enq);
	field("user_disp", disp);
	field("fallback", rd(&b->nr_fallback));
	field("ring_full", nr_disp_full);
	field("kept", rd(&b->nr_kept_affinity));
	field("kthread", rd(&b->nr_kept_kthread));
	field("tracer", rd(&b->nr_kept_tracer));
	field("usersched", rd(&b->nr_usersched));
	field("pending", heap_len);
	field("max_round", max_round);
	field("rounds", nr_rounds);
	field("loops", nr_loops);
	field("bpf_syscalls", sys);
	printf("syscalls_per_task=%.5f\n", disp ? (double)sys / disp : 0.0);
	fflush(stdout);
}

/*
 * After the scheduler is gone: read what was still in the ring and check
 * that every task BPF handed to us is accounted for.  The tasks still in
 * our heap or in the ring back were returned to the fair class by the
 * kernel when it disabled us.
 */
static void print_balance(struct ring_buffer *rb)
{
	struct scx_userland__bss *b = skel->bss;
	u64 to_user, drained;
	bool ok;

	ring_buffer__consume(rb);
	to_user = rd(&b->nr_to_user);
	drained = rd(&b->nr_drained);
	ok = to_user == nr_user_enq && nr_user_enq == nr_user_disp + heap_len &&
	     drained <= nr_user_disp;
	printf("balance: ");
	field("kernel_enq", to_user);
	field("user_enq", nr_user_enq);
	field("user_disp", nr_user_disp);
	field("drained", drained);
	field("gone", rd(&b->nr_drain_gone));
	field("in_heap", heap_len);
	field("in_ring", nr_user_disp - drained);
	field("fallback", rd(&b->nr_fallback));
	printf("%s\n", ok ? "ok" : "MISMATCH");
	fflush(stdout);
}

/* The user-space scheduler: runs until a signal or the scheduler's exit. */
static void schedule_loop(struct ring_buffer *rb, struct user_ring_buffer *urb,
			  u32 batch, unsigned int interval)
{
	u64 next_stats = now_ms() + interval * 1000ULL;

	while (!atomic_load(&scx_stop) && !UEI_EXITED(skel, uei)) {
		bool sent_all;
		u64 now;

		nr_loops++;
		ring_buffer__consume_n(rb, HEAP_CAP - heap_len);
		sent_all = send_batch(urb, batch);
		__atomic_store_n(&skel->bss->user_pending, heap_len,
				 __ATOMIC_RELEASE);

		now = now_ms();
		if (now >= next_stats) {
			print_stats();
			next_stats = now + interval * 1000ULL;
		}

		if (heap_len || !sent_all) {
			/*
			 * More to send once this batch is drained: BPF holds
			 * us until then, or runs us at once if new tasks came.
			 */
			sched_yield();
		} else {
			u64 wait = next_stats > now ? next_stats - now : 0;

			/*
			 * Sleep until the ring has records, or the next stats
			 * line; no more than 1 s so that an exit is noticed.
			 */
			ring_buffer__poll(rb, wait < 1000 ? wait : 1000);
		}
	}
}

int main(int argc, char **argv)
{
	struct scx_opts opts = SCX_OPTS_INIT(usage);
	unsigned int batch = 8, ring_pages = 0;
	struct user_ring_buffer *urb;
	struct scx_userland *dead;
	struct ring_buffer *rb;
	struct bpf_link *link;
	int opt, status;

	while ((opt = scx_getopt(argc, argv, "b:r:", &opts)) != -1) {
		switch (opt) {
		case 'b':
			batch = scx_arg_ll('b', optarg, 1, 1024);
			break;
		case 'r':
			ring_pages = scx_arg_ll('r', optarg, 1, 256);
			if (ring_pages & (ring_pages - 1))
				SCX_DIE("-r wants a power of two from 1 to 256, not %u (see -h)",
					ring_pages);
			break;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
restart:
	skel = SCX_OPS_OPEN(userland_ops, scx_userland);
	skel->rodata->usersched_pid = getpid();
	skel->rodata->nr_online_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	skel->rodata->batch = batch;
	skel->rodata->nr_bpf = __NR_bpf;
	if (ring_pages) {
		u32 size = ring_pages * sysconf(_SC_PAGESIZE);

		if (bpf_map__set_max_entries(skel->maps.to_user, size) ||
		    bpf_map__set_max_entries(skel->maps.from_user, size))
			SCX_BUG("cannot resize the ring buffers");
	}
	SCX_OPS_LOAD(skel, userland_ops, scx_userland, uei);

	rb = ring_buffer__new(bpf_map__fd(skel->maps.to_user), on_enqueue,
			      NULL, NULL);
	SCX_BUG_ON(!rb, "cannot map the ring buffer to user space");
	urb = user_ring_buffer__new(bpf_map__fd(skel->maps.from_user), NULL);
	SCX_BUG_ON(!urb, "cannot map the user ring buffer");

	/*
	 * Every runnable task may wait on this thread: a page fault here,
	 * even on our own heap, would hold them all up.  Not under
	 * AddressSanitizer (make SANITIZE=1), whose shadow memory reserves
	 * terabytes that locking would try to fault in.
	 */
#ifndef __SANITIZE_ADDRESS__
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		SCX_BUG("mlockall");
#endif

	link = SCX_OPS_ATTACH(skel, userland_ops, scx_userland);
	printf("scx_userland: running (batch %u, rings of %u KiB, pid %d)\n",
	       batch, bpf_map__max_entries(skel->maps.to_user) / 1024,
	       getpid());
	fflush(stdout);

	/* Where the others wait for the next stats line, we schedule. */
	schedule_loop(rb, urb, batch, opts.interval);

	bpf_link__destroy(link);
	print_stats();
	print_balance(rb);
	user_ring_buffer__free(urb);
	ring_buffer__free(rb);
	dead = skel;
	skel = NULL;	/* before its .bss goes away: on_signal() writes there */
	status = SCX_OPS_EXIT(dead, uei, scx_userland);
	if (status == SCX_OPS_RESTART) {
		heap_len = 0;
		nr_user_enq = nr_user_disp = 0;
		goto restart;
	}
	return status;
}
