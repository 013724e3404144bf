// SPDX-License-Identifier: GPL-2.0
/*
 * Loader for scx_qmap: turn the options into the BPF program's read-only
 * data and ops fields, print its counters every interval, and report why it
 * stopped.
 */
#include <scx/common.h>
#include "scx_qmap.bpf.skel.h"

static const char usage[] =
"Usage: %s [-s SLICE_US] [-e COUNT] [-t COUNT] [-T COUNT] [-l COUNT]\n"
"       [-b BATCH] [-q LEN] [-P] [-H] [-d PID] [-D LEN] [-S] [-p] [-i SEC]\n"
"       [-v] [-h]\n"
"\n"
"Five weighted FIFO queues of PIDs, showing most of what sched_ext offers.\n"
"Not for production use.\n"
"\n"
"  -s SLICE_US  time slice in microseconds, 100..1000000 (default 20000)\n"
"  -e COUNT     fail with scx_bpf_error() at the COUNTth enqueue\n"
"  -t COUNT     stall every COUNTth user thread, for the watchdog to catch\n"
"  -T COUNT     stall every COUNTth kernel thread\n"
"  -l COUNT     loop forever in ops.dispatch() after COUNT dispatches\n"
"  -b BATCH     dispatch at most BATCH tasks per ops.dispatch() call,\n"
"               1..4096\n"
"  -q LEN       hold at most LEN PIDs per queue (default 4096); a full\n"
"               queue spills into the shared DSQ\n"
"  -P           print the shared DSQ to trace_pipe every second\n"
"  -H           boost nice -20 tasks ahead of everyone else\n"
"  -d PID       disallow the thread group PID from sched_ext (-1: this one)\n"
"  -D LEN       exit_dump_len: size of the debug dump on error\n"
"  -S           leave the scheduler's own state out of the debug dump\n"
"  -p           switch only SCHED_EXT tasks (SCX_OPS_SWITCH_PARTIAL)\n"
"  -i SEC       print stats every SEC seconds, 1..3600 (default 1)\n"
"  -v           print libbpf's debug messages\n"
"  -h           show this help\n";

/* What the command line asked for; 0 or false leaves the default. */
struct qmap_opts {
	long long slice_us, error_after, stall_user, stall_kernel, loop_after;
	long long batch, qlen, tgid, dump_len;
	bool print_dsq, boost, no_dump, partial;
};

static void parse_opts(int argc, char **argv, struct scx_opts *common,
		       struct qmap_opts *o)
{
	int opt;

	while ((opt = scx_getopt(argc, argv, "s:e:t:T:l:b:q:PHd:D:Sp",
				 common)) != -1) {
		switch (opt) {
		case 's':
			o->slice_us = scx_arg_ll('s', optarg, SCX_SLICE_US_MIN,
						 SCX_SLICE_US_MAX);
			break;
		case 'e':
			o->error_after = scx_arg_ll('e', optarg, 1, 1LL << 62);
			break;
		case 't':
			o->stall_user = scx_arg_ll('t', optarg, 1, 1000000000);
			break;
		case 'T':
			o->stall_kernel = scx_arg_ll('T', optarg, 1, 1000000000);
			break;
		case 'l':
			o->loop_after = scx_arg_ll('l', optarg, 1, 1LL << 62);
			break;
		case 'b':
			o->batch = scx_arg_ll('b', optarg, 1, 4096);
			break;
		case 'q':
			o->qlen = scx_arg_ll('q', optarg, 1, 1 << 20);
			break;
		case 'P':
			o->print_dsq = true;
			break;
		case 'H':
			o->boost = true;
			break;
		case 'd':
			o->tgid = scx_arg_ll('d', optarg, -1, 4194304);
			if (!o->tgid)
				SCX_DIE("-d wants a PID from 1 to 4194304, or -1, not '%s' (see -h)",
					optarg);
			if (o->tgid == -1)
				o->tgid = getpid();
			break;
		case 'D':
			o->dump_len = scx_arg_ll('D', optarg, 1, 1 << 24);
			break;
		case 'S':
			o->no_dump = true;
			break;
		case 'p':
			o->partial = true;
			break;
		}
	}
}

/* Hand the options to the BPF program: its rodata and ops fields. */
static void apply_opts(struct scx_qmap *skel, const struct qmap_opts *o)
{
	if (o->slice_us)
		skel->rodata->slice_ns = o->slice_us * 1000;
	skel->rodata->error_after = o->error_after;
	skel->rodata->stall_user_nth = o->stall_user;
	skel->rodata->stall_kernel_nth = o->stall_kernel;
	skel->rodata->dsp_loop_after = o->loop_after;
	skel->rodata->dsp_batch = o->batch;
	skel->rodata->print_shared_dsq = o->print_dsq;
	skel->rodata->highpri_boosting = o->boost;
	skel->rodata->disallow_tgid = o->tgid;
	skel->rodata->suppress_dump = o->no_dump;

	/* The kernel's dispatch buffer must hold a whole batch. */
	if (o->batch > 32)
		skel->struct_ops.qmap_ops->dispatch_max_batch = o->batch;
	if (o->dump_len)
		skel->struct_ops.qmap_ops->exit_dump_len = o->dump_len;
	if (o->partial)
		skel->struct_ops.qmap_ops->flags |= SCX_OPS_SWITCH_PARTIAL;
}

/*
 * Give the five queues @qlen entries each.  Returns the fd of the template
 * map, which must live until the skeleton is loaded.
 */
static int resize_queues(struct scx_qmap *skel, long long qlen)
{
	struct bpf_map *qs[] = {
		skel->maps.queue0, skel->maps.queue1, skel->maps.queue2,
		skel->maps.queue3, skel->maps.queue4,
	};
	int i, inner_fd;

	for (i = 0; i < ARRAY_SIZE(qs); i++)
		if (bpf_map__set_max_entries(qs[i], qlen))
			SCX_BUG("cannot resize the queues");
	/*
	 * The outer map only takes members that look like its template,
	 * length included, so give it a template of the new length.
	 */
	inner_fd = bpf_map_create(BPF_MAP_TYPE_QUEUE, "qmap_inner", 0,
				  sizeof(u32), qlen, NULL);
	SCX_BUG_ON(inner_fd < 0, "cannot create the queue template");
	SCX_BUG_ON(bpf_map__set_inner_map_fd(skel->maps.queues, inner_fd),
		   "cannot set the queue template");
	return inner_fd;
}

static void print_stats(struct scx_qmap *skel, bool cpuperf)
{
	struct scx_qmap__bss *b = skel->bss;

	printf("enq=%llu dsp=%llu delta=%lld reenq=%llu deq=%llu core=%llu sibling=%llu\n",
	       (unsigned long long)b->nr_enqueued,
	       (unsigned long long)b->nr_dispatched,
	       (long long)(b->nr_enqueued - b->nr_dispatched),
	       (unsigned long long)b->nr_reenqueued,
	       (unsigned long long)b->nr_dequeued,
	       (unsigned long long)b->nr_core_sched,
	       (unsigned long long)b->nr_dsp_sibling);
	printf("direct: select_cpu=%llu local_on=%llu overflow=%llu\n",
	       (unsigned long long)b->nr_direct_select,
	       (unsigned long long)b->nr_direct_enq,
	       (unsigned long long)b->nr_overflow);
	printf("boost: queued=%llu local=%llu remote=%llu timer=%llu lost=%llu\n",
	       (unsigned long long)b->nr_boost_queued,
	       (unsigned long long)b->nr_boost_local,
	       (unsigned long long)b->nr_boost_remote,
	       (unsigned long long)b->nr_boost_timer,
	       (unsigned long long)b->nr_boost_lost);
	if (cpuperf)
		printf("cpuperf: cur min/avg/max=%u/%u/%u target min/avg/max=%u/%u/%u\n",
		       b->perf_cur_min, b->perf_cur_avg, b->perf_cur_max,
		       b->perf_tgt_min, b->perf_tgt_avg, b->perf_tgt_max);
	printf("hotplug: online=%llu offline=%llu\n",
	       (unsigned long long)b->nr_cpu_online,
	       (unsigned long long)b->nr_cpu_offline);
}

int main(int argc, char **argv)
{
	struct scx_opts opts = SCX_OPTS_INIT(usage);
	struct qmap_opts qo = {};
	struct scx_qmap *skel;
	struct bpf_link *link;
	int status, inner_fd = -1;
	bool cpuperf;

	parse_opts(argc, argv, &opts, &qo);
	scx_stop_on_signals();
restart:
	skel = SCX_OPS_OPEN(qmap_ops, scx_qmap);
	apply_opts(skel, &qo);
	if (qo.qlen)
		inner_fd = resize_queues(skel, qo.qlen);
	SCX_OPS_LOAD(skel, qmap_ops, scx_qmap, uei);
	if (inner_fd >= 0) {
		close(inner_fd);
		inner_fd = -1;
	}
	link = SCX_OPS_ATTACH(skel, qmap_ops, scx_qmap);
	cpuperf = __COMPAT_has_ksym("scx_bpf_cpuperf_cur");
	printf("scx_qmap: running%s%s\n", qo.partial ? " (partial)" : "",
	       qo.boost ? " (boosting nice -20)" : "");

	while (SCX_STATS_WAIT(skel, uei, opts.interval))
		print_stats(skel, cpuperf);

	bpf_link__destroy(link);
	print_stats(skel, cpuperf);
	status = SCX_OPS_EXIT(skel, uei, scx_qmap);
	if (status == SCX_OPS_RESTART)
		goto restart;
	return status;
}
