// SPDX-License-Identifier: GPL-2.0
/*
 * The rescue knobs and the cid shard size of a root scheduler (7.3), read
 * back from what the kernel does with them.
 *
 * 1. Out-of-range knobs are refused when the scheduler registers: the
 *    attach fails with E2BIG for rescue_bandwidth_ppt 251 and U32_MAX - 1
 *    and rescue_quantum_us 100001, with EINVAL for rescue_quantum_us 999.
 *    The ends of the ranges are taken: 1 and 250 per mille, SCX_RESCUE_DISABLE,
 *    and quanta of 1000 and 100000 us (cases A to E below).
 *
 * 2. Enabling the root latches the knobs in scx_rescue_set_knobs(), which
 *    warns on the kernel log, in numbers computed from both knobs and
 *    timeout_ms, when the funding period exceeds half of the overload
 *    threshold, or when the watchdog timeout is not above that threshold:
 *      "sched_ext: rescue_knobs: rescue funding period Pms > overload threshold Tms / 2"
 *      "sched_ext: rescue_knobs: watchdog timeout Wms <= rescue overload threshold Tms"
 *    The formula, with 0 meaning the defaults (20 per mille, 5000 us):
 *      bw_1024    = bw_ppt * 1024 / 1000                (integer division)
 *      quantum_ns = max(quantum_us * 1000, TICK_NSEC)   (a tick at least)
 *      period_ns  = (quantum_ns << 10) / bw_1024        (time to fund a quantum)
 *      T          = clamp(nsecs_to_jiffies(16 * period_ns),
 *                         msecs_to_jiffies(1000), msecs_to_jiffies(15000))
 *      P line     if nsecs_to_jiffies(period_ns) > T / 2, P = period_ns / 10^6
 *      W line     if msecs_to_jiffies(timeout_ms) <= T  (timeout_ms 0: 30 s)
 *    and T is printed as jiffies_to_msecs(T).  The test kernel has HZ=250
 *    (CONFIG_HZ_250, x86's default: kernel.config does not set it), so a
 *    jiffy is 4 ms, TICK_NSEC 4000000, nsecs_to_jiffies(n) = n / 4000000,
 *    msecs_to_jiffies(m) = ceil(m / 4), jiffies_to_msecs(j) = 4 * j, and T
 *    is between 250 and 3750 jiffies:
 *    A: 250 per mille, 100000 us, timeout 5000 ms (and cid_shard_size 1,
 *       for part 3).
 *       bw_1024 = 250 * 1024 / 1000 = 256, quantum 100000000 ns,
 *       period = 100000000 * 1024 / 256 = 400000000 ns (100 jiffies),
 *       16 * period = 6400000000 ns = 1600 jiffies: T = 1600 = 6400 ms.
 *       100 <= 800: no P line.  ceil(5000 / 4) = 1250 <= 1600:
 *       "watchdog timeout 5000ms <= rescue overload threshold 6400ms"
 *    B: 1 per mille, 8000 us, timeout 12000 ms.
 *       bw_1024 = 1024 / 1000 = 1 (not 1.024: the period is 8192 ms, not
 *       8000), period = 8000000 * 1024 / 1 = 8192000000 ns (2048 jiffies),
 *       16 * period = 32768 jiffies: T = 3750 (the 15 s ceiling) = 15000 ms.
 *       2048 > 3750 / 2 = 1875:
 *       "rescue funding period 8192ms > overload threshold 15000ms / 2"
 *       ceil(12000 / 4) = 3000 <= 3750:
 *       "watchdog timeout 12000ms <= rescue overload threshold 15000ms"
 *    C: 63 per mille, 1000 us, timeout 1000 ms.
 *       bw_1024 = 64512 / 1000 = 64, quantum 1000000 ns lifted to the tick,
 *       4000000 ns, period = 4000000 * 1024 / 64 = 64000000 ns (16
 *       jiffies), 16 * period = 1024000000 ns = 256 jiffies, above the
 *       floor of 250: T = 256 = 1024 ms (unlifted it would be the floor,
 *       1000 ms).  16 <= 128: no P line.  250 <= 256:
 *       "watchdog timeout 1000ms <= rescue overload threshold 1024ms"
 *    D: the defaults (0, 0), timeout 5000 ms, as A (cid_shard_size 0).
 *       bw_1024 = 20, quantum 5000000 ns, period = 256000000 ns (64
 *       jiffies), T = 1024 jiffies = 4096 ms; 1250 > 1024: no line at all.
 *       The timeout A warned about passes: A's threshold came from A's knobs.
 *    E: SCX_RESCUE_DISABLE, 100000 us, timeout 1000 ms.
 *       Rescue is off (bw_1024 = 0): no line, although 250 jiffies would be
 *       <= any T rescue can have.
 *    The test reads HZ from the kernel (SCX_WATCHDOG_MAX_TIMEOUT is 30 * HZ
 *    in the BTF) and works the lines out with the same arithmetic, which
 *    holds for any HZ that divides 1000; the ones above are HZ=250's.  It
 *    reads /dev/kmsg from its end as it was just before each attach, so
 *    only lines of that enable count (NAME is the scheduler's, the same in
 *    every case: the skeleton cannot set a char array), and the "enabled"
 *    line must be there too, so that a missing warning is not a log we
 *    failed to read.
 *
 * 3. cid_shard_size: ops.init() copies out the cid topology (see the BPF
 *    side).  With the default of 24, a machine with at most 24 CPUs per LLC
 *    and more than one core in one (the test VM: 4 CPUs, 2 cores, one LLC)
 *    puts several cores in one shard.  With cid_shard_size 1 no shard may
 *    hold more than one core, as a core is never split: every cid's shard
 *    starts at its core's first cid.  Where the default already gives one
 *    core per shard, the test cannot tell and proves nothing of it.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <scx/common.h>
#include "scx_test.h"
#include "util.h"

#define LOG_LEN		(64 << 10)
#define MAX_CIDS	64	/* as in rescue_knobs.bpf.c */
#define NAME		"rescue_knobs"	/* ops.name, in the kernel's lines */

/* As in rescue_knobs.bpf.c; the skeleton refers to it by name. */
struct scx_cid_topo___rk {
	int core_cid;
	int core_idx;
	int llc_cid;
	int llc_idx;
	int node_cid;
	int node_idx;
	int shard_cid;
	int shard_idx;
};

#include "rescue_knobs.bpf.skel.h"

struct ctx {
	struct rescue_knobs *skel;	/* of the case being run */
	int kmsg;
	unsigned int hz;
	uint32_t disable;		/* SCX_RESCUE_DISABLE */
	char *log;
};

struct rk_case {
	const char *name;		/* of the case, for the output */
	uint32_t bw_ppt, quantum_us, timeout_ms, shard_size;
};

static void kmsg_read(int fd, char *buf, size_t len)
{
	if (scx_util_kmsg_read(fd, buf, len))
		SCX_FAIL("more kernel log than %zu bytes", len);
}

/* Is @line a whole line of @log? */
static bool has_line(const char *log, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = log; (p = strstr(p, line)); p += n)
		if ((p == log || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/* Count the lines of @log that contain @s. */
static int nr_lines_with(const char *log, const char *s)
{
	const char *p, *eol;
	int n = 0;

	for (p = log; *p; p = eol + 1) {
		eol = strchrnul(p, '\n');
		if (memmem(p, eol - p, s, strlen(s)))
			n++;
		if (!*eol)
			break;
	}
	return n;
}

/* Print the lines of @log that contain @s, indented. */
static void print_lines_with(const char *log, const char *s)
{
	const char *p, *eol;

	for (p = log; *p; p = eol + 1) {
		eol = strchrnul(p, '\n');
		if (memmem(p, eol - p, s, strlen(s)))
			printf("  %.*s\n", (int)(eol - p), p);
		if (!*eol)
			break;
	}
}

/*
 * The lines scx_rescue_set_knobs() prints for case @k, worked out as the
 * kernel does for an @hz that divides 1000 (see the top of the file); ""
 * where it prints none.
 */
static void expect_lines(const struct rk_case *k, unsigned int hz,
			 uint32_t disable, char *p_line, char *w_line,
			 size_t len)
{
	long long ns_per_j = 1000000000LL / hz, ms_per_j = 1000 / hz;
	long long tick_ns = (1000000000LL + hz / 2) / hz;
	long long bw = k->bw_ppt ?: 20, q_us = k->quantum_us ?: 5000;
	long long bw_1024, quantum_ns, period_ns, t, lo, hi, wd;

	p_line[0] = w_line[0] = '\0';
	if (k->bw_ppt == disable)
		return;
	bw_1024 = bw * 1024 / 1000;
	quantum_ns = q_us * 1000 > tick_ns ? q_us * 1000 : tick_ns;
	period_ns = (quantum_ns << 10) / bw_1024;
	lo = (1000 + ms_per_j - 1) / ms_per_j;
	hi = (15000 + ms_per_j - 1) / ms_per_j;
	t = 16 * period_ns / ns_per_j;
	t = t < lo ? lo : t > hi ? hi : t;
	if (period_ns / ns_per_j > t / 2)
		snprintf(p_line, len,
			 "sched_ext: " NAME ": rescue funding period %lldms > overload threshold %lldms / 2",
			 period_ns / 1000000, t * ms_per_j);
	wd = k->timeout_ms ? (k->timeout_ms + ms_per_j - 1) / ms_per_j : 30LL * hz;
	if (wd <= t)
		snprintf(w_line, len,
			 "sched_ext: " NAME ": watchdog timeout %lldms <= rescue overload threshold %lldms",
			 wd * ms_per_j, t * ms_per_j);
}

/* Open and load the scheduler with @k's fields; it is c->skel. */
static void rk_load(struct ctx *c, const struct rk_case *k)
{
	struct rescue_knobs *skel = rescue_knobs__open();

	if (!skel)
		SCX_FAIL("cannot open the BPF object");
	c->skel = skel;
	skel->struct_ops.rescue_knobs_ops->rescue_bandwidth_ppt = k->bw_ppt;
	skel->struct_ops.rescue_knobs_ops->rescue_quantum_us = k->quantum_us;
	skel->struct_ops.rescue_knobs_ops->timeout_ms = k->timeout_ms;
	skel->struct_ops.rescue_knobs_ops->cid_shard_size = k->shard_size;
	skel->rodata->nr_cids = libbpf_num_possible_cpus() < MAX_CIDS ?
				libbpf_num_possible_cpus() : MAX_CIDS;
	if (SCX_UTIL_LOAD(skel, rescue_knobs, rescue_knobs_ops, uei))
		SCX_FAIL("cannot load the BPF object");
}

static void rk_unload(struct ctx *c)
{
	rescue_knobs__destroy(c->skel);
	c->skel = NULL;
}

/* Attach with @k's fields, which must be refused with @err. */
static void check_refused(struct ctx *c, const struct rk_case *k, int err,
		    const char *item)
{
	struct bpf_link *link;
	int ret;

	rk_load(c, k);
	lseek(c->kmsg, 0, SEEK_END);
	link = scx_util_attach(c->skel->maps.rescue_knobs_ops);
	if (link) {
		scx_util_detach(link);
		SCX_FAIL("%s: bw %u quantum %u taken", k->name, k->bw_ppt,
			 k->quantum_us);
	}
	ret = errno;
	printf("%s: bw_ppt %u quantum_us %u refused: %s\n", k->name,
	       k->bw_ppt, k->quantum_us, strerror(ret));
	SCX_PROVE_EQ(item, ret, err);
	SCX_ASSERT(!scx_util_enabled());
	/* Refused before anything was enabled, and without a word. */
	kmsg_read(c->kmsg, c->log, LOG_LEN);
	SCX_EQ(nr_lines_with(c->log, "sched_ext: " NAME ": "), 0);
	SCX_EQ(nr_lines_with(c->log, "\"" NAME "\" enabled"), 0);
	rk_unload(c);
}

/*
 * Enable the scheduler with @k's fields, and check the kernel logged
 * exactly the rescue lines the formula gives; @topo_out, if not NULL, gets
 * the .bss, where ops.init() left its copy of the cid topology.
 */
static void check_taken(struct ctx *c, const struct rk_case *k,
			struct rescue_knobs__bss *topo_out)
{
	char p_line[160], w_line[160];
	struct bpf_link *link;
	int nr_expected;

	rk_load(c, k);
	lseek(c->kmsg, 0, SEEK_END);
	link = scx_util_attach(c->skel->maps.rescue_knobs_ops);
	if (!link)
		SCX_FAIL("%s: attach: %s", k->name, strerror(errno));
	/* The lines are printed before the attach returns. */
	kmsg_read(c->kmsg, c->log, LOG_LEN);
	if (topo_out)
		*topo_out = *c->skel->bss;
	scx_util_detach(link);
	SCX_EQ(c->skel->data->uei.kind, SCX_EXIT_UNREG);

	printf("%s: bw_ppt %u quantum_us %u timeout_ms %u; the kernel said:\n",
	       k->name, k->bw_ppt, k->quantum_us, k->timeout_ms);
	print_lines_with(c->log, "sched_ext: ");
	SCX_ASSERT(has_line(c->log, "sched_ext: BPF scheduler \"" NAME "\" enabled"));
	rk_unload(c);
	if (!c->hz)
		return;

	expect_lines(k, c->hz, c->disable, p_line, w_line, sizeof(p_line));
	nr_expected = !!p_line[0] + !!w_line[0];
	if (p_line[0])
		SCX_PROVE_MSG("field:rescue_bandwidth_ppt field:rescue_quantum_us",
			      has_line(c->log, p_line), "no line '%s'", p_line);
	if (w_line[0])
		SCX_PROVE_MSG("field:rescue_bandwidth_ppt field:rescue_quantum_us",
			      has_line(c->log, w_line), "no line '%s'", w_line);
	/* Nothing else from scx_rescue_set_knobs(). */
	SCX_EQ(nr_lines_with(c->log, "sched_ext: " NAME ": "), nr_expected);
}

static enum scx_test_status setup(void **ctxp)
{
	unsigned int hz;
	struct ctx *c;
	u64 disable, v;

	if (!__COMPAT_struct_has_field("sched_ext_ops", "rescue_bandwidth_ppt") ||
	    !__COMPAT_struct_has_field("sched_ext_ops", "cid_shard_size") ||
	    !__COMPAT_has_ksym("scx_bpf_cid_topo")) {
		fprintf(stderr, "# no rescue knobs or cids in this kernel (7.3 has them)\n");
		return SCX_TEST_SKIP_KERNEL;
	}
	if (!__COMPAT_read_enum("scx_consts", "SCX_RESCUE_DISABLE", &disable))
		SCX_FAIL("no SCX_RESCUE_DISABLE in the kernel's BTF");
	/* SCX_WATCHDOG_MAX_TIMEOUT = 30 * HZ */
	if (!__COMPAT_read_enum("scx_consts", "SCX_WATCHDOG_MAX_TIMEOUT", &v) ||
	    !v || v % 30)
		SCX_FAIL("no SCX_WATCHDOG_MAX_TIMEOUT (30 * HZ) in the kernel's BTF");
	hz = v / 30;
	printf("HZ=%u, SCX_RESCUE_DISABLE=%llu\n", hz, (unsigned long long)disable);
	if (1000 % hz) {
		printf("HZ does not divide 1000: the log's numbers are not checked\n");
		hz = 0;
	}

	c = calloc(1, sizeof(*c));
	if (!c)
		return SCX_TEST_FAIL;
	c->hz = hz;
	c->disable = disable;
	c->kmsg = scx_util_kmsg_open();
	c->log = malloc(LOG_LEN);
	if (c->kmsg < 0 || !c->log) {
		fprintf(stderr, "# cannot read /dev/kmsg: %s\n",
			strerror(c->kmsg < 0 ? -c->kmsg : errno));
		if (c->kmsg >= 0)
			close(c->kmsg);
		free(c->log);
		free(c);
		return SCX_TEST_SKIP;
	}
	*ctxp = c;
	return SCX_TEST_PASS;
}

static enum scx_test_status run(void *arg)
{
	struct ctx *c = arg;
	/* name, bw_ppt, quantum_us, timeout_ms, cid_shard_size */
	const struct rk_case ka = { "rk_a", 250, 100000, 5000, 1 };
	const struct rk_case kb = { "rk_b", 1, 8000, 12000, 0 };
	const struct rk_case kc = { "rk_c", 63, 1000, 1000, 0 };
	const struct rk_case kd = { "rk_d", 0, 0, 5000, 0 };
	const struct rk_case ke = { "rk_e", c->disable, 100000, 1000, 0 };
	struct rescue_knobs__bss dfl, one;
	bool several = false;
	u32 i;

	/* 1. Out of range: refused at registration. */
	check_refused(c, &(struct rk_case){ "rk_bw251", 251, 0, 0, 0 },
		      E2BIG, "field:rescue_bandwidth_ppt");
	check_refused(c, &(struct rk_case){ "rk_bwmax1", c->disable - 1, 0, 0, 0 },
		      E2BIG, "field:rescue_bandwidth_ppt");
	check_refused(c, &(struct rk_case){ "rk_q100001", 0, 100001, 0, 0 },
		      E2BIG, "field:rescue_quantum_us");
	check_refused(c, &(struct rk_case){ "rk_q999", 0, 999, 0, 0 },
		      EINVAL, "field:rescue_quantum_us");

	/* 2. In range: the numbers the kernel logs. */
	check_taken(c, &ka, &one);
	check_taken(c, &kb, NULL);
	check_taken(c, &kc, NULL);
	check_taken(c, &kd, &dfl);
	check_taken(c, &ke, NULL);

	/* 3. cid_shard_size: 1 in case A, the default in case D. */
	SCX_ASSERT(dfl.nr_topo > 0 && dfl.nr_topo == one.nr_topo);
	/* The tables were there for ops.init(): cid 0 starts every level. */
	SCX_EQ(dfl.topo[0].core_cid, 0);
	SCX_EQ(dfl.topo[0].shard_cid, 0);
	printf("cid: core_cid shard_cid (default) shard_cid (cid_shard_size 1)\n");
	for (i = 0; i < dfl.nr_topo; i++) {
		printf("%3u: %3d %3d %3d\n", i, dfl.topo[i].core_cid,
		       dfl.topo[i].shard_cid, one.topo[i].shard_cid);
		/* Both enables built the same cores. */
		SCX_EQ(dfl.topo[i].core_cid, one.topo[i].core_cid);
		if (dfl.topo[i].core_cid >= 0 &&
		    dfl.topo[i].shard_cid != dfl.topo[i].core_cid)
			several = true;
	}
	if (!several) {
		printf("every core has a shard of its own by default here: cid_shard_size cannot show\n");
		return SCX_TEST_PASS;
	}
	for (i = 0; i < one.nr_topo; i++)
		if (one.topo[i].core_cid >= 0)
			SCX_PROVE_EQ("field:cid_shard_size", one.topo[i].shard_cid,
				     one.topo[i].core_cid);
	return SCX_TEST_PASS;
}

static void cleanup(void *arg)
{
	struct ctx *c = arg;

	rescue_knobs__destroy(c->skel);
	close(c->kmsg);
	free(c->log);
	free(c);
}

static struct scx_test rescue_knobs_test = {
	.name		= "rescue_knobs",
	.description	= "rescue knobs refused out of range and read into the kernel's rescue thresholds; cid_shard_size cuts the cid shards",
	.covers		= "field:rescue_bandwidth_ppt field:rescue_quantum_us field:cid_shard_size",
	.timeout	= 60,
	.setup		= setup,
	.run		= run,
	.cleanup	= cleanup,
};
REGISTER_SCX_TEST(&rescue_knobs_test)
