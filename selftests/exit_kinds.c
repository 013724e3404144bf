// SPDX-License-Identifier: GPL-2.0
/*
 * Make the attached scheduler call scx_bpf_exit() or scx_bpf_error() and
 * check what ops.exit() recorded: the kind, the exit code, the formatted
 * message; and that the kernel unloaded the scheduler by itself.
 */
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "exit_kinds.bpf.skel.h"

static enum scx_test_status setup(void **ctx)
{
	struct exit_kinds *skel = exit_kinds__open();

	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	*ctx = skel;
	if (SCX_UTIL_LOAD(skel, exit_kinds, exit_kinds_ops, uei))
		SCX_FAIL("cannot load the BPF object");
	return SCX_TEST_PASS;
}

/*
 * @kind_item and @kfunc_item are the items the test proves: the exit kind,
 * and the kfunc whose formatted message reached ops.exit().
 */
static enum scx_test_status trigger(struct exit_kinds *skel,
				    struct bpf_program *prog, int kind,
				    long long code, const char *msg,
				    const char *kind_item,
				    const char *kfunc_item)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct bpf_link *link;

	link = scx_util_attach(skel->maps.exit_kinds_ops);
	if (!link)
		SCX_FAIL("cannot attach: %s", strerror(errno));
	SCX_EQ(skel->bss->nr_exit, 0);
	SCX_EQ(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts), 0);
	/* The kernel disables the scheduler without us detaching it. */
	SCX_ASSERT(SCX_WAIT_FOR(UEI_EXITED(skel, uei), 5000));
	SCX_ASSERT(scx_util_wait_state("disabled", 5000));
	scx_util_detach(link);

	printf("exit: kind %d, code %lld, reason '%s', msg '%s'\n",
	       skel->data->uei.kind, skel->data->uei.exit_code,
	       skel->data->uei.reason, skel->data->uei.msg);
	SCX_EQ(skel->bss->nr_exit, 1);
	SCX_PROVE_EQ(kind_item, skel->data->uei.kind, kind);
	SCX_EQ(skel->data->uei.exit_code, code);
	SCX_PROVE_MSG(kfunc_item, !strcmp(skel->data->uei.msg, msg),
		      "message '%s', expected '%s'", skel->data->uei.msg, msg);
	return SCX_TEST_PASS;
}

static enum scx_test_status run_exit(void *ctx)
{
	struct exit_kinds *skel = ctx;

	return trigger(skel, skel->progs.trigger_exit, SCX_EXIT_UNREG_BPF, 42,
		       "bye 42 from exit_kinds", "exit:UNREG_BPF",
		       "kfunc:scx_bpf_exit_bstr");
}

static enum scx_test_status run_error(void *ctx)
{
	struct exit_kinds *skel = ctx;

	return trigger(skel, skel->progs.trigger_error, SCX_EXIT_ERROR_BPF, 0,
		       "boom 7", "exit:ERROR_BPF", "kfunc:scx_bpf_error_bstr");
}

static void cleanup(void *ctx)
{
	exit_kinds__destroy(ctx);
}

static struct scx_test exit_bpf_test = {
	.name = "exit_unreg_bpf",
	.description = "scx_bpf_exit() unloads the scheduler with SCX_EXIT_UNREG_BPF, its exit code and formatted message",
	.covers = "exit:UNREG_BPF kfunc:scx_bpf_exit_bstr",
	.setup = setup,
	.run = run_exit,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&exit_bpf_test);

static struct scx_test error_bpf_test = {
	.name = "exit_error_bpf",
	.description = "scx_bpf_error() unloads the scheduler with SCX_EXIT_ERROR_BPF and its formatted message",
	.covers = "exit:ERROR_BPF kfunc:scx_bpf_error_bstr",
	.setup = setup,
	.run = run_error,
	.cleanup = cleanup,
};
REGISTER_SCX_TEST(&error_bpf_test);
