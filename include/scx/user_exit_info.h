/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a BPF scheduler tells its loader why it was disabled.
 *
 * ops.exit() receives a struct scx_exit_info that lives in kernel memory and
 * is freed right after the callback returns.  UEI_RECORD() copies what the
 * loader needs into a global of the BPF program; the loader polls that global
 * with UEI_EXITED() and prints it with UEI_REPORT().  The dump buffer sits in
 * a section of its own so that user space can size it from exit_dump_len
 * before the program is loaded.
 *
 * This header is included from both sides: BPF code sees the recording
 * macros, user space the reporting ones.
 */
#ifndef __SCX_USER_EXIT_INFO_H
#define __SCX_USER_EXIT_INFO_H

enum uei_sizes {
	UEI_REASON_LEN		= 128,
	UEI_MSG_LEN		= 1024,
	UEI_DUMP_DFL_LEN	= 32 << 10,
};

struct user_exit_info {
	int		kind;
	long long	exit_code;
	/* The kernel's strings, cut to fit. */
	char		reason[UEI_REASON_LEN], msg[UEI_MSG_LEN];
};

/*
 * Layout of the 64-bit exit code (see enum scx_exit_code in the kernel):
 * bits 63-48 are system actions, 47-32 system reasons, 31-0 are the
 * scheduler's own.
 */
#define UEI_ECODE_USER_MASK	((1LLU << 32) - 1)
#define UEI_ECODE_SYS_RSN_MASK	(((1LLU << 16) - 1) << 32)
#define UEI_ECODE_SYS_ACT_MASK	(((1LLU << 16) - 1) << 48)

#define UEI_ECODE_USER(__code)		((__code) & UEI_ECODE_USER_MASK)
#define UEI_ECODE_SYS_RSN(__code)	((__code) & UEI_ECODE_SYS_RSN_MASK)
#define UEI_ECODE_SYS_ACT(__code)	((__code) & UEI_ECODE_SYS_ACT_MASK)

/* The kernel asked us to load again, e.g. after a CPU hotplug event. */
#define UEI_ECODE_RESTART(__code)	\
	(UEI_ECODE_SYS_ACT(__code) == SCX_ECODE_ACT_RESTART)

#ifdef __bpf__

#define UEI_DEFINE(__uei_name)							\
	char RESIZABLE_ARRAY(data, __uei_name##_dump);				\
	const volatile u32 __uei_name##_dump_len;				\
	struct user_exit_info __uei_name SEC(".data")

/*
 * The kind is written last, with a full barrier, because user space treats a
 * non-zero kind as "everything else is filled in".
 */
#define UEI_RECORD(__uei_name, __ei)						\
({										\
	bpf_probe_read_kernel_str(__uei_name.reason, UEI_REASON_LEN,		\
				  (__ei)->reason);				\
	bpf_probe_read_kernel_str(__uei_name.msg, UEI_MSG_LEN, (__ei)->msg);	\
	bpf_probe_read_kernel_str(__uei_name##_dump, __uei_name##_dump_len,	\
				  (__ei)->dump);				\
	/* 6.12 has it; a kernel that had not would leave it 0. */		\
	__uei_name.exit_code = bpf_core_field_exists((__ei)->exit_code) ?	\
			       (__ei)->exit_code : 0;				\
	__sync_lock_test_and_set(&__uei_name.kind, (__ei)->kind);		\
})

#else	/* !__bpf__ */

#include <stdio.h>
#include <stdbool.h>

/* Size the dump buffer from ops.exit_dump_len; call between open and load. */
#define UEI_SET_SIZE(__skel, __ops_name, __uei_name)				\
({										\
	unsigned int __size = (__skel)->struct_ops.__ops_name->exit_dump_len;	\
										\
	__size = __size ?: UEI_DUMP_DFL_LEN;					\
	(__skel)->rodata->__uei_name##_dump_len = __size;			\
	RESIZE_ARRAY(__skel, data, __uei_name##_dump, __size);			\
})

#define UEI_EXITED(__skel, __uei_name)						\
	(__atomic_load_n(&(__skel)->data->__uei_name.kind, __ATOMIC_ACQUIRE) != 0)

/* Did the scheduler die of an error (as opposed to being unregistered)? */
#define UEI_FAILED(__skel, __uei_name)						\
	((__skel)->data->__uei_name.kind >= SCX_EXIT_ERROR)

/*
 * Print the kernel's debug dump, if any, then one line with the exit reason,
 * and evaluate to the exit code.
 */
#define UEI_REPORT(__skel, __uei_name)						\
({										\
	struct user_exit_info *__info = &(__skel)->data->__uei_name;		\
	const char *__dump = (__skel)->data_##__uei_name##_dump->__uei_name##_dump; \
										\
	if (__dump[0]) {							\
		fprintf(stderr, "DUMP BEGIN\n%s", __dump);			\
		fprintf(stderr, "\nDUMP END\n");				\
	}									\
	fprintf(stderr, "EXIT: %s", __info->reason);				\
	if (__info->msg[0])							\
		fprintf(stderr, " (%s)", __info->msg);				\
	fputc('\n', stderr);							\
	__info->exit_code;							\
})

#endif	/* __bpf__ */
#endif	/* __SCX_USER_EXIT_INFO_H */
