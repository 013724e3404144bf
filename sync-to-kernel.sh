#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Copy this project into a kernel tree: the schedulers, Makefile, README and
# include/ into tools/sched_ext, and selftests/ into
# tools/testing/selftests/sched_ext.  The VM tooling and tests/ stay here.
#
# Each file is listed as new, changed or unchanged; unchanged files are not
# touched, so their timestamps survive and the tree rebuilds incrementally.
# The list of files we wrote is kept in .scx-sync in each target directory;
# a file named there that we no longer have is "stale".  A file of the
# tree's own that we never wrote (upstream's examples and selftests) is
# "foreign": our Makefiles build whatever *.bpf.c they find, so the
# kernel's tests would break our build.  Both are listed, and deleted only
# with --prune.  Build output is neither.
#
# The README is the one file that differs: the tree gets it without the
# parts about what stays here (between "<!-- repo-only: begin -->" and
# "<!-- repo-only: end -->", and any line with "make vmrun"), and with the
# parts written for the tree ("<!-- tree-only" to "-->") shown.
set -euo pipefail

usage() {
	cat <<EOF
Usage: $0 [-n|--dry-run] [--check] [--prune] KERNEL_TREE

  -n, --dry-run  say what would change, change nothing
  --check        change nothing; exit 1 if the tree differs from this repo
  --prune        delete stale files (ours before, no longer ours now) and
                 foreign ones (the tree's own, in the directories we fill)
  -h, --help     show this help
EOF
}

dry=0
check=0
prune=0
tree=
while [ $# -gt 0 ]; do
	case $1 in
	-n | --dry-run) dry=1 ;;
	--check) check=1 dry=1 ;;
	--prune) prune=1 ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "sync-to-kernel: unknown option $1 (see --help)" >&2; exit 2 ;;
	*)
		[ -z "$tree" ] || { echo "sync-to-kernel: one KERNEL_TREE only (see --help)" >&2; exit 2; }
		tree=$1
		;;
	esac
	shift
done
[ -n "$tree" ] || { usage >&2; exit 2; }
# sched_ext is kernel/sched/ext.c up to 7.1 and kernel/sched/ext/ since 7.2.
if [ ! -f "$tree/kernel/sched/ext.c" ] && [ ! -f "$tree/kernel/sched/ext/ext.c" ]; then
	echo "sync-to-kernel: $tree is not a kernel tree with sched_ext (neither kernel/sched/ext.c nor kernel/sched/ext/ext.c)" >&2
	exit 2
fi
if [ ! -d "$tree/tools/lib/bpf" ]; then
	echo "sync-to-kernel: $tree is a kernel tree without tools/lib/bpf, which the build needs" >&2
	exit 2
fi

src=$(cd "$(dirname "$0")" && pwd)
new=0 changed=0 same=0 stale=0 foreign=0
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
awk '
	/^<!-- repo-only: begin -->$/ { skip = 1; next }
	/^<!-- repo-only: end -->$/ { skip = 0; next }
	/^<!-- tree-only$/ || (/^-->$/ && tree) { tree = !tree; next }
	!skip && !/make vmrun/ { print }
' "$src/README.md" >"$stage/README.md"
touch -r "$src/README.md" "$stage/README.md"

# from FROM REL: where the copy of REL comes from.
from() {
	if [ "$1/$2" = "$src/README.md" ]; then
		echo "$stage/README.md"
	else
		echo "$1/$2"
	fi
}

# The files we own in each destination, relative to it.
list_sched_ext() {
	(cd "$src" && {
		printf '%s\n' Makefile README.md .gitignore
		find include -type f
		find . -maxdepth 1 -type f -name 'scx_*' \( -name '*.c' -o -name '*.h' \) | sed 's|^\./||'
	} | sort)
}

list_selftests() {
	(cd "$src/selftests" && find . -path ./build -prune -o -type f -print |
		sed 's|^\./||' | sort)
}

# sync_dir FROM TO LISTER
sync_dir() {
	local from=$1 to=$2 lister=$3 rel f manifest=$2/.scx-sync kept=

	while IFS= read -r rel; do
		f=$to/$rel
		if [ ! -e "$f" ]; then
			echo "  new        ${f#"$tree"/}"
			new=$((new + 1))
		elif cmp -s "$(from "$from" "$rel")" "$f"; then
			same=$((same + 1))
			continue
		else
			echo "  changed    ${f#"$tree"/}"
			changed=$((changed + 1))
		fi
		if [ "$dry" -eq 0 ]; then
			mkdir -p "$(dirname "$f")"
			cp -p "$(from "$from" "$rel")" "$f"
		fi
	done < <("$lister")

	if [ -f "$manifest" ]; then
		while IFS= read -r rel; do
			[ -e "$to/$rel" ] || continue
			"$lister" | grep -qxF "$rel" && continue
			stale=$((stale + 1))
			if [ "$prune" -eq 1 ] && [ "$dry" -eq 0 ]; then
				echo "  deleted    ${to#"$tree"/}/$rel"
				rm -f "$to/$rel"
			else
				echo "  stale      ${to#"$tree"/}/$rel (ours before; --prune deletes it)"
				kept+=$rel$'\n'
			fi
		done <"$manifest"
	fi
	# What is left: the tree's own files, less what builds make.
	if [ -d "$to" ]; then
		while IFS= read -r rel; do
			"$lister" | grep -qxF "$rel" && continue
			[ -f "$manifest" ] && grep -qxF "$rel" "$manifest" && continue
			foreign=$((foreign + 1))
			if [ "$prune" -eq 1 ] && [ "$dry" -eq 0 ]; then
				echo "  deleted    ${to#"$tree"/}/$rel"
				rm -f "$to/$rel"
			else
				echo "  foreign    ${to#"$tree"/}/$rel (the tree's own; --prune deletes it)"
			fi
		done < <(cd "$to" && find . \( -path ./build -o -path ./obj \) -prune -o \
			-type f ! -name .scx-sync ! -name runner -print | sed 's|^\./||' | sort)
	fi
	if [ "$dry" -eq 0 ]; then
		mkdir -p "$to"
		{ "$lister"; printf '%s' "$kept"; } | sort -u >"$manifest"
	fi
}

sync_dir "$src" "$tree/tools/sched_ext" list_sched_ext
sync_dir "$src/selftests" "$tree/tools/testing/selftests/sched_ext" list_selftests

echo "$new new, $changed changed, $same unchanged, $stale stale, $foreign foreign"
if [ "$check" -eq 1 ] && [ $((new + changed + stale + foreign)) -gt 0 ]; then
	echo "sync-to-kernel: $tree differs from this repo" >&2
	exit 1
fi
exit 0
