/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every sched_ext loader includes: libbpf, fixed-width types, the exit
 * info reporting, the compat probes, and the checks that turn the common
 * failures (not root, no sched_ext, another scheduler loaded, a bad option)
 * into one clear line instead of a libbpf dump.
 */
#ifndef __SCX_COMMON_H
#define __SCX_COMMON_H

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/*
 * The kernel's short type names.  In a kernel tree, tools/include (on the
 * include path there) has them already, with u64 as uint64_t; we define
 * them the same way, so that code which builds here builds there.
 */
#ifndef _TOOLS_LINUX_TYPES_H
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(__arr)	(sizeof(__arr) / sizeof((__arr)[0]))
#endif

/* The kernel's exit kinds and codes (enum scx_exit_kind, scx_exit_code). */
enum scx_exit_kind {
	SCX_EXIT_NONE		= 0,
	SCX_EXIT_DONE		= 1,
	SCX_EXIT_UNREG		= 64,
	SCX_EXIT_UNREG_BPF	= 65,
	SCX_EXIT_UNREG_KERN	= 66,
	SCX_EXIT_SYSRQ		= 67,
	SCX_EXIT_ERROR		= 1024,
	SCX_EXIT_ERROR_BPF	= 1025,
	SCX_EXIT_ERROR_STALL	= 1026,
};

#define SCX_ECODE_RSN_HOTPLUG	(1LLU << 32)
#define SCX_ECODE_ACT_RESTART	(1LLU << 48)

#define SCX_SYSFS		"/sys/kernel/sched_ext"

extern char *program_invocation_short_name;

/* Print "prog: message[: strerror]" and exit 1.  For conditions that end us. */
#define SCX_BUG(__fmt, ...)							\
do {										\
	int __err = errno;							\
										\
	fprintf(stderr, "%s: " __fmt, program_invocation_short_name,		\
		##__VA_ARGS__);							\
	if (__err)								\
		fprintf(stderr, ": %s", strerror(__err));			\
	fputc('\n', stderr);							\
	exit(1);								\
} while (0)

#define SCX_BUG_ON(__cond, __fmt, ...)						\
do {										\
	if (__cond)								\
		SCX_BUG(__fmt, ##__VA_ARGS__);					\
} while (0)

/* Like SCX_BUG() without errno: for mistakes in what the user asked for. */
#define SCX_DIE(__fmt, ...)							\
do {										\
	fprintf(stderr, "%s: " __fmt "\n", program_invocation_short_name,	\
		##__VA_ARGS__);							\
	exit(1);								\
} while (0)

/*
 * Resize an array declared with RESIZABLE_ARRAY() to @__n elements and point
 * the skeleton at its new initial value.  Call between open and load.
 */
#define RESIZE_ARRAY(__skel, __elfsec, __arr, __n)				\
do {										\
	size_t __sz;								\
										\
	if (bpf_map__set_value_size((__skel)->maps.__elfsec##_##__arr,		\
				    sizeof((__skel)->__elfsec##_##__arr->__arr[0]) * (__n))) \
		SCX_BUG("cannot resize " #__arr);				\
	(__skel)->__elfsec##_##__arr =						\
		bpf_map__initial_value((__skel)->maps.__elfsec##_##__arr, &__sz); \
} while (0)

/* Read a one-line sysfs file into @buf without its newline; false if absent. */
static inline bool scx_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* SCX_SYSFS/state: "enabled", "disabled", "enabling", "disabling". */
static inline bool scx_state_is(const char *want)
{
	char state[32];

	return scx_read_line(SCX_SYSFS "/state", state, sizeof(state)) &&
	       !strcmp(state, want);
}

/* Name of the BPF scheduler currently loaded, or "unknown". */
static inline const char *scx_loaded_ops(char *buf, size_t len)
{
	if (!scx_read_line(SCX_SYSFS "/root/ops", buf, len) || !buf[0])
		snprintf(buf, len, "unknown");
	return buf;
}

static inline void scx_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Wait up to @timeout_ms for the previous scheduler to finish unloading.
 * Unregistration completes in a kernel worker after our link is gone, so a
 * restart that reattaches at once would find the slot still busy.
 */
static inline bool scx_wait_disabled(unsigned int timeout_ms)
{
	unsigned int waited;

	for (waited = 0; waited < timeout_ms; waited += 10) {
		if (scx_state_is("disabled"))
			return true;
		scx_sleep_ms(10);
	}
	return scx_state_is("disabled");
}

/*
 * Check what a loader needs before it touches BPF at all, and explain a
 * failure in one line: a kernel without sched_ext, no root, or a slot taken
 * by another scheduler.
 */
static inline void scx_preflight(void)
{
	char ops[128];

	if (access(SCX_SYSFS "/state", F_OK))
		SCX_DIE("this kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT=y is needed); "
			"run it in the test VM with 'make vmrun'");
	if (geteuid())
		SCX_DIE("must be run as root");
	if (!scx_state_is("disabled") && !scx_wait_disabled(1000))
		SCX_DIE("another sched_ext scheduler (%s) is loaded; stop it first",
			scx_loaded_ops(ops, sizeof(ops)));
}

/* libbpf speaks only with -v; otherwise our own one-line errors suffice. */
static inline int scx_libbpf_print(enum libbpf_print_level level, const char *fmt,
			    va_list args)
{
	return vfprintf(stderr, fmt, args);
}

static inline void scx_libbpf_verbose(bool verbose)
{
	libbpf_set_print(verbose ? scx_libbpf_print : NULL);
}

/*
 * Sleep between two stats lines: @sec seconds, cut short by a signal that
 * set *@stop or by the scheduler's exit (@uei_kind, the kind UEI_RECORD()
 * fills in), so that an error exit is reported at once.
 */
static inline void scx_stats_sleep(unsigned int sec, atomic_bool *stop,
				   const int *uei_kind)
{
	unsigned int ms;

	for (ms = 0; ms < sec * 1000; ms += 50) {
		if (atomic_load(stop) || __atomic_load_n(uei_kind, __ATOMIC_ACQUIRE))
			return;
		scx_sleep_ms(50);
	}
}

/* -s SLICE_US, the same in every example: 100 us to 1 s. */
#define SCX_SLICE_US_MIN	100
#define SCX_SLICE_US_MAX	1000000

/* Parse the argument of option -@opt as an integer in [@min, @max]. */
static inline long long scx_arg_ll(char opt, const char *arg, long long min,
				   long long max)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(arg, &end, 0);
	if (errno || end == arg || *end || v < min || v > max)
		SCX_DIE("-%c wants a number from %lld to %lld, not '%s' (see -h)",
			opt, min, max, arg);
	return v;
}

/*
 * The loader's plumbing.  Every loader has the same shape: parse options,
 * open the skeleton, set rodata, load, attach, print stats until a signal
 * or the scheduler's exit, report the exit, and start again if the kernel
 * asked for it.  The steps that differ stay in each main(); what follows
 * is the part they share.
 */

/* Set by SIGINT and SIGTERM once scx_stop_on_signals() has run. */
static atomic_bool scx_stop;

static inline void scx_on_signal(int sig)
{
	atomic_store(&scx_stop, true);
}

static inline void scx_stop_on_signals(void)
{
	signal(SIGINT, scx_on_signal);
	signal(SIGTERM, scx_on_signal);
}

/* What every loader's command line has: -i SEC, -v and -h. */
struct scx_opts {
	const char *usage;	/* the help text; %s is the program's name */
	unsigned int interval;	/* -i: seconds between two stats lines */
	bool verbose;		/* -v: let libbpf print its debug messages */
};

#define SCX_OPTS_INIT(__usage)	{ .usage = (__usage), .interval = 1 }

/*
 * getopt() for a loader.  @own lists the scheduler's own options in
 * getopt's syntax, and only those come back to the caller: -i, -v, -h and
 * every mistake are handled here, a mistake with one line and exit 1.  At
 * the end of the options, a stray argument is such a mistake, and libbpf's
 * verbosity is set from -v.
 */
static inline int scx_getopt(int argc, char **argv, const char *own,
			     struct scx_opts *o)
{
	char optstring[64];
	int opt;

	/* The leading ':' makes getopt() tell a missing value from a typo. */
	snprintf(optstring, sizeof(optstring), ":%si:vh", own);
	opterr = 0;
	while ((opt = getopt(argc, argv, optstring)) != -1) {
		switch (opt) {
		case 'i':
			o->interval = scx_arg_ll('i', optarg, 1, 3600);
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			printf(o->usage, program_invocation_short_name);
			exit(0);
		case ':':
			SCX_DIE("-%c needs a value (see -h)", optopt);
		case '?':
			SCX_DIE("unknown option -%c (see -h)", optopt);
		default:
			return opt;
		}
	}
	if (optind < argc)
		SCX_DIE("unexpected argument '%s' (see -h)", argv[optind]);
	scx_libbpf_verbose(o->verbose);
	return -1;
}

/*
 * Sum each of the first @nr entries of the per-CPU array @map (the
 * convention of common.bpf.h's SCX_STATS()) over every possible CPU.
 */
static inline void scx_read_stats(struct bpf_map *map, u64 *out, u32 nr)
{
	int nr_cpus = libbpf_num_possible_cpus();
	u64 vals[nr_cpus > 0 ? nr_cpus : 1];
	u32 idx;
	int cpu;

	/* A name in the loader without its counter in the BPF enum. */
	if (nr > bpf_map__max_entries(map))
		SCX_DIE("%u stats names for %u counters: update the loader",
			nr, bpf_map__max_entries(map));
	for (idx = 0; idx < nr; idx++) {
		out[idx] = 0;
		if (nr_cpus <= 0 ||
		    bpf_map_lookup_elem(bpf_map__fd(map), &idx, vals))
			continue;
		for (cpu = 0; cpu < nr_cpus; cpu++)
			out[idx] += vals[cpu];
	}
}

/* Print "name=value ..." for @nr counters, as one stats line. */
static inline void scx_print_stats(const char *const *names, const u64 *vals,
				   u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++)
		printf("%s%s=%llu", i ? " " : "", names[i],
		       (unsigned long long)vals[i]);
	putchar('\n');
	fflush(stdout);
}

#include "user_exit_info.h"
#include "compat.h"

/*
 * Show what was printed, then wait one stats interval: false, at once, when
 * a signal or the scheduler's exit has come, so that the loop ends and the
 * exit is reported.
 */
#define SCX_STATS_WAIT(__skel, __uei_name, __interval)				\
({										\
	fflush(stdout);								\
	scx_stats_sleep(__interval, &scx_stop, &(__skel)->data->__uei_name.kind); \
	!atomic_load(&scx_stop) && !UEI_EXITED(__skel, __uei_name);		\
})

#endif	/* __SCX_COMMON_H */
