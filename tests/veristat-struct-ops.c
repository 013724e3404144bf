// SPDX-License-Identifier: GPL-2.0
/*
 * Inserted into veristat.c by tests/veristat.sh, before fixup_obj(), which
 * calls it.  Create only the first struct_ops map that holds PROG, and no
 * struct_ops map for a program of another type: libbpf loads every program
 * of every struct_ops map it creates, so one rejected scheduler in an
 * object would fail the programs of the others too, and a program shared by
 * several (an ops.exit) would drag them all in.  libbpf keeps the program
 * of each slot in the map's initial value.
 */
static void scx_keep_own_struct_ops(struct bpf_object *obj,
				    struct bpf_program *prog)
{
	bool is_st = bpf_program__type(prog) == BPF_PROG_TYPE_STRUCT_OPS;
	struct bpf_program **slot;
	struct bpf_map *map;
	size_t sz, i;
	bool holds, found = false;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		slot = bpf_map__initial_value(map, &sz);
		holds = false;
		for (i = 0; is_st && !found && slot && i < sz / sizeof(*slot); i++)
			if (slot[i] == prog)
				holds = true;
		found |= holds;
		bpf_map__set_autocreate(map, holds);
	}
}
