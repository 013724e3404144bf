// SPDX-License-Identifier: GPL-2.0
/*
 * Three data fields of 7.3's struct sched_ext_ops that no callback reads:
 * rescue_bandwidth_ppt, rescue_quantum_us and cid_shard_size.
 *
 * Rescue execution belongs to sub-schedulers: a task that a sub-scheduler
 * may not run where it is queued goes to that CPU's rescue DSQ, whose use
 * is metered by a token bucket funded at rescue_bandwidth_ppt of the CPU's
 * time, one rescue_quantum_us at a time.  Only the root scheduler's values
 * count.  A root scheduler alone never rescues, so the bucket of every CPU
 * stays empty (the debug dump's "rescue=0 budget=0us rescuing=none[-1]");
 * what shows that the kernel took the two fields is elsewhere:
 * - the struct_ops registration checks them (bpf_scx_init_member()):
 *   rescue_bandwidth_ppt above 250 is refused with E2BIG unless it is
 *   SCX_RESCUE_DISABLE (U32_MAX); rescue_quantum_us above 100000 with
 *   E2BIG, and from 1 to 999 with EINVAL.  Nothing is logged.
 * - enabling the root latches them (scx_rescue_set_knobs()) into an
 *   overload threshold, and the kernel warns on its log, with numbers
 *   computed from both fields, when the funding period is more than half
 *   that threshold, or when the scheduler's watchdog (timeout_ms) would
 *   fire first.  rescue_knobs.c works those numbers out by hand.
 *
 * cid_shard_size: every root, cpu-form like this one too, gets a cid
 * mapping when it is enabled, whose CPUs are cut into shards of about
 * cid_shard_size cids, never splitting a core (0 means 24).  The cid
 * kfuncs work from a cpu-form scheduler as well, and the tables are
 * published before ops.init(), so ops.init() copies out the topology of
 * every cid with scx_bpf_cid_topo() for user space to compare.
 *
 * 6.12 has none of this.  So that this builds against 6.12's vmlinux.h,
 * the ops struct and struct scx_cid_topo are declared here with a ___rk
 * suffix (libbpf matches the ops struct to the kernel's by name, member by
 * member), the kfunc is weak, and user space skips before loading there.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

/* The members of 7.3's struct sched_ext_ops this scheduler sets. */
struct sched_ext_ops___rk {
	s32 (*init)(void);
	void (*exit)(struct scx_exit_info *ei);
	u32 timeout_ms;
	u32 exit_dump_len;
	u32 cid_shard_size;
	u32 rescue_bandwidth_ppt;
	u32 rescue_quantum_us;
	char name[128];
};

/* 7.3's struct scx_cid_topo; the kernel copies min(its size, ours). */
struct scx_cid_topo___rk {
	s32 core_cid;
	s32 core_idx;
	s32 llc_cid;
	s32 llc_idx;
	s32 node_cid;
	s32 node_idx;
	s32 shard_cid;
	s32 shard_idx;
};

void scx_bpf_cid_topo(s32 cid, struct scx_cid_topo___rk *out,
		      size_t out__sz) __ksym __weak;

#define MAX_CIDS	64

/* Set by user space: how many cids to copy out (0: none). */
const volatile u32 nr_cids;

struct scx_cid_topo___rk topo[MAX_CIDS];
u32 nr_topo;

s32 BPF_STRUCT_OPS_SLEEPABLE(rk_init)
{
	u32 i;

	if (!bpf_ksym_exists(scx_bpf_cid_topo))
		return 0;
	bpf_for(i, 0, nr_cids) {
		if (i >= MAX_CIDS)
			break;
		scx_bpf_cid_topo(i, &topo[i], sizeof(topo[i]));
		nr_topo = i + 1;
	}
	return 0;
}

void BPF_STRUCT_OPS(rk_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

/*
 * What SCX_OPS_DEFINE() would make, with the type above.  No enqueue or
 * dispatch: the kernel's default, one global FIFO, schedules.  User space
 * sets the data fields before every load.
 */
SEC(".struct_ops.link")
struct sched_ext_ops___rk rescue_knobs_ops = {
	.init			= (void *)rk_init,
	.exit			= (void *)rk_exit,
	.name			= "rescue_knobs",
};
