/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the selftests: attaching and detaching a scheduler,
 * waiting for a condition with a deadline instead of sleeping a fixed time,
 * worker processes that give the scheduler something to schedule, CPU
 * pinning, sysfs and cgroup files.
 *
 * Everything a test changes in the system must be something the runner puts
 * back before the next test: CPUs are onlined again, the runner's affinity is
 * reset, and cgroups under SCX_TEST_CGROUP are removed.  Workers are put in
 * the test's process group, which the runner kills when the test ends, so a
 * failed assertion never leaves a spinner (or a link fd it inherited) behind.
 */
#ifndef __SCX_SELFTEST_UTIL_H
#define __SCX_SELFTEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sched.h>
#include <sys/types.h>
#include <bpf/libbpf.h>

/* Test cgroups go below this directory; the runner removes it between tests. */
#define SCX_TEST_CGROUP		"/sys/fs/cgroup/scx_selftest"

/* Milliseconds since an arbitrary point (CLOCK_MONOTONIC). */
uint64_t scx_util_now_ms(void);
void scx_util_sleep_ms(unsigned int ms);

/*
 * Evaluate @__cond every millisecond or so until it is true or @__ms
 * milliseconds have passed; evaluates to the last value of @__cond.
 */
#define SCX_WAIT_FOR(__cond, __ms)						\
({										\
	uint64_t __deadline = scx_util_now_ms() + (__ms);			\
	bool __ok;								\
										\
	while (!(__ok = !!(__cond)) && scx_util_now_ms() < __deadline)		\
		scx_util_sleep_ms(1);						\
	__ok;									\
})

/*
 * Enable the scheduler of struct_ops map @ops.  Returns the link, or NULL
 * with errno set (EBUSY: another scheduler is loaded; anything else: the
 * kernel refused it, e.g. because ops.init() failed).
 */
struct bpf_link *scx_util_attach(struct bpf_map *ops);
/*
 * Detach (even while forked workers still hold the link's fd) and wait until
 * the kernel reports sched_ext disabled; ops.exit() has run by then.
 */
void scx_util_detach(struct bpf_link *link);
/* Wait up to @ms for /sys/kernel/sched_ext/state to read @state. */
bool scx_util_wait_state(const char *state, unsigned int ms);
/* Is a scheduler attached (state "enabled")? */
bool scx_util_enabled(void);

/*
 * Load skeleton @__skel of test @__name, whose struct_ops map is @__ops and
 * whose exit info is UEI_DEFINE(@__uei).  Evaluates to 0 or a negative error
 * (a verifier rejection is -EACCES or -EINVAL).  libbpf's log goes to stderr
 * only when SCX_TEST_VERBOSE is set in the environment.
 */
#define SCX_UTIL_LOAD(__skel, __name, __ops, __uei)				\
({										\
	UEI_SET_SIZE(__skel, __ops, __uei);					\
	__name##__load(__skel);							\
})

/* Quiet libbpf unless SCX_TEST_VERBOSE is set; the runner calls it. */
void scx_util_libbpf_quiet(void);

/* Run a syscall program once: its return value, or the error running it. */
int scx_util_run_prog(struct bpf_program *prog);

/* Number of configured and online CPUs. */
int scx_util_nr_cpus(void);
bool scx_util_cpu_online(int cpu);
/* Write 0 or 1 to the CPU's sysfs online file; 0 or -errno. */
int scx_util_set_cpu_online(int cpu, bool online);

/* Pin @pid (0: the caller) to one CPU, or to @set; 0 or -errno. */
int scx_util_pin(pid_t pid, int cpu);
int scx_util_set_affinity(pid_t pid, const cpu_set_t *set);

/*
 * Worker processes.  scx_util_spawn() forks a child that runs @fn(@arg) and
 * exits with its return value; the child dies with its parent.  The stop
 * function kills and reaps it (giving up after 5 s: a task the scheduler
 * never runs cannot die); wait reaps it and returns its exit status (-1 when
 * it did not exit normally or @ms passed).
 */
pid_t scx_util_spawn(int (*fn)(void *arg), void *arg);
void scx_util_stop(pid_t pid);
int scx_util_wait(pid_t pid, unsigned int ms);

/* Ready-made worker bodies: spin for ever; spin for (long)@arg ms, exit 0. */
int scx_util_spin_forever(void *arg);
int scx_util_spin_ms(void *arg);
/* Keep the CPU busy for @ms milliseconds in the caller. */
void scx_util_busy_ms(unsigned int ms);
void scx_util_busy_us(unsigned int us);

/*
 * A worker that sleeps until told, so tests can make it runnable on cue:
 * scx_util_pipe_worker() forks a child that loops on reading one byte from a
 * pipe and burning @spin_us microseconds of CPU, until the pipe closes.
 * scx_util_pipe_poke() sends it a byte.
 */
struct scx_util_pipe_worker {
	pid_t pid;
	int fd;
};
int scx_util_pipe_worker(struct scx_util_pipe_worker *w, unsigned int spin_us);
int scx_util_pipe_poke(struct scx_util_pipe_worker *w);
void scx_util_pipe_stop(struct scx_util_pipe_worker *w);

/*
 * A child that sleeps in read() until scx_util_pingpong_round() sends it a
 * byte, burns about 200 us of CPU and answers, so every round is one wakeup,
 * one run and one sleep of the child; the round returns 0 once the answer
 * arrived, -ETIMEDOUT after @ms.  start() returns with the child asleep.
 */
struct scx_util_pingpong {
	pid_t pid;
	int to, from;
};
int scx_util_pingpong_start(struct scx_util_pingpong *pp);
int scx_util_pingpong_round(struct scx_util_pingpong *pp, unsigned int ms);
void scx_util_pingpong_stop(struct scx_util_pingpong *pp);

/*
 * Core scheduling.  has_smt: do SMT siblings run (smt/active reads 1)?
 * two_cookies: put @pids in two core-scheduling cookie groups, the
 * even-numbered ones and the odd-numbered ones (the caller joins the last
 * group on the way); 0, -ENODEV (said on stderr) if the kernel has no core
 * scheduling or no SMT, or another -errno (a failed call: not a skip).  busy_naps: a worker body that runs 2 ms
 * and sleeps 0.5 ms, for ever, so that its CPU keeps scheduling.
 * smt_mask: the CPUs of @cpu's core, one bit each (CPUs 0 to 63); 0 or
 * -errno.
 */
bool scx_util_has_smt(void);
int scx_util_two_cookies(const pid_t *pids, int n);
int scx_util_busy_naps(void *arg);
int scx_util_smt_mask(int cpu, uint64_t *mask);

/*
 * Does the verifier refuse a sched_ext kfunc called from an operation that
 * may not call it (7.3: the kfunc sets carry scx_kfunc_context_filter()),
 * instead of the kfunc failing the scheduler when it is called (6.12)?
 */
bool scx_util_kfunc_context_at_load(void);

/* Files: whole-file read (NUL-terminated, newline kept); 0 or -errno. */
int scx_util_read_file(const char *path, char *buf, size_t len);
int scx_util_write_file(const char *path, const char *str);
int scx_util_read_ll(const char *path, long long *v);
/* CPU time @pid has had, in ns (/proc/PID/schedstat's first field); -1 if unreadable. */
long long scx_util_cpu_ns(pid_t pid);
/* Read /sys/kernel/sched_ext/root/ops into @buf; 0 or -errno. */
int scx_util_ops_name(char *buf, size_t len);
/* Write @c to /proc/sysrq-trigger. */
int scx_util_sysrq(char c);

/*
 * The kernel's log.  scx_util_kmsg_open() opens /dev/kmsg at its end (or
 * returns -errno); scx_util_kmsg_read() then puts what the kernel printed
 * since, or since the last read or lseek(fd, 0, SEEK_END), into @buf: the
 * messages alone, one line each.  It returns -ENOSPC if they do not fit.
 */
int scx_util_kmsg_open(void);
int scx_util_kmsg_read(int fd, char *buf, size_t len);

/*
 * Cgroups below SCX_TEST_CGROUP.  scx_util_cgroup_path() writes the path of
 * @name (which may be "a/b") into @buf.  create makes it (and the parent,
 * enabling the cpu controller below it); move writes @pid to its
 * cgroup.procs; remove rmdirs it after moving its tasks to the root.
 */
void scx_util_cgroup_path(char *buf, size_t len, const char *name);
int scx_util_cgroup_create(const char *name);
int scx_util_cgroup_move(const char *name, pid_t pid);
int scx_util_cgroup_remove(const char *name);
/* Its id (the directory's inode, as the kernel's cgroup id), 0 if none. */
unsigned long long scx_util_cgroup_id(const char *name);
/* Remove SCX_TEST_CGROUP and everything below it; the runner calls it. */
void scx_util_cgroup_cleanup(void);

#endif	/* __SCX_SELFTEST_UTIL_H */
