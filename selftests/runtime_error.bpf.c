// SPDX-License-Identifier: GPL-2.0
/*
 * Mistakes the verifier cannot see, which the kernel catches at run time and
 * answers by unloading the scheduler with SCX_EXIT_ERROR and a message:
 * inserting into a DSQ that does not exist, inserting the same task twice
 * from ops.enqueue(), vtime ordering on a built-in DSQ, calling a kfunc from
 * an operation that may not call it, and ops.init() or ops.init_task()
 * failing.  Which mistake this object makes is chosen by @mode, and all but
 * the init ones are made only for one task, the test's child, when it wakes.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

enum {
	MODE_BAD_DSQ = 1,
	MODE_DOUBLE_INSERT,
	MODE_VTIME_BUILTIN,
	MODE_KFUNC_CONTEXT,
	MODE_INIT_FAIL,
	MODE_INIT_TASK_FAIL,
};

#define NO_SUCH_DSQ	0x1234

const volatile u32 mode;

s32 target;
u64 nr_mistakes;
u32 slots_in_enqueue = ~0U;

s32 BPF_STRUCT_OPS(runtime_error_select_cpu, struct task_struct *p,
		   s32 prev_cpu, u64 wake_flags)
{
	/* Leave the insert to ops.enqueue(), where the mistakes are. */
	return prev_cpu;
}

void BPF_STRUCT_OPS(runtime_error_enqueue, struct task_struct *p,
		    u64 enq_flags)
{
	if (!target || p->tgid != target) {
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	__sync_fetch_and_add(&nr_mistakes, 1);
	switch (mode) {
	case MODE_BAD_DSQ:
		scx_bpf_dsq_insert(p, NO_SUCH_DSQ, SCX_SLICE_DFL, enq_flags);
		break;
	case MODE_DOUBLE_INSERT:
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		break;
	case MODE_VTIME_BUILTIN:
		scx_bpf_dsq_insert_vtime(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, 1,
					 enq_flags);
		break;
	case MODE_KFUNC_CONTEXT:
		/* Dispatch slots exist only in ops.dispatch(). */
		slots_in_enqueue = scx_bpf_dispatch_nr_slots();
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		break;
	default:
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		break;
	}
}

s32 BPF_STRUCT_OPS_SLEEPABLE(runtime_error_init)
{
	return mode == MODE_INIT_FAIL ? -EINVAL : 0;
}

s32 BPF_STRUCT_OPS(runtime_error_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	if (mode == MODE_INIT_TASK_FAIL && target && p->tgid == target) {
		__sync_fetch_and_add(&nr_mistakes, 1);
		return -ENOMEM;
	}
	return 0;
}

void BPF_STRUCT_OPS(runtime_error_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(runtime_error_ops,
	       .select_cpu	= (void *)runtime_error_select_cpu,
	       .enqueue		= (void *)runtime_error_enqueue,
	       .init		= (void *)runtime_error_init,
	       .init_task	= (void *)runtime_error_init_task,
	       .exit		= (void *)runtime_error_exit,
	       .name		= "runtime_error_test");
