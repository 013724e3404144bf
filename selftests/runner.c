// SPDX-License-Identifier: GPL-2.0
/*
 * The sched_ext selftest runner.
 *
 * Every test registers itself (see scx_test.h) from a constructor, so the
 * runner only has to walk the list.  Each test runs in a forked child that
 * leads a process group of its own: when the test ends, for whatever reason,
 * the runner kills the whole group, which closes every fd that could keep
 * the test's scheduler attached, and the kernel unregisters it.  The runner
 * is a child subreaper, so even workers that escaped the group are reaped.
 * Before the next test it waits for sched_ext to read "disabled", onlines
 * every CPU, resets its affinity and removes the test cgroups, so no test
 * sees what the previous one left behind.
 *
 * Output is KTAP: a plan line, one "ok"/"not ok" line per test, and the
 * test's own output as "# " diagnostics, captured through a pipe so that it
 * can be silenced with -q and never interleaves with the verdicts.  The last
 * line counts the verdicts; the exit status is 1 if any test failed.
 *
 * Coverage is what held: every SCX_PROVE*() assertion of a test that passed
 * proves its item, and the runner lists those items ("# proven ITEM TESTS")
 * before the totals, for "make coverage" to compare with the interface of
 * the kernel they ran on.  An item must be one the kernel has, by the lists
 * gen-coverage.sh read from the kernel source.  -c lists the tests'
 * declared .covers tokens missing from the same lists, running nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"
#include "coverage.h"

#define MAX_TESTS		256
#define DFL_TIMEOUT_S		30
/* How long the kernel may take to finish unloading a test's scheduler. */
#define DISABLE_WAIT_MS		10000

static struct scx_test *tests[MAX_TESTS];
static unsigned int nr_tests;

void scx_test_register(struct scx_test *test)
{
	if (nr_tests >= MAX_TESTS) {
		fprintf(stderr, "runner: more than %d tests\n", MAX_TESTS);
		exit(1);
	}
	tests[nr_tests++] = test;
}

static const char *help_fmt =
"Usage: %s [-t PATTERN] [-s] [-S] [-q] [-l] [-c] [-h]\n"
"\n"
"Run the sched_ext selftests and print KTAP; exit 1 if any failed.\n"
"\n"
"  -t PATTERN  run only the tests whose name matches PATTERN, an exact name\n"
"              or a glob (fnmatch); may be given more than once\n"
"  -s          stop at the first failure\n"
"  -S          strict: a skip fails unless this kernel lacks what the test\n"
"              proves (not root, no sched_ext, a scheduler still loaded,\n"
"              too few CPUs or no SMT all fail); for a test machine\n"
"  -q          quiet: print only the plan, verdicts, failure reasons\n"
"              and totals\n"
"  -l          list the tests, what each proves and what it covers\n"
"  -c          list the tokens in the tests' .covers that this kernel lacks\n"
"              (tests of another kernel's interface, or typos)\n"
"  -h          show this help\n"
"\n"
"SCX_TEST_VERBOSE=1 in the environment shows libbpf's output (verifier logs).\n";

/*
 * What the tests proved.  A SCX_PROVE*() that held sends its item to the
 * runner as a line of its own, marked so that it is never taken for output;
 * the items of a test count only once the whole test has passed.
 */
#define PROVED_MARK		"\001scx-proved "
#define MAX_PROVEN		512

struct proof {
	char item[128];
	char tests[256];
};

static struct proof proven[MAX_PROVEN];
static unsigned int nr_proven;
/*
 * The items the running test has proved so far, each once, as " a b c ":
 * a proof in a loop comes many times.  Too many to keep fails the test.
 */
static char test_proved[8192];
static bool test_proved_full;

void scx_test_proved(const char *item)
{
	if (item)
		printf(PROVED_MARK "%s\n", item);
}

/* Add the tokens of one proof line (@len bytes at @line) to test_proved. */
static void note_proof(const char *line, size_t len)
{
	const char *end = line + len;
	size_t have, n;
	char tok[160];

	if (!test_proved[0])
		snprintf(test_proved, sizeof(test_proved), " ");
	while (line < end) {
		n = strcspn(line, " ");
		n = line + n > end ? (size_t)(end - line) : n;
		snprintf(tok, sizeof(tok), " %.*s ", (int)n, line);
		line += n + 1;
		if (n == 0 || strstr(test_proved, tok))
			continue;
		have = strlen(test_proved);
		if (have + strlen(tok) >= sizeof(test_proved)) {
			test_proved_full = true;
			return;
		}
		snprintf(test_proved + have, sizeof(test_proved) - have, "%s",
			 tok + 1);
	}
}

static const char *patterns[MAX_TESTS];
static unsigned int nr_patterns;
static bool quiet;
/* The test's last line of output: the reason given for a skip. */
static char last_line[256];

static bool selected(const struct scx_test *t)
{
	unsigned int i;

	if (!nr_patterns)
		return true;
	for (i = 0; i < nr_patterns; i++)
		if (!strcmp(patterns[i], t->name) ||
		    !fnmatch(patterns[i], t->name, 0))
			return true;
	return false;
}

/*
 * Coverage.  6.13 renamed the dispatch kfuncs and our headers use the new
 * names; a test may name either, and counts for the 6.12 one.
 */
static const char *const kfunc_aliases[][2] = {
	{ "scx_bpf_dsq_insert", "scx_bpf_dispatch" },
	{ "scx_bpf_dsq_insert_vtime", "scx_bpf_dispatch_vtime" },
	{ "scx_bpf_dsq_move_to_local", "scx_bpf_consume" },
	{ "scx_bpf_dsq_move_set_slice", "scx_bpf_dispatch_from_dsq_set_slice" },
	{ "scx_bpf_dsq_move_set_vtime", "scx_bpf_dispatch_from_dsq_set_vtime" },
	{ "scx_bpf_dsq_move", "scx_bpf_dispatch_from_dsq" },
	{ "scx_bpf_dsq_move_vtime", "scx_bpf_dispatch_vtime_from_dsq" },
	/* The printf-style macros of common.bpf.h, named as users know them. */
	{ "scx_bpf_exit", "scx_bpf_exit_bstr" },
	{ "scx_bpf_error", "scx_bpf_error_bstr" },
	{ "scx_bpf_dump", "scx_bpf_dump_bstr" },
};

struct cov_kind {
	const char *prefix;
	const char *title;
	const char *const *items;
};

static const struct cov_kind cov_kinds[] = {
	{ "ops",	"callback",	cov_ops },
	{ "field",	"field",	cov_fields },
	{ "flag",	"flag",		cov_flags },
	{ "exit",	"exit kind",	cov_exits },
	{ "kfunc",	"kfunc",	cov_kfuncs },
};

static const char *cov_find(const char *const *items, const char *name)
{
	unsigned int i;

	for (i = 0; items[i]; i++)
		if (!strcmp(items[i], name))
			return items[i];
	return NULL;
}

/*
 * The canonical name of @name of kind @k, or NULL if the kernel lacks it:
 * a current kfunc name stands for the 6.12 one where only that exists.
 */
static const char *cov_lookup(const struct cov_kind *k, const char *name)
{
	const char *found = cov_find(k->items, name);
	unsigned int i;

	for (i = 0; !found && k->items == cov_kfuncs &&
		    i < ARRAY_SIZE(kfunc_aliases); i++)
		if (!strcmp(name, kfunc_aliases[i][0]))
			found = cov_find(k->items, kfunc_aliases[i][1]);
	return found;
}

/*
 * Put the canonical form of token @tok ("kind:name", or the same after
 * "verifier:") into @out; false if this kernel has no such item.
 */
static bool cov_token(const char *tok, char *out, size_t len)
{
	const char *vprefix = "verifier:", *colon, *name;
	bool verifier = !strncmp(tok, vprefix, strlen(vprefix));
	unsigned int i;

	if (verifier)
		tok += strlen(vprefix);
	colon = strchr(tok, ':');
	for (i = 0; colon && i < ARRAY_SIZE(cov_kinds); i++) {
		if (strncmp(tok, cov_kinds[i].prefix, colon - tok) ||
		    cov_kinds[i].prefix[colon - tok])
			continue;
		name = cov_lookup(&cov_kinds[i], colon + 1);
		if (!name)
			return false;
		snprintf(out, len, "%s%s:%s", verifier ? vprefix : "",
			 cov_kinds[i].prefix, name);
		return true;
	}
	return false;
}

/*
 * -c: the tokens tests declare in .covers that name nothing this kernel
 * has: a 7.x-only test's items on 6.12, or a typo.  The declarations are
 * documentation; coverage is counted from what SCX_PROVE*() proved in a
 * run, where an unknown item fails the test.
 */
static int check_covers(void)
{
	char buf[4096], canon[128], *tok, *save;
	unsigned int i;
	int bad = 0;

	for (i = 0; i < nr_tests; i++) {
		snprintf(buf, sizeof(buf), "%s",
			 tests[i]->covers ? tests[i]->covers : "");
		for (tok = strtok_r(buf, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			if (cov_token(tok, canon, sizeof(canon)))
				continue;
			printf("%s: '%s' is not in this kernel\n",
			       tests[i]->name, tok);
			bad++;
		}
	}
	printf("%d token%s of the tests' .covers not in this kernel\n", bad,
	       bad == 1 ? "" : "s");
	return 0;
}

/*
 * Add what passed test @t proved to the run's tally.  An item this kernel
 * lacks is a mistake in the test: say which, and fail it.
 */
static bool add_proofs(const struct scx_test *t, char *why, size_t why_len)
{
	size_t n, len = strlen(t->name);
	char canon[128], *tok, *save;
	unsigned int i;

	if (test_proved_full) {
		snprintf(why, why_len, "proved more items than the runner keeps (%zu bytes)",
			 sizeof(test_proved));
		return false;
	}
	for (tok = strtok_r(test_proved, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (!cov_token(tok, canon, sizeof(canon))) {
			snprintf(why, why_len, "proved '%s', which this kernel does not have",
				 tok);
			return false;
		}
		for (i = 0; i < nr_proven; i++)
			if (!strcmp(proven[i].item, canon))
				break;
		if (i == MAX_PROVEN)
			continue;
		if (i == nr_proven) {
			snprintf(proven[i].item, sizeof(proven[i].item), "%s",
				 canon);
			nr_proven++;
		}
		/* Two names of one kfunc are one item: name the test once. */
		n = strlen(proven[i].tests);
		if (n >= len && !strcmp(proven[i].tests + n - len, t->name) &&
		    (n == len || proven[i].tests[n - len - 1] == ','))
			continue;
		snprintf(proven[i].tests + n, sizeof(proven[i].tests) - n,
			 "%s%s", n ? "," : "", t->name);
	}
	return true;
}

static void list_tests(void)
{
	unsigned int i;

	for (i = 0; i < nr_tests; i++) {
		if (!selected(tests[i]))
			continue;
		printf("%s\n    %s\n    covers: %s\n", tests[i]->name,
		       tests[i]->description ? tests[i]->description : "",
		       tests[i]->covers ? tests[i]->covers : "");
	}
}

/* Where a failed assertion lands, and how far the test had got. */
static sigjmp_buf fail_jmp;
static void *test_ctx;
static bool test_set_up;

_Noreturn void scx_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	siglongjmp(fail_jmp, 1);
}

/* In the child: run one test and exit with its status. */
static void child_run(struct scx_test *t, int out)
{
	/* static: an automatic variable may not survive the longjmp */
	static enum scx_test_status ret = SCX_TEST_PASS;

	setpgid(0, 0);
	dup2(out, STDOUT_FILENO);
	dup2(out, STDERR_FILENO);
	close(out);
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IOLBF, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);

	if (sigsetjmp(fail_jmp, 0)) {
		if (test_set_up && t->cleanup)
			t->cleanup(test_ctx);
		fflush(NULL);
		_exit(SCX_TEST_FAIL);
	}
	if (t->setup)
		ret = t->setup(&test_ctx);
	if (ret == SCX_TEST_PASS) {
		test_set_up = true;
		ret = t->run(test_ctx);
		if (t->cleanup)
			t->cleanup(test_ctx);
	}
	fflush(NULL);
	_exit(ret);
}

/* Copy what the test printed to our stdout as KTAP diagnostics. */
static void relay(int fd, char *line, size_t len, size_t *used, bool flush)
{
	char *nl;
	ssize_t n;

	if (!flush) {
		n = read(fd, line + *used, len - 1 - *used);
		if (n > 0)
			*used += n;
	}
	line[*used] = '\0';
	while ((nl = strchr(line, '\n')) || (flush && *used) ||
	       *used == len - 1) {
		size_t seg = nl ? (size_t)(nl - line) : *used;
		size_t mark = strlen(PROVED_MARK);

		if (seg > mark && !strncmp(line, PROVED_MARK, mark)) {
			note_proof(line + mark, seg - mark);
			seg += nl ? 1 : 0;
			memmove(line, line + seg, *used - seg + 1);
			*used -= seg;
			continue;
		}
		if (!quiet)
			printf("%s%.*s\n", line[0] == '#' ? "" : "# ",
			       (int)seg, line);
		if (seg) {
			size_t skip = strspn(line, "# ");

			skip = skip < seg ? skip : seg;
			snprintf(last_line, sizeof(last_line), "%.*s",
				 (int)(seg - skip), line + skip);
		}
		seg += nl ? 1 : 0;
		memmove(line, line + seg, *used - seg + 1);
		*used -= seg;
	}
}

/* Put the system back the way a test expects to find it. */
static bool restore_state(void)
{
	int cpu, nr = scx_util_nr_cpus();
	bool ok = true;
	cpu_set_t all;

	if (!scx_util_wait_state("disabled", DISABLE_WAIT_MS)) {
		if (!quiet)
			printf("# sched_ext still not disabled %d s after the test\n",
		       DISABLE_WAIT_MS / 1000);
		ok = false;
	}
	CPU_ZERO(&all);
	for (cpu = 0; cpu < nr; cpu++) {
		if (!scx_util_cpu_online(cpu) &&
		    scx_util_set_cpu_online(cpu, true)) {
			printf("# cannot bring CPU %d back online\n", cpu);
			ok = false;
		}
		CPU_SET(cpu, &all);
	}
	sched_setaffinity(0, sizeof(all), &all);
	scx_util_cgroup_cleanup();
	return ok;
}

static enum scx_test_status run_test(struct scx_test *t, char *why,
				     size_t why_len)
{
	unsigned int timeout = t->timeout ? t->timeout : DFL_TIMEOUT_S;
	uint64_t deadline;
	char line[4096];
	size_t used = 0;
	bool timed_out = false, eof = false;
	int fds[2], status = 0;
	pid_t pid, w;

	why[0] = '\0';
	last_line[0] = '\0';
	test_proved[0] = '\0';
	test_proved_full = false;
	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(why, why_len, "pipe: %s", strerror(errno));
		return SCX_TEST_FAIL;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(why, why_len, "fork: %s", strerror(errno));
		return SCX_TEST_FAIL;
	}
	if (!pid) {
		close(fds[0]);
		child_run(t, fds[1]);
	}
	/* Both sides set the group, so neither can act before it exists. */
	setpgid(pid, pid);
	close(fds[1]);

	deadline = scx_util_now_ms() + timeout * 1000ULL;
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		uint64_t now = scx_util_now_ms();

		if (now >= deadline) {
			timed_out = true;
			break;
		}
		if (eof) {
			w = waitpid(pid, &status, WNOHANG);
			if (w == pid)
				break;
			scx_util_sleep_ms(5);
			continue;
		}
		if (poll(&pfd, 1, deadline - now > 100 ? 100 : deadline - now) > 0) {
			if (pfd.revents & POLLIN)
				relay(fds[0], line, sizeof(line), &used, false);
			else if (pfd.revents & (POLLHUP | POLLERR))
				eof = true;
		}
		/* A worker may hold the pipe open after the test has exited. */
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
	}
	kill(-pid, SIGKILL);
	if (timed_out)
		waitpid(pid, &status, 0);
	/* Drain what is left, then reap the group and any orphans. */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		size_t before = used;

		relay(fds[0], line, sizeof(line), &used, false);
		if (used == before)
			break;
	}
	relay(fds[0], line, sizeof(line), &used, true);
	close(fds[0]);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;

	if (timed_out) {
		snprintf(why, why_len, "timed out after %u s", timeout);
		return SCX_TEST_FAIL;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, why_len, "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
		return SCX_TEST_FAIL;
	}
	switch (WEXITSTATUS(status)) {
	case SCX_TEST_PASS:
		return SCX_TEST_PASS;
	case SCX_TEST_SKIP:
	case SCX_TEST_SKIP_KERNEL:
		snprintf(why, why_len, "%s", last_line);
		return WEXITSTATUS(status);
	case SCX_TEST_FAIL:
		/* Unless quiet, the reason was printed with the rest. */
		if (quiet)
			snprintf(why, why_len, "%s", last_line);
		return SCX_TEST_FAIL;
	default:
		snprintf(why, why_len, "exited with status %d",
			 WEXITSTATUS(status));
		return SCX_TEST_FAIL;
	}
}

int main(int argc, char **argv)
{
	unsigned int i, n = 0, nr_pass = 0, nr_fail = 0, nr_skip = 0;
	bool list = false, cov = false, stop = false, strict = false;
	const char *no_run = NULL;
	struct utsname uts;
	char why[256];
	int opt;

	while ((opt = getopt(argc, argv, "t:sSqlch")) != -1) {
		switch (opt) {
		case 't':
			if (nr_patterns < MAX_TESTS)
				patterns[nr_patterns++] = optarg;
			break;
		case 's':
			stop = true;
			break;
		case 'S':
			strict = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'l':
			list = true;
			break;
		case 'c':
			cov = true;
			break;
		case 'h':
			printf(help_fmt, argv[0]);
			return 0;
		default:
			fprintf(stderr, help_fmt, argv[0]);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (see -h)\n",
			argv[0], argv[optind]);
		return 1;
	}
	if (cov)
		return check_covers();
	if (list) {
		list_tests();
		return 0;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	scx_util_libbpf_quiet();
	signal(SIGPIPE, SIG_IGN);
	/* Orphaned workers of a test come to us, so we can reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	if (access(SCX_SYSFS "/state", F_OK))
		no_run = "this kernel has no sched_ext";
	else if (geteuid())
		no_run = "must be run as root";
	/* Long enough for one that is unloading under emulation. */
	else if (!scx_util_wait_state("disabled", 10000))
		no_run = "another sched_ext scheduler is loaded";

	for (i = 0; i < nr_tests; i++)
		n += selected(tests[i]);
	if (nr_patterns && !n) {
		fprintf(stderr, "%s: no test matches", argv[0]);
		for (i = 0; i < nr_patterns; i++)
			fprintf(stderr, " '%s'", patterns[i]);
		fprintf(stderr, " (see -l)\n");
		return 1;
	}

	printf("KTAP version 1\n");
	/* The tests probe the kernel; say which one their verdicts are of. */
	if (!uname(&uts))
		printf("# kernel %s %s\n", uts.release, uts.version);
	printf("1..%u\n", n);
	for (i = 0, n = 0; i < nr_tests; i++) {
		struct scx_test *t = tests[i];
		enum scx_test_status ret;

		if (!selected(t))
			continue;
		n++;
		if (no_run && strict) {
			printf("# %s (-S)\nnot ok %u %s\n", no_run, n, t->name);
			nr_fail++;
			continue;
		}
		if (no_run) {
			printf("ok %u %s # SKIP %s\n", n, t->name, no_run);
			nr_skip++;
			continue;
		}
		ret = run_test(t, why, sizeof(why));
		if (ret == SCX_TEST_SKIP && strict) {
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "%s(a skip, under -S)", why[0] ? " " : "");
			ret = SCX_TEST_FAIL;
		}
		if (!restore_state() && ret == SCX_TEST_PASS) {
			snprintf(why, sizeof(why), "left the system changed");
			ret = SCX_TEST_FAIL;
		}
		if (ret == SCX_TEST_PASS && !add_proofs(t, why, sizeof(why)))
			ret = SCX_TEST_FAIL;
		switch (ret) {
		case SCX_TEST_PASS:
			printf("ok %u %s\n", n, t->name);
			nr_pass++;
			break;
		case SCX_TEST_SKIP:
		case SCX_TEST_SKIP_KERNEL:
			printf("ok %u %s # SKIP %s\n", n, t->name,
			       why[0] ? why : "no reason given");
			nr_skip++;
			break;
		default:
			if (why[0])
				printf("# %s\n", why);
			printf("not ok %u %s\n", n, t->name);
			nr_fail++;
			break;
		}
		if (stop && ret == SCX_TEST_FAIL) {
			if (!quiet)
				printf("# stopping at the first failure (-s)\n");
			break;
		}
	}
	/* For "make coverage": what held, and in which tests. */
	for (i = 0; i < nr_proven; i++)
		printf("# proven %s %s\n", proven[i].item, proven[i].tests);
	printf("%u passed, %u failed, %u skipped\n", nr_pass, nr_fail, nr_skip);
	return nr_fail ? 1 : 0;
}
