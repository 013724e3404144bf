// SPDX-License-Identifier: GPL-2.0
/*
 * One test per mistake of runtime_error.bpf.c.  For the ones made in
 * ops.enqueue(), attach, wake the child so that the scheduler makes the
 * mistake, and expect the kernel to unload it with SCX_EXIT_ERROR and the
 * matching message.  For the init ones, the attach itself must fail, and
 * ops.exit() must still be told why.
 *
 * The kfunc called from the wrong operation is the one mistake 7.3 no
 * longer lets through: its verifier asks scx_kfunc_context_filter() which
 * operation may call which kfunc, and refuses the program, where 6.12 let
 * the kfunc fail the scheduler at run time.  Which one applies is read from
 * the kernel's BTF (scx_util_kfunc_context_at_load()).
 */
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "runtime_error.bpf.skel.h"

enum {
	MODE_BAD_DSQ = 1,
	MODE_DOUBLE_INSERT,
	MODE_VTIME_BUILTIN,
	MODE_KFUNC_CONTEXT,
	MODE_INIT_FAIL,
	MODE_INIT_TASK_FAIL,
};

static const char *const expected_msg[] = {
	[MODE_BAD_DSQ] = "non-existent DSQ 0x1234",
	[MODE_DOUBLE_INSERT] = "already direct-dispatched",
	[MODE_VTIME_BUILTIN] = "cannot use vtime ordering for built-in DSQs",
	[MODE_KFUNC_CONTEXT] = "called from an operation only allowing",
	[MODE_INIT_FAIL] = "ops.init() failed (-22)",
	[MODE_INIT_TASK_FAIL] = "ops.init_task() failed (-12)",
};

/*
 * What the message proves: the kernel caught the mistake where the test
 * made it, from the callback's doing or its return value, or from the
 * kfunc's own check of how it was called.
 */
static const char *const msg_proves[] = {
	[MODE_BAD_DSQ] = "ops:enqueue",
	[MODE_DOUBLE_INSERT] = "kfunc:scx_bpf_dsq_insert",
	[MODE_VTIME_BUILTIN] = "kfunc:scx_bpf_dsq_insert_vtime",
	[MODE_KFUNC_CONTEXT] = "kfunc:scx_bpf_dispatch_nr_slots",
	[MODE_INIT_FAIL] = "ops:init",
	[MODE_INIT_TASK_FAIL] = "ops:init_task",
};

/* The verifier's refusal of MODE_KFUNC_CONTEXT, where it has the say. */
#define KFUNC_REFUSAL \
	"calling kernel function scx_bpf_dispatch_nr_slots is not allowed"

static char log_buf[1 << 16];

struct ctx {
	struct runtime_error *skel;
	struct scx_util_pingpong pp;
	unsigned int mode;
	bool at_load;	/* the mistake is the verifier's to refuse */
	int load_ret;
};

static struct ctx tctx = { .pp = { .pid = -1, .to = -1, .from = -1 } };

static enum scx_test_status setup_mode(void **ctx, unsigned int mode)
{
	struct runtime_error *skel = runtime_error__open();

	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	tctx.skel = skel;
	tctx.mode = mode;
	*ctx = &tctx;
	skel->rodata->mode = mode;
	tctx.at_load = mode == MODE_KFUNC_CONTEXT &&
		       scx_util_kfunc_context_at_load();
	if (tctx.at_load)
		bpf_program__set_log_buf(skel->progs.runtime_error_enqueue,
					 log_buf, sizeof(log_buf));
	tctx.load_ret = SCX_UTIL_LOAD(skel, runtime_error, runtime_error_ops,
				      uei);
	if (tctx.load_ret && !tctx.at_load)
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

/* The verifier must have refused the program, and said why. */
static enum scx_test_status run_refused(struct ctx *c)
{
	if (!c->load_ret)
		SCX_FAIL("scx_bpf_dispatch_nr_slots() in ops.enqueue() was accepted");
	SCX_PROVE_MSG("verifier:kfunc:scx_bpf_dispatch_nr_slots",
		      strstr(log_buf, KFUNC_REFUSAL),
		      "refused (%d), but the log lacks '%s':\n%s",
		      c->load_ret, KFUNC_REFUSAL, log_buf);
	printf("refused by the verifier: %s\n", KFUNC_REFUSAL);
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *data)
{
	struct ctx *c = data;
	struct runtime_error__bss *bss = c->skel->bss;
	struct user_exit_info *uei = &c->skel->data->uei;
	struct bpf_link *link;
	bool at_init = c->mode == MODE_INIT_FAIL ||
		       c->mode == MODE_INIT_TASK_FAIL;

	if (c->at_load)
		return run_refused(c);
	SCX_EQ(scx_util_pingpong_start(&c->pp), 0);
	if (c->mode == MODE_INIT_TASK_FAIL)
		bss->target = c->pp.pid;
	link = scx_util_attach(c->skel->maps.runtime_error_ops);
	if (at_init) {
		/*
		 * 6.12 reports a failed enable through ops.exit() and lets
		 * the attach itself succeed; either way, by the time it
		 * returns, the scheduler must be gone again.
		 */
		SCX_ASSERT(UEI_EXITED(c->skel, uei));
		SCX_ASSERT(!scx_util_enabled());
	} else {
		if (!link)
			SCX_FAIL("cannot attach: %s", strerror(errno));
		bss->target = c->pp.pid;
		/* The wakeup makes the mistake; the round may never end. */
		scx_util_pingpong_round(&c->pp, 500);
	}
	SCX_ASSERT(SCX_WAIT_FOR(UEI_EXITED(c->skel, uei), 5000));
	SCX_ASSERT(scx_util_wait_state("disabled", 5000));
	if (link)
		scx_util_detach(link);

	printf("exit: kind %d, reason '%s', msg '%s'\n", uei->kind,
	       uei->reason, uei->msg);
	SCX_PROVE_EQ("exit:ERROR", uei->kind, SCX_EXIT_ERROR);
	SCX_PROVE_MSG(msg_proves[c->mode],
		      strstr(uei->msg, expected_msg[c->mode]),
		      "message '%s' lacks '%s'", uei->msg, expected_msg[c->mode]);
	if (c->mode != MODE_INIT_FAIL)
		SCX_GT(bss->nr_mistakes, 0);
	/* Called where it may not be, it returned 0 (~0 before the call). */
	if (c->mode == MODE_KFUNC_CONTEXT)
		SCX_PROVE_EQ("kfunc:scx_bpf_dispatch_nr_slots",
			     c->skel->data->slots_in_enqueue, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *data)
{
	struct ctx *c = data;

	scx_util_pingpong_stop(&c->pp);
	runtime_error__destroy(c->skel);
}

#define RUNTIME_ERROR_TEST(__name, __mode, __desc, __covers)			\
static enum scx_test_status setup_##__name(void **ctx)				\
{										\
	return setup_mode(ctx, __mode);						\
}										\
										\
static struct scx_test __name##_test = {					\
	.name = #__name,							\
	.description = __desc,							\
	.covers = __covers,							\
	.setup = setup_##__name,						\
	.run = run,								\
	.cleanup = cleanup,							\
};										\
REGISTER_SCX_TEST(&__name##_test)

RUNTIME_ERROR_TEST(err_bad_dsq, MODE_BAD_DSQ,
		   "inserting into a DSQ that does not exist is SCX_EXIT_ERROR",
		   "exit:ERROR ops:enqueue");
RUNTIME_ERROR_TEST(err_double_insert, MODE_DOUBLE_INSERT,
		   "inserting a task twice from ops.enqueue is SCX_EXIT_ERROR",
		   "exit:ERROR kfunc:scx_bpf_dsq_insert");
RUNTIME_ERROR_TEST(err_vtime_builtin, MODE_VTIME_BUILTIN,
		   "vtime ordering on a built-in DSQ is SCX_EXIT_ERROR",
		   "exit:ERROR kfunc:scx_bpf_dsq_insert_vtime");
RUNTIME_ERROR_TEST(err_kfunc_context, MODE_KFUNC_CONTEXT,
		   "a dispatch-only kfunc called from ops.enqueue returns 0 and is SCX_EXIT_ERROR (6.12), or is refused by the verifier (7.3)",
		   "exit:ERROR kfunc:scx_bpf_dispatch_nr_slots");
RUNTIME_ERROR_TEST(err_init, MODE_INIT_FAIL,
		   "ops.init failing ends the attach with SCX_EXIT_ERROR",
		   "exit:ERROR ops:init");
RUNTIME_ERROR_TEST(err_init_task, MODE_INIT_TASK_FAIL,
		   "ops.init_task failing for one task at attach ends the attach with SCX_EXIT_ERROR",
		   "exit:ERROR ops:init_task");
