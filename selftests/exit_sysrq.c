// SPDX-License-Identifier: GPL-2.0
/*
 * Write 'S' to /proc/sysrq-trigger under an attached scheduler: it must
 * exit with SCX_EXIT_SYSRQ and the reason "disabled by sysrq-S", and
 * sched_ext must end up disabled while our link is still open.
 */
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "exit_sysrq.bpf.skel.h"

static enum scx_test_status setup(void **ctx)
{
	struct exit_sysrq *skel;

	if (access("/proc/sysrq-trigger", W_OK))
		return SCX_TEST_SKIP;
	skel = exit_sysrq__open();
	if (!skel || SCX_UTIL_LOAD(skel, exit_sysrq, exit_sysrq_ops, uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		exit_sysrq__destroy(skel);
		return SCX_TEST_FAIL;
	}
	*ctx = skel;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct exit_sysrq *skel = arg;
	struct user_exit_info *uei = &skel->data->uei;
	struct bpf_link *link;
	bool disabled;

	link = scx_util_attach(skel->maps.exit_sysrq_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	SCX_ASSERT(scx_util_enabled());
	SCX_EQ(scx_util_sysrq('S'), 0);
	SCX_WAIT_FOR(uei->kind, 5000);
	disabled = scx_util_wait_state("disabled", 5000);
	scx_util_detach(link);

	fprintf(stderr, "# kind %d: %s\n", uei->kind, uei->reason);
	SCX_ASSERT(disabled);
	SCX_PROVE_EQ("exit:SYSRQ", uei->kind, SCX_EXIT_SYSRQ);
	SCX_ASSERT(!strcmp(uei->reason, "disabled by sysrq-S"));
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	exit_sysrq__destroy(arg);
}

static struct scx_test exit_sysrq_test = {
	.name		= "exit_sysrq",
	.description	= "sysrq-S disables the scheduler with SCX_EXIT_SYSRQ",
	.covers		= "exit:SYSRQ",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&exit_sysrq_test)
