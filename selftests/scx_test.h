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
	 * What the test covers, as space-separated tokens, checked by
	 * "make -C selftests coverage":
	 *   ops:<callback>      a struct sched_ext_ops callback, e.g. ops:enqueue
	 *   field:<name>        an ops field, e.g. field:timeout_ms
	 *   flag:<SCX_OPS_*>    an ops flag without prefix, e.g. flag:ENQ_LAST
	 *   exit:<SCX_EXIT_*>   an exit kind without prefix, e.g. exit:ERROR_STALL
	 *   kfunc:<name>        a 6.12 kfunc, e.g. kfunc:scx_bpf_dispatch_nr_slots
	 * Only list what the test asserts on, not what it merely registers.
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

#define SCX_FAIL(__fmt, __args...)							\
	scx_test_fail(__FILE__, __LINE__, __fmt, ##__args)

#define SCX_ASSERT(__cond)							\
do {										\
	if (!(__cond))								\
		SCX_FAIL("expected %s", #__cond);				\
} while (0)

#define SCX_EQ(__a, __b)							\
do {										\
	long long __va = (long long)(__a), __vb = (long long)(__b);		\
										\
	if (__va != __vb)							\
		SCX_FAIL("expected %s == %s, got %lld and %lld",		\
			 #__a, #__b, __va, __vb);				\
} while (0)

#define SCX_GT(__a, __b)							\
do {										\
	long long __va = (long long)(__a), __vb = (long long)(__b);		\
										\
	if (!(__va > __vb))							\
		SCX_FAIL("expected %s > %s, got %lld and %lld",			\
			 #__a, #__b, __va, __vb);				\
} while (0)

#endif	/* __SCX_TEST_H */
