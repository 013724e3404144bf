// SPDX-License-Identifier: GPL-2.0
/*
 * With SCX_OPS_KEEP_BUILTIN_IDLE, a scheduler with ops.update_idle() sees
 * idle and busy transitions and still finds idle CPUs with
 * scx_bpf_pick_idle_cpu().  The same program loaded without the flag
 * must die on its first pick with "built-in idle tracking is disabled".
 */
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "keep_builtin_idle.bpf.skel.h"

static struct keep_builtin_idle *open_load(bool keep)
{
	struct keep_builtin_idle *skel = keep_builtin_idle__open();

	if (!skel)
		return NULL;
	if (!keep)
		skel->struct_ops.keep_builtin_idle_ops->flags &=
			~SCX_OPS_KEEP_BUILTIN_IDLE;
	if (SCX_UTIL_LOAD(skel, keep_builtin_idle, keep_builtin_idle_ops,
			  uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		keep_builtin_idle__destroy(skel);
		return NULL;
	}
	return skel;
}

/* Wake a sleeper a few times so that ops.select_cpu() runs. */
static void wakeups(void)
{
	int i;

	for (i = 0; i < 20; i++)
		usleep(1000);
}

static enum scx_test_status run(void *arg)
{
	struct keep_builtin_idle *skel;
	struct user_exit_info *uei;
	struct bpf_link *link;
	bool ok;

	SCX_ASSERT(SCX_OPS_KEEP_BUILTIN_IDLE);
	skel = open_load(true);
	SCX_ASSERT(skel);
	link = scx_util_attach(skel->maps.keep_builtin_idle_ops);
	if (!link) {
		keep_builtin_idle__destroy(skel);
		SCX_FAIL("attach: %s", strerror(errno));
	}
	wakeups();
	SCX_WAIT_FOR(skel->bss->nr_picked && skel->bss->nr_idle, 3000);
	scx_util_detach(link);
	fprintf(stderr, "# with the flag: idle %llu busy %llu picked %llu, kind %d\n",
		(unsigned long long)skel->bss->nr_idle,
		(unsigned long long)skel->bss->nr_busy,
		(unsigned long long)skel->bss->nr_picked,
		skel->data->uei.kind);
	ok = skel->data->uei.kind == SCX_EXIT_UNREG && skel->bss->nr_idle &&
	     skel->bss->nr_busy && skel->bss->nr_picked;
	keep_builtin_idle__destroy(skel);
	SCX_PROVE_MSG("ops:update_idle kfunc:scx_bpf_pick_idle_cpu", ok,
		      "with KEEP_BUILTIN_IDLE: want UNREG, idle, busy and picks");

	skel = open_load(false);
	SCX_ASSERT(skel);
	uei = &skel->data->uei;
	link = scx_util_attach(skel->maps.keep_builtin_idle_ops);
	if (link) {
		wakeups();
		SCX_WAIT_FOR(uei->kind, 3000);
		scx_util_detach(link);
	}
	fprintf(stderr, "# without: attach %s, kind %d (%s)\n",
		link ? "ok" : "failed", uei->kind, uei->msg);
	ok = uei->kind == SCX_EXIT_ERROR &&
	     strstr(uei->msg, "built-in idle tracking is disabled");
	keep_builtin_idle__destroy(skel);
	/* Picks worked with the flag, and fail without it. */
	SCX_PROVE_MSG("flag:KEEP_BUILTIN_IDLE", ok,
		      "without KEEP_BUILTIN_IDLE: want an idle tracking error");
	return SCX_TEST_PASS;
}

static struct scx_test keep_builtin_idle_test = {
	.name		= "keep_builtin_idle",
	.description	= "KEEP_BUILTIN_IDLE keeps scx_bpf_pick_idle_cpu() working beside update_idle",
	.covers		= "flag:KEEP_BUILTIN_IDLE ops:update_idle kfunc:scx_bpf_pick_idle_cpu",
	.timeout	= 30,
	.run		= run,
};
REGISTER_SCX_TEST(&keep_builtin_idle_test)
