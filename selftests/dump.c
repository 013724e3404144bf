// SPDX-License-Identifier: GPL-2.0
/*
 * The debug dump, two ways.  SysRq-D dumps a live scheduler to the
 * sched_ext_dump trace event (its buffer length is 0, so the event is the
 * only output); an scx_bpf_error() dumps into the exit info that user
 * space reads with UEI.  Both must hold the lines of ops.dump(),
 * ops.dump_cpu() for the spinner's CPU and ops.dump_task() for the
 * spinner, with the exit kind each time (NONE for sysrq, ERROR_BPF).
 */
#include <fcntl.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "dump.bpf.skel.h"

#define CPU		1
#define TRACING		"/sys/kernel/tracing"
#define EVENT		TRACING "/events/sched_ext/sched_ext_dump/enable"
#define TRACE_LEN	(1 << 20)

struct ctx {
	struct dump *skel;
	pid_t spin;
	char *trace;
	bool event_on;
};

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c;

	if (scx_util_nr_cpus() <= CPU)
		return SCX_TEST_SKIP;
	if (access(EVENT, W_OK)) {
		fprintf(stderr, "# no %s\n", EVENT);
		return SCX_TEST_SKIP;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->trace = malloc(TRACE_LEN);
	c->skel = dump__open();
	if (!c->trace || !c->skel ||
	    SCX_UTIL_LOAD(c->skel, dump, dump_ops, uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		dump__destroy(c->skel);
		free(c->trace);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct dump__bss *bss = c->skel->bss;
	const char *d = c->skel->data_uei_dump->uei_dump;
	struct bpf_link *link;
	char want[64];

	c->spin = scx_util_spawn(scx_util_spin_forever, NULL);
	SCX_ASSERT(c->spin > 0 && !scx_util_pin(c->spin, CPU));
	bss->target_pid = c->spin;

	link = scx_util_attach(c->skel->maps.dump_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	/* The spinner must be ours (enqueued by us) before we dump it. */
	SCX_ASSERT(SCX_WAIT_FOR(bss->nr_target_enq > 0, 3000));

	/* SysRq-D: the dump goes to the trace event only. */
	SCX_ASSERT(!scx_util_write_file(EVENT, "1"));
	c->event_on = true;
	SCX_ASSERT(!scx_util_write_file(TRACING "/trace", ""));
	SCX_ASSERT(!scx_util_sysrq('D'));
	SCX_ASSERT(SCX_WAIT_FOR(bss->nr_dump_task > 0, 2000));
	SCX_ASSERT(!scx_util_read_file(TRACING "/trace", c->trace, TRACE_LEN));
	scx_util_write_file(EVENT, "0");
	c->event_on = false;
	SCX_PROVE_EQ("ops:dump", bss->nr_dump, 1);
	SCX_EQ(c->skel->data->last_dump_kind, SCX_EXIT_NONE);
	SCX_ASSERT(strstr(c->trace, "Debug dump triggered by SysRq-D"));
	SCX_PROVE("kfunc:scx_bpf_dump_bstr",
		  strstr(c->trace, "ST2DUMP kind=0"));
	snprintf(want, sizeof(want), "ST2CPU cpu=%d idle=0", CPU);
	SCX_PROVE("ops:dump_cpu", strstr(c->trace, want));
	snprintf(want, sizeof(want), "ST2TASK pid=%d", c->spin);
	SCX_PROVE("ops:dump_task", strstr(c->trace, want));
	/* sysrq-D leaves the scheduler running. */
	SCX_ASSERT(scx_util_enabled());

	/* scx_bpf_error(): the dump lands in the exit info. */
	bss->fail_now = true;
	SCX_ASSERT(SCX_WAIT_FOR(c->skel->data->uei.kind, 5000));
	scx_util_stop(c->spin);
	c->spin = 0;
	scx_util_detach(link);

	SCX_PROVE_EQ("exit:ERROR_BPF", c->skel->data->uei.kind,
		     SCX_EXIT_ERROR_BPF);
	snprintf(want, sizeof(want), "dump test error %d", bss->target_pid);
	SCX_PROVE("kfunc:scx_bpf_error_bstr",
		  !strcmp(c->skel->data->uei.msg, want));
	SCX_EQ(bss->nr_dump, 2);
	SCX_PROVE_EQ("ops:dump", c->skel->data->last_dump_kind,
		     SCX_EXIT_ERROR_BPF);
	SCX_ASSERT(strstr(d, "triggered exit kind 1025"));
	SCX_ASSERT(strstr(d, "ST2DUMP kind=1025"));
	snprintf(want, sizeof(want), "ST2CPU cpu=%d ", CPU);
	SCX_ASSERT(strstr(d, want));
	snprintf(want, sizeof(want), "ST2TASK pid=%d", bss->target_pid);
	SCX_ASSERT(strstr(d, want));
	/* The dump's own order: ops.dump() before the CPU states. */
	SCX_ASSERT(strstr(d, "ST2DUMP") < strstr(d, "CPU states"));
	SCX_ASSERT(strstr(d, "CPU states") < strstr(d, "ST2CPU"));
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	if (c->event_on)
		scx_util_write_file(EVENT, "0");
	scx_util_stop(c->spin);
	dump__destroy(c->skel);
	free(c->trace);
	free(c);
}

static struct scx_test dump_test = {
	.name		= "dump",
	.description	= "dump, dump_cpu and dump_task text on sysrq-D and in the exit dump",
	.covers		=
		"ops:dump ops:dump_cpu ops:dump_task kfunc:scx_bpf_dump_bstr kfunc:scx_bpf_error_bstr exit:ERROR_BPF",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&dump_test)
