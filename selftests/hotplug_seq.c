// SPDX-License-Identifier: GPL-2.0
/*
 * ops.hotplug_seq, twice.  Loaded with the current sequence number, the
 * scheduler attaches and stays.  Loaded with a stale one, 6.12 still lets
 * the attach succeed but unloads the scheduler at once with
 * SCX_EXIT_UNREG_KERN, SCX_ECODE_ACT_RESTART | SCX_ECODE_RSN_HOTPLUG and a
 * message with both numbers: the loader is to read the CPUs again and
 * retry.
 */
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "hotplug_seq.bpf.skel.h"

static struct hotplug_seq *open_load(unsigned long long seq)
{
	struct hotplug_seq *skel = hotplug_seq__open();

	if (!skel)
		return NULL;
	skel->struct_ops.hotplug_seq_ops->hotplug_seq = seq;
	if (SCX_UTIL_LOAD(skel, hotplug_seq, hotplug_seq_ops, uei)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		hotplug_seq__destroy(skel);
		return NULL;
	}
	return skel;
}

static enum scx_test_status run(void *arg)
{
	struct hotplug_seq *skel;
	struct user_exit_info *uei;
	struct bpf_link *link;
	long long seq;
	char want[128];
	bool stayed;

	SCX_EQ(scx_util_read_ll(SCX_SYSFS "/hotplug_seq", &seq), 0);
	SCX_GT(seq, 0);

	/* Current: the scheduler runs and stays until we detach. */
	skel = open_load(seq);
	SCX_ASSERT(skel);
	link = scx_util_attach(skel->maps.hotplug_seq_ops);
	if (!link) {
		hotplug_seq__destroy(skel);
		SCX_FAIL("attach: %s", strerror(errno));
	}
	/*
	 * Until it has scheduled a few tasks, with no exit on record.  An
	 * unwanted unload would also leave its kind in place of the
	 * SCX_EXIT_UNREG our detach gives, checked below.
	 */
	stayed = SCX_WAIT_FOR(skel->bss->nr_enqueued >= 3 ||
			      skel->data->uei.kind, 5000) &&
		 !skel->data->uei.kind && scx_util_enabled();
	scx_util_detach(link);
	fprintf(stderr, "# seq %lld: kind %d after detach, %llu enqueued\n",
		seq, skel->data->uei.kind,
		(unsigned long long)skel->bss->nr_enqueued);
	if (!stayed || skel->data->uei.kind != SCX_EXIT_UNREG) {
		hotplug_seq__destroy(skel);
		SCX_FAIL("scheduler with the current hotplug_seq did not stay");
	}
	hotplug_seq__destroy(skel);

	/* Stale: attach works, then the kernel unloads it by itself. */
	skel = open_load(seq - 1);
	SCX_ASSERT(skel);
	uei = &skel->data->uei;
	link = scx_util_attach(skel->maps.hotplug_seq_ops);
	fprintf(stderr, "# stale seq %lld: attach %s\n", seq - 1,
		link ? "ok" : strerror(errno));
	SCX_WAIT_FOR(uei->kind, 5000);
	scx_util_wait_state("disabled", 5000);
	if (link)
		scx_util_detach(link);
	fprintf(stderr, "# kind %d code 0x%llx: %s (%s)\n", uei->kind,
		(unsigned long long)uei->exit_code, uei->reason, uei->msg);
	snprintf(want, sizeof(want),
		 "expected hotplug seq %lld did not match actual %lld",
		 seq - 1, seq);
	if (!link || uei->kind != SCX_EXIT_UNREG_KERN ||
	    uei->exit_code != (SCX_ECODE_ACT_RESTART | SCX_ECODE_RSN_HOTPLUG) ||
	    !strstr(uei->msg, want)) {
		hotplug_seq__destroy(skel);
		SCX_FAIL("stale hotplug_seq: want UNREG_KERN, restart+hotplug, '%s'",
			 want);
	}
	SCX_PROVE_EQ("exit:UNREG_KERN", uei->kind, SCX_EXIT_UNREG_KERN);
	SCX_PROVE("field:hotplug_seq", strstr(uei->msg, want));
	hotplug_seq__destroy(skel);
	return SCX_TEST_PASS;
}

static struct scx_test hotplug_seq_test = {
	.name		= "hotplug_seq",
	.description	= "a stale hotplug_seq makes 6.12 unload the scheduler asking for a restart",
	.covers		= "field:hotplug_seq exit:UNREG_KERN",
	.timeout	= 30,
	.run		= run,
};
REGISTER_SCX_TEST(&hotplug_seq_test)
