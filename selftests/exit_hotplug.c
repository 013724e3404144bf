// SPDX-License-Identifier: GPL-2.0
/*
 * Offline a CPU under a scheduler that has no hotplug callbacks: it must
 * exit with SCX_EXIT_UNREG_KERN, an exit code of SCX_ECODE_ACT_RESTART |
 * SCX_ECODE_RSN_HOTPLUG (what UEI_ECODE_RESTART() looks for) and a message
 * naming the CPU.
 */
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "exit_hotplug.bpf.skel.h"

struct ctx {
	struct exit_hotplug *skel;
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
	c->skel = exit_hotplug__open();
	if (!c->skel || SCX_UTIL_LOAD(c->skel, exit_hotplug, exit_hotplug_ops,
				      uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		exit_hotplug__destroy(c->skel);
		free(c);
		return SCX_TEST_FAIL;
	}
	*ctx = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	struct user_exit_info *uei = &c->skel->data->uei;
	struct bpf_link *link;
	char want[64];

	link = scx_util_attach(c->skel->maps.exit_hotplug_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	SCX_EQ(uei->kind, 0);
	SCX_EQ(scx_util_set_cpu_online(c->cpu, false), 0);
	SCX_ASSERT(SCX_WAIT_FOR(uei->kind, 5000));
	SCX_ASSERT(scx_util_wait_state("disabled", 5000));
	scx_util_detach(link);

	fprintf(stderr, "# kind %d code 0x%llx: %s (%s)\n", uei->kind,
		(unsigned long long)uei->exit_code, uei->reason, uei->msg);
	SCX_PROVE_EQ("exit:UNREG_KERN", uei->kind, SCX_EXIT_UNREG_KERN);
	SCX_EQ(uei->exit_code, SCX_ECODE_ACT_RESTART | SCX_ECODE_RSN_HOTPLUG);
	SCX_ASSERT(UEI_ECODE_RESTART(uei->exit_code));
	snprintf(want, sizeof(want), "cpu %d going offline", c->cpu);
	SCX_ASSERT(strstr(uei->msg, want));
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	if (!scx_util_cpu_online(c->cpu))
		scx_util_set_cpu_online(c->cpu, true);
	exit_hotplug__destroy(c->skel);
	free(c);
}

static struct scx_test exit_hotplug_test = {
	.name		= "exit_hotplug",
	.description	= "hotplug without cpu_online/offline: UNREG_KERN, restart + hotplug code",
	.covers		= "exit:UNREG_KERN",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&exit_hotplug_test)
