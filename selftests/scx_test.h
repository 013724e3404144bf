/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the selftest runner and the tests.
 *
 * A test is one <name>.bpf.c + <name>.c pair.  The .c file fills in a
 * struct scx_test and registers it with REGISTER_SCX_TEST().  The runner
 * forks a child for every test, so a test that crashes or hangs takes
 * nothing down with it, and the kernel detaches a scheduler whose last link
 * closes with the child.  Within the child it calls setup(), run() and
 * cleanup() in that order; cleanup() runs whenever setup() succeeded.
 *
 * A test reads like a small experiment: setup() opens and loads the
 * skeleton, run() attaches, provokes the event, detaches, and asserts on
 * what the BPF side recorded; cleanup() frees what setup() made.
 */
#ifndef __SCX_TEST_H
#define __SCX_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>

/*
 * SKIP: the machine cannot run the test (too few CPUs, no SMT, not root);
 * under "runner -S" that is a failure.  SKIP_KERNEL: the kernel lacks what
 * the test proves, a skip even under -S.  Either way the test's last line
 * says why.
 */
enum scx_test_status {
	SCX_TEST_PASS = 0,
	SCX_TEST_SKIP,
	SCX_TEST_FAIL,
	SCX_TEST_SKIP_KERNEL,
};

struct scx_test {
	/* Unique name; by convention the base name of the test's files. */
	const char *name;
	/* One line on what the test proves. */
	const char *description;
	/*
	 * What the test means to cover, in the tokens of SCX_PROVE() below:
	 * documentation for "runner -l".  Coverage is counted from the
	 * SCX_PROVE*() assertions that held, never from this list.
	 */
	const char *covers;
	/* Seconds before the runner kills the test; 0 means 30. */
	unsigned int timeout;
	/* Optional. Returns SKIP or FAIL to end the test early. */
	enum scx_test_status (*setup)(void **ctxp);
	enum scx_test_status (*run)(void *arg);
	/* Optional. */
	void (*cleanup)(void *arg);
};

void scx_test_register(struct scx_test *t);

#define __SCX_CAT2(__a, __b)	__a##__b
#define __SCX_CAT(__a, __b)	__SCX_CAT2(__a, __b)

#define REGISTER_SCX_TEST(__t)						\
	__attribute__((constructor))						\
	static void __SCX_CAT(__scx_register_, __LINE__)(void)			\
	{									\
		scx_test_register((__t));					\
	}

/*
 * Assertions for setup() and run(): on failure, print where and why as a
 * KTAP diagnostic line and end the test as failed.  The runner gets control
 * back (it longjmp()s out of the test), runs cleanup() if setup() had
 * succeeded, and reports the failure, so a test needs no error paths of its
 * own between the assertions.
 */
_Noreturn void scx_test_fail(const char *file, int line, const char *fmt, ...);

/*
 * Coverage is what the assertions proved, not what a test says it does.
 * SCX_PROVE*(item, ...) is the assertion that shows @item works: it fails
 * like SCX_ASSERT, and when it holds it tells the runner, which counts
 * @item as proven on this kernel once the whole test has passed.  @item is
 * one or more space-separated tokens:
 *   ops:<callback>      a struct sched_ext_ops callback, e.g. ops:enqueue
 *   field:<name>        an ops field, e.g. field:timeout_ms
 *   flag:<SCX_OPS_*>    an ops flag without prefix, e.g. flag:ENQ_LAST
 *   exit:<SCX_EXIT_*>   an exit kind without prefix, e.g. exit:ERROR_STALL
 *   kfunc:<name>        a kfunc; the current name stands for the one it
 *                       replaced (kfunc:scx_bpf_dsq_insert counts for 6.12's
 *                       scx_bpf_dispatch)
 * An item the verifier alone can show (a kfunc refused in the wrong
 * callback) is proved with a "verifier:" prefix, e.g.
 * verifier:kfunc:scx_bpf_dsq_move_to_local, and is counted apart.
 */
/* In the runner; a NULL @item (plain SCX_ASSERT) proves nothing. */
void scx_test_proved(const char *item);

#define SCX_FAIL(__fmt, __args...)							\
	scx_test_fail(__FILE__, __LINE__, __fmt, ##__args)

#define __SCX_CHECK(__item, __cond)						\
do {										\
	if (!(__cond))								\
		SCX_FAIL("expected %s", #__cond);				\
	scx_test_proved(__item);						\
} while (0)

#define __SCX_CMP(__item, __a, __op, __b)					\
do {										\
	long long __va = (long long)(__a), __vb = (long long)(__b);		\
										\
	if (!(__va __op __vb))							\
		SCX_FAIL("expected %s %s %s, got %lld and %lld",		\
			 #__a, #__op, #__b, __va, __vb);			\
	scx_test_proved(__item);						\
} while (0)

#define SCX_ASSERT(__cond)		__SCX_CHECK(NULL, __cond)
#define SCX_EQ(__a, __b)		__SCX_CMP(NULL, __a, ==, __b)
#define SCX_GT(__a, __b)		__SCX_CMP(NULL, __a, >, __b)

#define SCX_PROVE(__item, __cond)	__SCX_CHECK(__item, __cond)
/* SCX_PROVE(), failing with a message of the test's own. */
#define SCX_PROVE_MSG(__item, __cond, __fmt, __args...)				\
do {										\
	if (!(__cond))								\
		SCX_FAIL(__fmt, ##__args);					\
	scx_test_proved(__item);						\
} while (0)
#define SCX_PROVE_EQ(__item, __a, __b)	__SCX_CMP(__item, __a, ==, __b)
#define SCX_PROVE_GT(__item, __a, __b)	__SCX_CMP(__item, __a, >, __b)

#endif	/* __SCX_TEST_H */
