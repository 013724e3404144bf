// SPDX-License-Identifier: GPL-2.0
/*
 * With exit_dump_len = 512, the exit dump must be cut to 512 bytes and end
 * in the kernel's truncation marker.  Our copy of the dump is made 4 KiB,
 * larger than asked for, so a kernel that ignored the field would show a
 * longer dump, with no marker within the first 512 bytes.
 */
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "dump_len.bpf.skel.h"

#define DUMP_LEN	512
#define COPY_LEN	4096
#define MARKER		"~~~~ TRUNCATED ~~~~\n"

static enum scx_test_status setup(void **ctx)
{
	struct dump_len *skel = dump_len__open();

	if (!skel)
		return SCX_TEST_FAIL;
	if (skel->struct_ops.dump_len_ops->exit_dump_len != DUMP_LEN) {
		dump_len__destroy(skel);
		return SCX_TEST_FAIL;
	}
	/* Size our copy by hand instead of from exit_dump_len. */
	skel->rodata->uei_dump_len = COPY_LEN;
	RESIZE_ARRAY(skel, data, uei_dump, COPY_LEN);
	if (dump_len__load(skel)) {
		fprintf(stderr, "# cannot load the BPF object\n");
		dump_len__destroy(skel);
		return SCX_TEST_FAIL;
	}
	*ctx = skel;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct dump_len *skel = arg;
	const char *d = skel->data_uei_dump->uei_dump;
	struct bpf_link *link;
	size_t len;

	link = scx_util_attach(skel->maps.dump_len_ops);
	if (!link)
		SCX_FAIL("attach: %s", strerror(errno));
	skel->bss->fail_now = true;
	SCX_WAIT_FOR(skel->data->uei.kind, 5000);
	scx_util_detach(link);

	len = strnlen(d, COPY_LEN);
	fprintf(stderr, "# kind %d, dump of %zu bytes, %s in the marker\n",
		skel->data->uei.kind, len,
		strstr(d, MARKER) ? "ending" : "not ending");
	SCX_EQ(skel->data->uei.kind, SCX_EXIT_ERROR_BPF);
	SCX_ASSERT(strstr(d, "dump_len test error"));
	SCX_PROVE("field:exit_dump_len", len < DUMP_LEN);
	SCX_GT(len, DUMP_LEN - 64);
	SCX_ASSERT(len >= strlen(MARKER) &&
		   !strcmp(d + len - strlen(MARKER), MARKER));
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	dump_len__destroy(arg);
}

static struct scx_test dump_len_test = {
	.name		= "dump_len",
	.description	= "exit_dump_len cuts the exit dump, ending in the truncation marker",
	.covers		= "field:exit_dump_len",
	.timeout	= 30,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&dump_len_test)
