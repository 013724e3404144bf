// SPDX-License-Identifier: GPL-2.0
/*
 * Under SCX_OPS_SWITCH_PARTIAL, a worker that sets SCHED_EXT must run on
 * our scheduler (enabled, running, "ext" in /proc/PID/sched) while a
 * SCHED_OTHER worker beside it never does and stays on the fair class.
 */
#include <sched.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "switch_partial.bpf.skel.h"

#ifndef SCHED_EXT
#define SCHED_EXT	7
#endif

struct ctx {
	struct switch_partial *skel;
	pid_t ext, other;
};

static int worker(void *arg)
{
	for (;;) {
		scx_util_busy_ms(1);
		usleep(1000);
	}
	return 0;
}

/* What "ext.enabled" in /proc/@pid/sched says, or -1. */
static int on_ext(pid_t pid)
{
	char path[64], buf[8192], *s;
	int v;

	snprintf(path, sizeof(path), "/proc/%d/sched", pid);
	if (scx_util_read_file(path, buf, sizeof(buf)))
		return -1;
	s = strstr(buf, "ext.enabled");
	if (s)
		s = strchr(s, ':');
	if (!s || sscanf(s + 1, "%d", &v) != 1)
		return -1;
	return v;
}

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return SCX_TEST_FAIL;
	c->skel = switch_partial__open();
	if (!c->skel || SCX_UTIL_LOAD(c->skel, switch_partial,
				      switch_partial_ops, uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		switch_partial__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct switch_partial__bss *bss = c->skel->bss;
	struct sched_param sp = { .sched_priority = 0 };
	struct bpf_link *link;
	int other_policy, ext_sched, other_sched;

	c->ext = scx_util_spawn(worker, NULL);
	c->other = scx_util_spawn(worker, NULL);
	SCX_ASSERT(c->ext > 0 && c->other > 0);
	bss->ext_pid = c->ext;
	bss->other_pid = c->other;

	link = scx_util_attach(c->skel->maps.switch_partial_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	SCX_EQ(sched_setscheduler(c->ext, SCHED_EXT, &sp), 0);
	SCX_ASSERT(SCX_WAIT_FOR(bss->ext_running >= 10, 3000));
	/* Give the SCHED_OTHER worker as long again to show up, if it would. */
	SCX_ASSERT(SCX_WAIT_FOR(bss->ext_running >= 20, 3000));
	ext_sched = on_ext(c->ext);
	other_sched = on_ext(c->other);
	other_policy = sched_getscheduler(c->other);
	scx_util_detach(link);

	fprintf(stderr, "# SCHED_EXT worker: enabled %llu running %llu; SCHED_OTHER: enabled %llu running %llu\n",
		(unsigned long long)bss->ext_enabled,
		(unsigned long long)bss->ext_running,
		(unsigned long long)bss->other_enabled,
		(unsigned long long)bss->other_running);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_EQ(bss->ext_enabled, 1);
	SCX_GT(bss->ext_running, 0);
	SCX_PROVE_EQ("flag:SWITCH_PARTIAL", bss->other_enabled, 0);
	SCX_EQ(bss->other_running, 0);
	SCX_EQ(other_policy, SCHED_OTHER);
	SCX_EQ(ext_sched, 1);
	SCX_PROVE_EQ("flag:SWITCH_PARTIAL", other_sched, 0);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	scx_util_stop(c->ext);
	scx_util_stop(c->other);
	switch_partial__destroy(c->skel);
	free(c);
}

static struct scx_test switch_partial_test = {
	.name		= "switch_partial",
	.description	= "SWITCH_PARTIAL: a SCHED_EXT task is ours, a SCHED_OTHER one is not",
	.covers		= "flag:SWITCH_PARTIAL",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&switch_partial_test)
