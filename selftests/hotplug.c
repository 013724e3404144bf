// SPDX-License-Identifier: GPL-2.0
/*
 * Take the last CPU offline and bring it back while a scheduler with
 * cpu_offline and cpu_online is attached: it must hear offline(N) then
 * online(N), stay enabled throughout, and the kernel's hotplug_seq must
 * count both events.
 */
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "hotplug.bpf.skel.h"

struct ctx {
	struct hotplug *skel;
	int cpu;
};

static enum scx_test_status setup(void **ctx)
{
	struct ctx *c;
	char path[64];

	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->cpu = scx_util_nr_cpus() - 1;
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 c->cpu);
	if (c->cpu < 1 || access(path, W_OK) || !scx_util_cpu_online(c->cpu)) {
		free(c);
		return SCX_TEST_SKIP;
	}
	c->skel = hotplug__open();
	if (!c->skel || SCX_UTIL_LOAD(c->skel, hotplug, hotplug_ops, uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		hotplug__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct hotplug__bss *bss = c->skel->bss;
	struct bpf_link *link;
	long long seq0, seq1;
	bool enabled;

	SCX_EQ(scx_util_read_ll(SCX_SYSFS "/hotplug_seq", &seq0), 0);
	link = scx_util_attach(c->skel->maps.hotplug_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	SCX_EQ(scx_util_set_cpu_online(c->cpu, false), 0);
	SCX_ASSERT(!scx_util_cpu_online(c->cpu));
	SCX_EQ(scx_util_set_cpu_online(c->cpu, true), 0);
	enabled = scx_util_enabled();
	scx_util_detach(link);
	SCX_EQ(scx_util_read_ll(SCX_SYSFS "/hotplug_seq", &seq1), 0);

	fprintf(stderr, "# cpu %d: %u events: %d %d, hotplug_seq %lld -> %lld\n",
		c->cpu, bss->nr_log, bss->events[0], bss->events[1], seq0, seq1);
	SCX_ASSERT(enabled);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);
	SCX_EQ(bss->nr_log, 2);
	SCX_PROVE_EQ("ops:cpu_offline", bss->events[0], -(c->cpu + 1));
	SCX_PROVE_EQ("ops:cpu_online", bss->events[1], c->cpu + 1);
	SCX_EQ(seq1, seq0 + 2);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	if (!scx_util_cpu_online(c->cpu))
		scx_util_set_cpu_online(c->cpu, true);
	hotplug__destroy(c->skel);
	free(c);
}

static struct scx_test hotplug_test = {
	.name		= "hotplug",
	.description	= "cpu_offline then cpu_online around CPU hotplug, scheduler stays",
	.covers		= "ops:cpu_online ops:cpu_offline",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&hotplug_test)
