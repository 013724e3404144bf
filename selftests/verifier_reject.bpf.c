// SPDX-License-Identifier: GPL-2.0
/*
 * What the verifier refuses before a scheduler can ever run.  Each
 * struct_ops map below is a scheduler with one mistake; the test loads one
 * map (and its programs) at a time and expects the load to fail with the
 * verifier's reason.  good_ops is the control: the same shape, no mistake.
 *
 * - leak_ops takes the idle cpumask and never puts it back: every
 *   scx_bpf_get_*_cpumask() must be paired with a put.
 * - hold_ops does the same with the online cpumask, which goes back with
 *   scx_bpf_put_cpumask() instead.
 * - stray_ops starts a walk of a DSQ and never ends it: the iterator holds
 *   a cursor in the DSQ's list until bpf_iter_scx_dsq_destroy() unlinks it
 *   (bpf_for_each() calls it on the way out of the loop, a break too).
 * - sleep_ops creates a DSQ from ops.enqueue(); scx_bpf_create_dsq() may
 *   sleep, so only sleepable operations (ops.init) can call it.  7.3's
 *   verifier refuses this one earlier, for the operation: ops.enqueue() may
 *   not call scx_bpf_create_dsq() at all.
 * - nap_ops creates it from a non-sleepable ops.init_task(), an operation
 *   that may call it when its program is sleepable, so that every kernel
 *   refuses it for sleeping.
 * - ctx_ops inserts a task from a BPF_PROG_TYPE_SYSCALL program: the kfuncs
 *   that queue tasks are registered for struct_ops programs only.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

s32 idle_seen, online_seen, walked;

void BPF_STRUCT_OPS(good_enqueue, struct task_struct *p, u64 enq_flags)
{
	const struct cpumask *idle = scx_bpf_get_idle_cpumask();
	const struct cpumask *online = scx_bpf_get_online_cpumask();

	idle_seen = bpf_cpumask_weight(idle);
	online_seen = bpf_cpumask_weight(online);
	scx_bpf_put_idle_cpumask(idle);
	scx_bpf_put_cpumask(online);
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(leak_enqueue, struct task_struct *p, u64 enq_flags)
{
	const struct cpumask *idle = scx_bpf_get_idle_cpumask();

	idle_seen = bpf_cpumask_weight(idle);
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

/* A walk left by a break, ended by bpf_for_each()'s destroy. */
void BPF_STRUCT_OPS(good_dispatch, s32 cpu, struct task_struct *prev)
{
	struct task_struct *p;

	bpf_for_each(scx_dsq, p, SCX_DSQ_GLOBAL, 0) {
		walked++;
		break;
	}
}

void BPF_STRUCT_OPS(stray_dispatch, s32 cpu, struct task_struct *prev)
{
	struct bpf_iter_scx_dsq it;

	bpf_iter_scx_dsq_new(&it, SCX_DSQ_GLOBAL, 0);
	if (bpf_iter_scx_dsq_next(&it))
		walked++;
}

void BPF_STRUCT_OPS(hold_enqueue, struct task_struct *p, u64 enq_flags)
{
	const struct cpumask *online = scx_bpf_get_online_cpumask();

	online_seen = bpf_cpumask_weight(online);
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(sleep_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_create_dsq(7, -1);
	scx_bpf_dsq_insert(p, 7, SCX_SLICE_DFL, enq_flags);
}

s32 BPF_STRUCT_OPS(nap_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	return scx_bpf_create_dsq(7, -1);
}

SEC("syscall")
int ctx_insert(void *ctx)
{
	struct task_struct *p = bpf_get_current_task_btf();

	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, 0);
	return 0;
}

void BPF_STRUCT_OPS(verifier_reject_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(good_ops,
	       .enqueue		= (void *)good_enqueue,
	       .dispatch	= (void *)good_dispatch,
	       .exit		= (void *)verifier_reject_exit,
	       .name		= "verifier_good");

SCX_OPS_DEFINE(leak_ops,
	       .enqueue		= (void *)leak_enqueue,
	       .exit		= (void *)verifier_reject_exit,
	       .name		= "verifier_leak");

SCX_OPS_DEFINE(hold_ops,
	       .enqueue		= (void *)hold_enqueue,
	       .exit		= (void *)verifier_reject_exit,
	       .name		= "verifier_hold");

SCX_OPS_DEFINE(stray_ops,
	       .dispatch	= (void *)stray_dispatch,
	       .exit		= (void *)verifier_reject_exit,
	       .name		= "verifier_stray");

SCX_OPS_DEFINE(sleep_ops,
	       .enqueue		= (void *)sleep_enqueue,
	       .exit		= (void *)verifier_reject_exit,
	       .name		= "verifier_sleep");

SCX_OPS_DEFINE(nap_ops,
	       .init_task	= (void *)nap_init_task,
	       .exit		= (void *)verifier_reject_exit,
	       .name		= "verifier_nap");
