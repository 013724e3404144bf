// SPDX-License-Identifier: GPL-2.0
/*
 * Loader for scx_qmap: turn the options into the BPF program's read-only
 * data and ops fields, print its counters every interval, and report why it
 * stopped.
 */
#include <signal.h>
#include <getopt.h>
#include <scx/common.h>
#include "scx_qmap.bpf.skel.h"

static const char usage[] =
"Usage: %s [-s SLICE_US] [-e COUNT] [-t COUNT] [-T COUNT] [-l COUNT]\n"
"       [-b COUNT] [-q LEN] [-P] [-H] [-d PID] [-D LEN] [-S] [-p] [-i SEC]\n"
"       [-v] [-h]\n"
"\n"
"Five weighted FIFO queues of PIDs, showing most of what sched_ext offers.\n"
"Not for production use.\n"
"\n"
"  -s SLICE_US  time slice in microseconds (default 20000)\n"
"  -e COUNT     fail with scx_bpf_error() at the COUNTth enqueue\n"
"  -t COUNT     stall every COUNTth user thread, for the watchdog to catch\n"
"  -T COUNT     stall every COUNTth kernel thread\n"
"  -l COUNT     loop forever in ops.dispatch() after COUNT dispatches\n"
"  -b COUNT     dispatch at most COUNT tasks per ops.dispatch() call\n"
"  -q LEN       hold at most LEN PIDs per queue (default 4096); a full\n"
"               queue spills into the shared DSQ\n"
"  -P           print the shared DSQ to trace_pipe every second\n"
"  -H           boost nice -20 tasks ahead of everyone else\n"
"  -d PID       disallow the thread group PID from sched_ext (-1: this one)\n"
"  -D LEN       exit_dump_len: size of the debug dump on error\n"
"  -S           leave the scheduler's own state out of the debug dump\n"
"  -p           switch only SCHED_EXT tasks (SCX_OPS_SWITCH_PARTIAL)\n"
"  -i SEC       print stats every SEC seconds (default 1)\n"
"  -v           print libbpf's debug messages\n"
"  -h           show this help\n";

static atomic_bool stop;

static void on_signal(int sig)
{
	atomic_store(&stop, true);
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
	fflush(stdout);
}

int main(int argc, char **argv)
{
	long long slice_us = 0, error_after = 0, loop_after = 0, dump_len = 0;
	long long stall_user = 0, stall_kernel = 0, batch = 0, qlen = 0;
	long long tgid = 0;
	bool print_dsq = false, boost = false, no_dump = false, partial = false;
	bool verbose = false, cpuperf;
	unsigned int interval = 1;
	struct scx_qmap *skel;
	struct bpf_link *link;
	bool failed;
	u64 ecode;
	int opt, i, inner_fd = -1;

	while ((opt = getopt(argc, argv, "s:e:t:T:l:b:q:PHd:D:Spi:vh")) != -1) {
		switch (opt) {
		case 's':
			slice_us = scx_arg_ll('s', optarg, 1, 1000000);
			break;
		case 'e':
			error_after = scx_arg_ll('e', optarg, 1, 1LL << 62);
			break;
		case 't':
			stall_user = scx_arg_ll('t', optarg, 1, 1000000000);
			break;
		case 'T':
			stall_kernel = scx_arg_ll('T', optarg, 1, 1000000000);
			break;
		case 'l':
			loop_after = scx_arg_ll('l', optarg, 1, 1LL << 62);
			break;
		case 'b':
			batch = scx_arg_ll('b', optarg, 1, 4096);
			break;
		case 'q':
			qlen = scx_arg_ll('q', optarg, 1, 1 << 20);
			break;
		case 'P':
			print_dsq = true;
			break;
		case 'H':
			boost = true;
			break;
		case 'd':
			tgid = scx_arg_ll('d', optarg, -1, 4194304);
			if (!tgid)
				SCX_DIE("-d wants a PID or -1, not '%s' (see -h)",
					optarg);
			break;
		case 'D':
			dump_len = scx_arg_ll('D', optarg, 1, 1 << 24);
			break;
		case 'S':
			no_dump = true;
			break;
		case 'p':
			partial = true;
			break;
		case 'i':
			interval = scx_arg_ll('i', optarg, 1, 3600);
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			printf(usage, argv[0]);
			return 0;
		default:
			fprintf(stderr, usage, argv[0]);
			return 1;
		}
	}
	if (optind < argc)
		SCX_DIE("unexpected argument '%s' (see -h)", argv[optind]);
	if (tgid == -1)
		tgid = getpid();

	scx_libbpf_verbose(verbose);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
restart:
	skel = SCX_OPS_OPEN(qmap_ops, scx_qmap);

	if (slice_us)
		skel->rodata->slice_ns = slice_us * 1000;
	skel->rodata->error_after = error_after;
	skel->rodata->stall_user_nth = stall_user;
	skel->rodata->stall_kernel_nth = stall_kernel;
	skel->rodata->dsp_loop_after = loop_after;
	skel->rodata->dsp_batch = batch;
	skel->rodata->print_shared_dsq = print_dsq;
	skel->rodata->highpri_boosting = boost;
	skel->rodata->disallow_tgid = tgid;
	skel->rodata->suppress_dump = no_dump;

	/* The kernel's dispatch buffer must hold a whole batch. */
	if (batch > 32)
		skel->struct_ops.qmap_ops->dispatch_max_batch = batch;
	if (dump_len)
		skel->struct_ops.qmap_ops->exit_dump_len = dump_len;
	if (partial)
		skel->struct_ops.qmap_ops->flags |= SCX_OPS_SWITCH_PARTIAL;

	if (qlen) {
		struct bpf_map *qs[] = {
			skel->maps.queue0, skel->maps.queue1, skel->maps.queue2,
			skel->maps.queue3, skel->maps.queue4,
		};

		for (i = 0; i < 5; i++)
			if (bpf_map__set_max_entries(qs[i], qlen))
				SCX_BUG("cannot resize the queues");
		/*
		 * The outer map only takes members that look like its
		 * template, length included, so give it a template of the
		 * new length.
		 */
		inner_fd = bpf_map_create(BPF_MAP_TYPE_QUEUE, "qmap_inner", 0,
					  sizeof(u32), qlen, NULL);
		SCX_BUG_ON(inner_fd < 0, "cannot create the queue template");
		SCX_BUG_ON(bpf_map__set_inner_map_fd(skel->maps.queues, inner_fd),
			   "cannot set the queue template");
	}

	SCX_OPS_LOAD(skel, qmap_ops, scx_qmap, uei);
	if (inner_fd >= 0) {
		close(inner_fd);
		inner_fd = -1;
	}
	link = SCX_OPS_ATTACH(skel, qmap_ops, scx_qmap);
	cpuperf = __COMPAT_has_ksym("scx_bpf_cpuperf_cur");
	printf("scx_qmap: running%s%s\n", partial ? " (partial)" : "",
	       boost ? " (boosting nice -20)" : "");

	while (!atomic_load(&stop) && !UEI_EXITED(skel, uei)) {
		print_stats(skel, cpuperf);
		scx_stats_sleep(interval, &stop, &skel->data->uei.kind);
	}

	bpf_link__destroy(link);
	print_stats(skel, cpuperf);
	ecode = UEI_REPORT(skel, uei);
	/* Tests match the kind: 1025 SCX_EXIT_ERROR_BPF, 1026 ..._STALL. */
	fprintf(stderr, "scx_qmap: exit kind %d\n", skel->data->uei.kind);
	failed = UEI_FAILED(skel, uei);
	scx_qmap__destroy(skel);

	if (UEI_ECODE_RESTART(ecode)) {
		scx_wait_disabled(5000);
		goto restart;
	}
	return failed;
}
