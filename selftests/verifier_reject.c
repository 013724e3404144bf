// SPDX-License-Identifier: GPL-2.0
/*
 * Load verifier_reject.bpf.c one mistake at a time: only the programs and
 * the struct_ops map of that mistake are created.  The control must load
 * (and attach); every mistake must be refused by the verifier, whose log
 * must give the reason.
 */
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "verifier_reject.bpf.skel.h"

#define LOG_SIZE	(1 << 20)

static char log_buf[LOG_SIZE];

/*
 * Open the object and keep only @map (a struct_ops map) or, if NULL, only
 * @prog (a syscall program); returns the load's result.
 */
static int load_only(struct verifier_reject **out, const char *map,
		     const char *prog)
{
	struct verifier_reject *skel;
	struct bpf_program *p;
	struct bpf_map *m;
	int ret;

	*out = skel = verifier_reject__open();
	if (!skel)
		return -ENOMEM;
	bpf_object__for_each_map(m, skel->obj) {
		if (bpf_map__type(m) == BPF_MAP_TYPE_STRUCT_OPS &&
		    (!map || strcmp(bpf_map__name(m), map)))
			bpf_map__set_autocreate(m, false);
	}
	bpf_object__for_each_program(p, skel->obj) {
		const char *name = bpf_program__name(p);
		bool keep;

		if (map)
			/* Programs of the kept map, by its name's prefix. */
			keep = bpf_program__type(p) == BPF_PROG_TYPE_STRUCT_OPS &&
			       (!strncmp(name, map, strcspn(map, "_")) ||
				!strcmp(name, "verifier_reject_exit"));
		else
			keep = !strcmp(name, prog);
		bpf_program__set_autoload(p, keep);
		if (keep)
			bpf_program__set_log_buf(p, log_buf, sizeof(log_buf));
	}
	log_buf[0] = '\0';
	ret = SCX_UTIL_LOAD(skel, verifier_reject, good_ops, uei);
	return ret;
}

static enum scx_test_status expect_reject(const char *map, const char *prog,
					  const char *why)
{
	struct verifier_reject *skel;
	enum scx_test_status status = SCX_TEST_PASS;
	int ret;

	ret = load_only(&skel, map, prog);
	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	if (!ret) {
		printf("%s was accepted\n", map ? map : prog);
		status = SCX_TEST_FAIL;
	} else if (!strstr(log_buf, why)) {
		printf("%s was refused (%d), but the log lacks '%s':\n%s\n",
		       map ? map : prog, ret, why, log_buf);
		status = SCX_TEST_FAIL;
	} else {
		printf("%s refused: %s\n", map ? map : prog, why);
	}
	verifier_reject__destroy(skel);
	return status;
}

static enum scx_test_status run_good(void *ctx)
{
	struct verifier_reject *skel;
	struct bpf_link *link;
	int ret;

	ret = load_only(&skel, "good_ops", NULL);
	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	if (ret) {
		printf("%s\n", log_buf);
		verifier_reject__destroy(skel);
		SCX_FAIL("the control was refused: %d", ret);
	}
	/*
	 * verifier_leak's programs without their leaks: each put, and the
	 * destroy of the walk, released the reference the verifier counted.
	 * The puts are no-ops at run time; the destroy unlinks a cursor that
	 * nothing but a crash would show.  That is all there is to prove.
	 */
	SCX_PROVE_EQ("verifier:kfunc:scx_bpf_put_idle_cpumask verifier:kfunc:scx_bpf_put_cpumask verifier:kfunc:bpf_iter_scx_dsq_destroy",
		     ret, 0);
	link = scx_util_attach(skel->maps.good_ops);
	if (!link) {
		verifier_reject__destroy(skel);
		SCX_FAIL("cannot attach the control: %s", strerror(errno));
	}
	scx_util_detach(link);
	ret = skel->data->uei.kind;
	verifier_reject__destroy(skel);
	SCX_EQ(ret, SCX_EXIT_UNREG);
	return SCX_TEST_PASS;
}

static enum scx_test_status run_leak(void *ctx)
{
	/* The get hands out a reference, which the verifier tracks. */
	SCX_PROVE_EQ("verifier:kfunc:scx_bpf_get_idle_cpumask",
		     expect_reject("leak_ops", NULL, "Unreleased reference"),
		     SCX_TEST_PASS);
	SCX_PROVE_EQ("verifier:kfunc:scx_bpf_get_online_cpumask",
		     expect_reject("hold_ops", NULL, "Unreleased reference"),
		     SCX_TEST_PASS);
	SCX_PROVE_EQ("verifier:kfunc:bpf_iter_scx_dsq_new",
		     expect_reject("stray_ops", NULL, "Unreleased reference"),
		     SCX_TEST_PASS);
	return SCX_TEST_PASS;
}

/*
 * scx_bpf_create_dsq() from ops.enqueue(): 7.3 refuses the call for the
 * operation (scx_kfunc_context_filter()), before it looks at sleeping;
 * 6.12 has no such filter and refuses it for sleeping.  From a
 * non-sleepable ops.init_task(), both refuse it for sleeping.
 */
static enum scx_test_status run_sleep(void *ctx)
{
	const char *sleeping =
		"program must be sleepable to call sleepable kfunc scx_bpf_create_dsq";
	enum scx_test_status status;

	if (scx_util_kfunc_context_at_load())
		status = expect_reject("sleep_ops", NULL,
				       "calling kernel function scx_bpf_create_dsq is not allowed");
	else
		status = expect_reject("sleep_ops", NULL, sleeping);
	SCX_PROVE_EQ("verifier:kfunc:scx_bpf_create_dsq", status,
		     SCX_TEST_PASS);
	SCX_PROVE_EQ("verifier:kfunc:scx_bpf_create_dsq",
		     expect_reject("nap_ops", NULL, sleeping), SCX_TEST_PASS);
	return SCX_TEST_PASS;
}

static enum scx_test_status run_ctx(void *ctx)
{
	/* The insert is the program's one kfunc call. */
	SCX_PROVE_EQ("verifier:kfunc:scx_bpf_dsq_insert",
		     expect_reject(NULL, "ctx_insert", "calling kernel function"),
		     SCX_TEST_PASS);
	return SCX_TEST_PASS;
}

static struct scx_test verifier_good_test = {
	.name = "verifier_control",
	.description = "control for the verifier tests: the same scheduler without a mistake loads, attaches and unregisters",
	.covers = "kfunc:scx_bpf_get_idle_cpumask kfunc:scx_bpf_put_idle_cpumask kfunc:scx_bpf_put_cpumask kfunc:bpf_iter_scx_dsq_destroy",
	.run = run_good,
};
REGISTER_SCX_TEST(&verifier_good_test);

static struct scx_test verifier_leak_test = {
	.name = "verifier_leak",
	.description = "an idle or online cpumask never put back, or a DSQ walk never ended, is refused by the verifier",
	.covers = "kfunc:scx_bpf_get_idle_cpumask kfunc:scx_bpf_get_online_cpumask kfunc:bpf_iter_scx_dsq_new",
	.run = run_leak,
};
REGISTER_SCX_TEST(&verifier_leak_test);

static struct scx_test verifier_sleep_test = {
	.name = "verifier_sleepable",
	.description = "scx_bpf_create_dsq() from non-sleepable ops.enqueue and ops.init_task is refused by the verifier",
	.covers = "kfunc:scx_bpf_create_dsq",
	.run = run_sleep,
};
REGISTER_SCX_TEST(&verifier_sleep_test);

static struct scx_test verifier_ctx_test = {
	.name = "verifier_prog_type",
	.description = "scx_bpf_dsq_insert() from a syscall program, where it is not registered, is refused by the verifier",
	.covers = "kfunc:scx_bpf_dsq_insert",
	.run = run_ctx,
};
REGISTER_SCX_TEST(&verifier_ctx_test);
