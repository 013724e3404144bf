/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space side of the compat layer: ask the running kernel's BTF what it
 * has (a kfunc, an enum value, a struct field) instead of guessing from its
 * version, and the SCX_OPS_* macros that open, load and attach a scheduler.
 */
#ifndef __SCX_COMPAT_H
#define __SCX_COMPAT_H

#include <fcntl.h>
#include <bpf/btf.h>

static inline const struct btf *__COMPAT_vmlinux_btf(void)
{
	static struct btf *btf;

	if (!btf) {
		btf = btf__load_vmlinux_btf();
		SCX_BUG_ON(!btf, "cannot load the kernel's BTF");
	}
	return btf;
}

/* Read enumerator @name of enum @type from the kernel; false if it lacks it. */
static inline bool __COMPAT_read_enum(const char *type, const char *name,
				      u64 *v)
{
	const struct btf *btf = __COMPAT_vmlinux_btf();
	const struct btf_type *t;
	int id, i;

	id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM);
	if (id < 0)
		id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM64);
	if (id < 0)
		return false;
	t = btf__type_by_id(btf, id);
	for (i = 0; i < btf_vlen(t); i++) {
		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t) + i;

			if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
				*v = (u32)e->val;
				return true;
			}
		} else {
			const struct btf_enum64 *e = btf_enum64(t) + i;

			if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
				*v = btf_enum64_value(e);
				return true;
			}
		}
	}
	return false;
}

/* The value of an enumerator, or 0 where the kernel does not know it. */
#define __COMPAT_ENUM_OR_ZERO(__type, __name)					\
({										\
	u64 __val = 0;								\
										\
	__COMPAT_read_enum(__type, __name, &__val);				\
	__val;									\
})

/*
 * sched_ext_ops.flags, read from the kernel so that a flag it does not know
 * reads as 0 instead of making the load fail.
 */
#define SCX_OPS_KEEP_BUILTIN_IDLE						\
	__COMPAT_ENUM_OR_ZERO("scx_ops_flags", "SCX_OPS_KEEP_BUILTIN_IDLE")
#define SCX_OPS_ENQ_LAST							\
	__COMPAT_ENUM_OR_ZERO("scx_ops_flags", "SCX_OPS_ENQ_LAST")
#define SCX_OPS_ENQ_EXITING							\
	__COMPAT_ENUM_OR_ZERO("scx_ops_flags", "SCX_OPS_ENQ_EXITING")
#define SCX_OPS_SWITCH_PARTIAL							\
	__COMPAT_ENUM_OR_ZERO("scx_ops_flags", "SCX_OPS_SWITCH_PARTIAL")
#define SCX_OPS_HAS_CGROUP_WEIGHT						\
	__COMPAT_ENUM_OR_ZERO("scx_ops_flags", "SCX_OPS_HAS_CGROUP_WEIGHT")

/* Does the kernel have function (or kfunc) @name? */
static inline bool __COMPAT_has_ksym(const char *name)
{
	return btf__find_by_name_kind(__COMPAT_vmlinux_btf(), name,
				      BTF_KIND_FUNC) >= 0;
}

/* Does the kernel's struct @type have a member called @field? */
static inline bool __COMPAT_struct_has_field(const char *type,
					     const char *field)
{
	const struct btf *btf = __COMPAT_vmlinux_btf();
	const struct btf_member *m;
	const struct btf_type *t;
	int id, i;

	id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	if (id < 0)
		return false;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), field))
			return true;
	return false;
}

/*
 * The kernel bumps hotplug_seq on every CPU hotplug.  A scheduler that
 * passes the value it saw at open time gets SCX_ECODE_ACT_RESTART if a
 * hotplug slipped in before it was enabled.
 */
static inline u64 scx_hotplug_seq(void)
{
	char buf[32];
	char *end;
	u64 seq;

	if (!scx_read_line(SCX_SYSFS "/hotplug_seq", buf, sizeof(buf)))
		SCX_BUG("cannot read " SCX_SYSFS "/hotplug_seq");
	seq = strtoull(buf, &end, 10);
	SCX_BUG_ON(end == buf, "bad " SCX_SYSFS "/hotplug_seq '%s'", buf);
	return seq;
}

/*
 * Open the skeleton of scheduler @__scx_name whose struct_ops map is
 * @__ops_name, after the preflight checks.
 */
#define SCX_OPS_OPEN(__ops_name, __scx_name)					\
({										\
	struct __scx_name *__skel;						\
										\
	scx_preflight();							\
	__skel = __scx_name##__open();						\
	SCX_BUG_ON(!__skel, "cannot open the BPF object");			\
	__skel->struct_ops.__ops_name->hotplug_seq = scx_hotplug_seq();	\
	__skel;									\
})

/* Load and verify; -v shows the verifier's log when this fails. */
#define SCX_OPS_LOAD(__skel, __ops_name, __scx_name, __uei_name)		\
({										\
	UEI_SET_SIZE(__skel, __ops_name, __uei_name);				\
	SCX_BUG_ON(__scx_name##__load(__skel),					\
		   "the kernel refused the BPF program (run with -v for the verifier log)"); \
})

/*
 * Attach the scheduler's other programs (skipping the struct_ops map, which
 * the skeleton would otherwise attach itself), then enable the scheduler by
 * attaching the struct_ops map.  EBUSY means another scheduler got there
 * first.
 */
#define SCX_OPS_ATTACH(__skel, __ops_name, __scx_name)				\
({										\
	struct bpf_link *__link;						\
	char __ops[128];							\
										\
	bpf_map__set_autoattach((__skel)->maps.__ops_name, false);		\
	SCX_BUG_ON(__scx_name##__attach(__skel), "cannot attach BPF programs"); \
	__link = bpf_map__attach_struct_ops((__skel)->maps.__ops_name);	\
	if (!__link && errno == EBUSY)						\
		SCX_DIE("another sched_ext scheduler (%s) is loaded; stop it first", \
			scx_loaded_ops(__ops, sizeof(__ops)));			\
	SCX_BUG_ON(!__link, "cannot enable the scheduler");			\
	__link;									\
})

/* What SCX_OPS_EXIT() gives when the kernel asked for a fresh start. */
#define SCX_OPS_RESTART		(-1)

/*
 * How long a restart waits for the old instance to finish unloading, which
 * the kernel does in a worker after our link is gone.
 */
#define SCX_RESTART_WAIT_MS	5000

/*
 * Once the link is destroyed: report why the scheduler stopped (the debug
 * dump, "EXIT: reason", and "NAME: exit kind N" with the enum scx_exit_kind
 * value, which tests match), and free the skeleton.  Evaluate to
 * SCX_OPS_RESTART if the kernel asked us to load again (after CPU hotplug,
 * say), else to the exit status: 0 if it was unregistered (by us, by its
 * BPF side or by the kernel), 1 if it died of an error or was stopped from
 * outside (SysRq-S, a parent scheduler's exit).
 */
#define SCX_OPS_EXIT(__skel, __uei_name, __scx_name)				\
({										\
	u64 __ecode = UEI_REPORT(__skel, __uei_name);				\
	int __kind = (__skel)->data->__uei_name.kind;				\
	int __ret = __kind < SCX_EXIT_UNREG || __kind > SCX_EXIT_UNREG_KERN;	\
										\
	fprintf(stderr, "%s: exit kind %d\n", program_invocation_short_name,	\
		__kind);							\
	__scx_name##__destroy(__skel);						\
	if (UEI_ECODE_RESTART(__ecode)) {					\
		scx_wait_disabled(SCX_RESTART_WAIT_MS);				\
		printf("%s: restarting\n", program_invocation_short_name);	\
		fflush(stdout);							\
		__ret = SCX_OPS_RESTART;					\
	}									\
	__ret;									\
})

#endif	/* __SCX_COMPAT_H */
