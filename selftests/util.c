// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the selftests; see util.h for what each one promises.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <scx/common.h>
#include "util.h"

uint64_t scx_util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

void scx_util_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

bool scx_util_wait_state(const char *state, unsigned int ms)
{
	return SCX_WAIT_FOR(scx_state_is(state), ms);
}

bool scx_util_enabled(void)
{
	return scx_state_is("enabled");
}

struct bpf_link *scx_util_attach(struct bpf_map *ops)
{
	return bpf_map__attach_struct_ops(ops);
}

void scx_util_detach(struct bpf_link *link)
{
	/*
	 * Workers forked after the attach hold the link's fd too, so closing
	 * ours would not unregister the scheduler: detach it explicitly.
	 */
	if (link) {
		bpf_link_detach(bpf_link__fd(link));
		bpf_link__destroy(link);
	}
	scx_util_wait_state("disabled", 5000);
}

static int libbpf_print_env(enum libbpf_print_level level, const char *fmt,
			    va_list args)
{
	return vfprintf(stderr, fmt, args);
}

void scx_util_libbpf_quiet(void)
{
	libbpf_set_print(getenv("SCX_TEST_VERBOSE") ? libbpf_print_env : NULL);
}

int scx_util_nr_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_CONF);
}

bool scx_util_cpu_online(int cpu)
{
	char path[64];
	long long v;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	/* CPU 0 usually has no online file: it cannot be offlined. */
	if (scx_util_read_ll(path, &v))
		return access(path, F_OK) != 0;
	return v == 1;
}

int scx_util_set_cpu_online(int cpu, bool online)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	return scx_util_write_file(path, online ? "1" : "0");
}

int scx_util_set_affinity(pid_t pid, const cpu_set_t *set)
{
	return sched_setaffinity(pid, sizeof(*set), set) ? -errno : 0;
}

int scx_util_pin(pid_t pid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return scx_util_set_affinity(pid, &set);
}

pid_t scx_util_spawn(int (*fn)(void *arg), void *arg)
{
	pid_t ppid = getpid();
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid)
		return pid;
	/* Never outlive the test, whatever happens to it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != ppid)
		_exit(1);
	_exit(fn(arg));
}

int scx_util_wait(pid_t pid, unsigned int ms)
{
	uint64_t deadline = scx_util_now_ms() + ms;
	int status;
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, &status, WNOHANG);
		if (ret == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (ret < 0 || scx_util_now_ms() >= deadline)
			return -1;
		scx_util_sleep_ms(1);
	}
}

void scx_util_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	/*
	 * A task the scheduler never runs cannot die; do not hang on it
	 * (the runner reaps what is left when the test ends).
	 */
	scx_util_wait(pid, 5000);
}

int scx_util_spin_forever(void *arg)
{
	for (;;)
		asm volatile("" ::: "memory");
	return 0;
}

void scx_util_busy_ms(unsigned int ms)
{
	uint64_t end = scx_util_now_ms() + ms;

	while (scx_util_now_ms() < end)
		;
}

void scx_util_busy_us(unsigned int us)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000000LL +
		 (now.tv_nsec - start.tv_nsec) / 1000 < us);
}

int scx_util_spin_ms(void *arg)
{
	scx_util_busy_ms((unsigned int)(long)arg);
	return 0;
}

struct pipe_arg {
	int fd;
	unsigned int spin_us;
};

static int pipe_worker_fn(void *data)
{
	struct pipe_arg *a = data;
	struct timespec start, now;
	char c;

	while (read(a->fd, &c, 1) == 1) {
		clock_gettime(CLOCK_MONOTONIC, &start);
		do {
			clock_gettime(CLOCK_MONOTONIC, &now);
		} while ((now.tv_sec - start.tv_sec) * 1000000LL +
			 (now.tv_nsec - start.tv_nsec) / 1000 < a->spin_us);
	}
	return 0;
}

int scx_util_pipe_worker(struct scx_util_pipe_worker *w, unsigned int spin_us)
{
	struct pipe_arg a;
	int fds[2];

	if (pipe(fds))
		return -errno;
	a.fd = fds[0];
	a.spin_us = spin_us;
	w->pid = scx_util_spawn(pipe_worker_fn, &a);
	close(fds[0]);
	if (w->pid < 0) {
		close(fds[1]);
		return -errno;
	}
	w->fd = fds[1];
	return 0;
}

int scx_util_pipe_poke(struct scx_util_pipe_worker *w)
{
	return write(w->fd, "x", 1) == 1 ? 0 : -errno;
}

void scx_util_pipe_stop(struct scx_util_pipe_worker *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	/*
	 * Closing the pipe is no signal to stop: the worker, and every child
	 * forked after it, holds a copy of its write end.  Waiting for an EOF
	 * that never comes cost each test 2 s.
	 */
	scx_util_stop(w->pid);
	w->pid = -1;
}

struct pingpong_arg {
	int in, out;
};

static int pingpong_fn(void *data)
{
	struct pingpong_arg *a = data;
	char c = 'r';

	/* The first byte says we are about to block in read(). */
	if (write(a->out, &c, 1) != 1)
		return 1;
	while (read(a->in, &c, 1) == 1) {
		scx_util_busy_us(200);
		if (write(a->out, &c, 1) != 1)
			return 1;
	}
	return 0;
}

static int read_timeout(int fd, unsigned int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&pfd, 1, ms) != 1)
		return -ETIMEDOUT;
	return read(fd, &c, 1) == 1 ? 0 : -EIO;
}

int scx_util_pingpong_start(struct scx_util_pingpong *pp)
{
	struct pingpong_arg a;
	int to[2], from[2];

	if (pipe(to))
		return -errno;
	if (pipe(from)) {
		close(to[0]);
		close(to[1]);
		return -errno;
	}
	a.in = to[0];
	a.out = from[1];
	pp->pid = scx_util_spawn(pingpong_fn, &a);
	close(to[0]);
	close(from[1]);
	pp->to = to[1];
	pp->from = from[0];
	if (pp->pid < 0 || read_timeout(pp->from, 5000)) {
		scx_util_pingpong_stop(pp);
		return -EIO;
	}
	/* Give it time to get into read(); a round works either way. */
	scx_util_sleep_ms(5);
	return 0;
}

int scx_util_pingpong_round(struct scx_util_pingpong *pp, unsigned int ms)
{
	if (write(pp->to, "p", 1) != 1)
		return -errno;
	return read_timeout(pp->from, ms);
}

void scx_util_pingpong_stop(struct scx_util_pingpong *pp)
{
	if (pp->to >= 0)
		close(pp->to);
	if (pp->from >= 0)
		close(pp->from);
	pp->to = pp->from = -1;
	/* As for a pipe worker: the child would never see an EOF. */
	scx_util_stop(pp->pid);
	pp->pid = -1;
}

bool scx_util_kfunc_context_at_load(void)
{
	return __COMPAT_has_ksym("scx_kfunc_context_filter");
}

int scx_util_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	size_t off = 0;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while (off + 1 < len) {
		n = read(fd, buf + off, len - 1 - off);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		off += n;
	}
	buf[off] = '\0';
	close(fd);
	return 0;
}

int scx_util_write_file(const char *path, const char *str)
{
	size_t len = strlen(str);
	int fd, ret = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, str, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}

long long scx_util_cpu_ns(pid_t pid)
{
	char path[64];
	long long ns;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	return scx_util_read_ll(path, &ns) ? -1 : ns;
}

int scx_util_read_ll(const char *path, long long *v)
{
	char buf[64], *end;
	int ret;

	ret = scx_util_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*v = strtoll(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int scx_util_ops_name(char *buf, size_t len)
{
	int ret = scx_util_read_file(SCX_SYSFS "/root/ops", buf, len);

	if (!ret)
		buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

int scx_util_sysrq(char c)
{
	char s[2] = { c, '\0' };

	return scx_util_write_file("/proc/sysrq-trigger", s);
}

int scx_util_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	lseek(fd, 0, SEEK_END);
	return fd;
}

int scx_util_kmsg_read(int fd, char *buf, size_t len)
{
	size_t used = 0;
	char rec[4096];

	buf[0] = '\0';
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg, *nl;

		if (n < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (n <= 0)			/* EAGAIN: no more */
			return 0;
		rec[n] = '\0';
		/* "PRIO,SEQ,USEC,FLAGS;MESSAGE\n", then " KEY=VALUE" lines */
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		used += snprintf(buf + used, len - used, "%s\n", msg);
		if (used >= len)
			return -ENOSPC;
	}
}

void scx_util_cgroup_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, SCX_TEST_CGROUP "/%s", name);
}

int scx_util_cgroup_create(const char *name)
{
	char path[256];

	if (mkdir(SCX_TEST_CGROUP, 0755) && errno != EEXIST)
		return -errno;
	/* Failing to enable cpu below us is fine when a test needs no weights. */
	scx_util_write_file("/sys/fs/cgroup/cgroup.subtree_control", "+cpu");
	scx_util_write_file(SCX_TEST_CGROUP "/cgroup.subtree_control", "+cpu");
	scx_util_cgroup_path(path, sizeof(path), name);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

unsigned long long scx_util_cgroup_id(const char *name)
{
	char path[256];
	struct stat st;

	scx_util_cgroup_path(path, sizeof(path), name);
	return stat(path, &st) ? 0 : st.st_ino;
}

int scx_util_cgroup_move(const char *name, pid_t pid)
{
	char path[256], buf[32];

	if (name && name[0])
		snprintf(path, sizeof(path), SCX_TEST_CGROUP "/%s/cgroup.procs",
			 name);
	else
		snprintf(path, sizeof(path), "/sys/fs/cgroup/cgroup.procs");
	snprintf(buf, sizeof(buf), "%d", pid);
	return scx_util_write_file(path, buf);
}

/* Move every task of cgroup directory @dir to the root cgroup. */
static void cgroup_evacuate(const char *dir)
{
	char path[512], line[32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		scx_util_write_file("/sys/fs/cgroup/cgroup.procs", line);
	}
	fclose(f);
}

/* Depth first: a cgroup can only be removed once its children are gone. */
static void cgroup_remove_tree(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		cgroup_remove_tree(path);
	}
	closedir(d);
	cgroup_evacuate(dir);
	/* Evacuated tasks can take a moment to leave a dying cgroup. */
	SCX_WAIT_FOR(!rmdir(dir) || errno == ENOENT, 1000);
}

int scx_util_cgroup_remove(const char *name)
{
	char path[256];

	scx_util_cgroup_path(path, sizeof(path), name);
	cgroup_remove_tree(path);
	return access(path, F_OK) ? 0 : -EBUSY;
}

void scx_util_cgroup_cleanup(void)
{
	cgroup_remove_tree(SCX_TEST_CGROUP);
}

bool scx_util_has_smt(void)
{
	char buf[16];

	if (scx_util_read_file("/sys/devices/system/cpu/smt/active", buf,
			       sizeof(buf)))
		return false;
	return buf[0] == '1';
}

#ifndef PR_SCHED_CORE
#define PR_SCHED_CORE			62
#endif
#define PR_SCHED_CORE_GET		0
#define PR_SCHED_CORE_CREATE		1
#define PR_SCHED_CORE_SHARE_TO		2
#define PR_SCHED_CORE_SHARE_FROM	3
#define SCX_PIDTYPE_PID			0

/* Give @pid a cookie of its own (@leader 0), or share @leader's with it. */
static int core_cookie(pid_t pid, pid_t leader)
{
	if (!leader)
		return prctl(PR_SCHED_CORE, PR_SCHED_CORE_CREATE, pid,
			     SCX_PIDTYPE_PID, 0);
	/* There is no "share from A to B": pull the cookie here, push it on. */
	if (prctl(PR_SCHED_CORE, PR_SCHED_CORE_SHARE_FROM, leader,
		  SCX_PIDTYPE_PID, 0))
		return -1;
	return prctl(PR_SCHED_CORE, PR_SCHED_CORE_SHARE_TO, pid,
		     SCX_PIDTYPE_PID, 0);
}

int scx_util_two_cookies(const pid_t *pids, int n)
{
	unsigned long long cookie;
	int i;

	/*
	 * Ask for our own cookie first: that fails with EINVAL only without
	 * CONFIG_SCHED_CORE, and with ENODEV only without SMT.  After that,
	 * an error is in our calls, and is not a reason to skip.
	 */
	if (prctl(PR_SCHED_CORE, PR_SCHED_CORE_GET, 0, SCX_PIDTYPE_PID,
		  (unsigned long)&cookie)) {
		if (errno != EINVAL && errno != ENODEV)
			return -errno;
		fprintf(stderr, "# no core scheduling: %s\n", strerror(errno));
		return -ENODEV;
	}
	for (i = 0; i < n; i++)
		if (core_cookie(pids[i], i < 2 ? 0 : pids[i % 2]))
			return -errno;
	return 0;
}

int scx_util_busy_naps(void *arg)
{
	for (;;) {
		scx_util_busy_ms(2);
		usleep(500);
	}
	return 0;
}

/* thread_siblings_list reads like "2-3" or "0,4". */
int scx_util_smt_mask(int cpu, uint64_t *mask)
{
	char path[96], buf[64], *s;
	long lo, hi;
	int ret;

	snprintf(path, sizeof(path),
		 "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list",
		 cpu);
	ret = scx_util_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	*mask = 0;
	for (s = buf; *s && *s != '\n'; s++) {
		lo = strtol(s, &s, 10);
		hi = *s == '-' ? strtol(s + 1, &s, 10) : lo;
		if (lo < 0 || hi >= 64 || lo > hi)
			return -ERANGE;
		for (; lo <= hi; lo++)
			*mask |= 1ULL << lo;
		if (*s != ',')
			break;
	}
	return 0;
}

int scx_util_run_prog(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int ret;

	ret = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	return ret ? ret : (int)opts.retval;
}
