#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print which example shows which part of sched_ext, as a Markdown table
# read from the sources: the ops callbacks its SCX_OPS_DEFINE() fills in,
# the other ops fields it or its loader sets, the SCX_OPS_* flags and the
# scx_bpf_* kfuncs it uses, the BPF map types and a few other BPF features
# (arena, timer, spin lock).  Comments do not count.  The columns follow the
# README's reading order; an example not in that order comes last.
#
# Usage: scripts/feature-matrix.sh [-u] [DIR]
#   DIR  the examples (default: this script's parent directory)
#   -u   write the table into DIR/README.md, between the lines
#        "<!-- feature-matrix: begin -->" and "<!-- feature-matrix: end -->"
#        (tests/host/feature-matrix.sh checks that it is up to date)
set -u

update=false
if [ "${1:-}" = -u ]; then
	update=true
	shift
fi
dir=${1:-$(cd "$(dirname "$0")/.." && pwd)}
order="simple cpu0 qmap central flatcg pair sdt userland"

names=()
for n in $order; do
	[ -e "$dir/scx_$n.bpf.c" ] && names+=("$n")
done
for f in "$dir"/scx_*.bpf.c; do
	n=$(basename "$f" .bpf.c)
	n=${n#scx_}
	case " $order " in *" $n "*) ;; *) names+=("$n") ;; esac
done

# The code of a file without its comments (the preprocessor drops them,
# expanding nothing).
code() {
	gcc -fpreprocessed -dD -E -P -x c "$1" 2>/dev/null
}

# features NAME: "kind item" lines for the example NAME.
features() {
	local bpf loader

	bpf=$(code "$dir/scx_$1.bpf.c")
	loader=$(code "$dir/scx_$1.c")
	# ".field = (void *)fn" in SCX_OPS_DEFINE() is a callback, any other
	# ".field = value" an ops field; the loader sets fields through the
	# skeleton's struct_ops pointer.
	sed -n '/SCX_OPS_DEFINE(/,/);/p' <<<"$bpf" |
		sed -nE 's/^[[:space:]]*\.([a-z_]+)[[:space:]]*=[[:space:]]*\(void \*\).*/1callback \1/p;
			 s/^[[:space:]]*\.([a-z_]+)[[:space:]]*=.*/2field \1/p'
	grep -oE 'struct_ops\.[a-z0-9_]+->[a-z_]+' <<<"$loader" |
		sed -E 's/.*->/2field /'
	grep -ohE '\bSCX_OPS_[A-Z_]+' <<<"$bpf$loader" |
		grep -vE '^SCX_OPS_(DEFINE|OPEN|LOAD|ATTACH|EXIT|RESTART)$' |
		sed 's/^/3flag /'
	grep -oE '\bscx_bpf_[a-z0-9_]+\(' <<<"$bpf" | tr -d '(' |
		grep -vE '^scx_bpf_(error|exit|dump)_bstr$' | sed 's/^/4kfunc /'
	grep -oE '\bBPF_MAP_TYPE_[A-Z_]+' <<<"$bpf" | sed 's/^/5map /'
	grep -oE '\bbpf_(arena_[a-z_]+|timer_start|spin_lock|kptr_xchg)\(' \
		<<<"$bpf" | tr -d '(' | sed 's/^/6bpf /'
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/of"
for n in "${names[@]}"; do
	features "$n" | sort -u >"$tmp/of/$n"
done

# table: the Markdown table.
table() {
	local head="| |" rule="|---|" n kind item label row

	for n in "${names[@]}"; do
		head+=" $n |"
		rule+=":-:|"
	done
	echo "$head"
	echo "$rule"
	sort -u "$tmp"/of/* | while read -r kind item; do
		case $kind in
		1callback) label="\`ops.$item()\`" ;;
		2field) label="\`ops.$item\`" ;;
		*) label="\`$item\`" ;;
		esac
		row="| $label |"
		for n in "${names[@]}"; do
			if grep -qx "$kind $item" "$tmp/of/$n"; then
				row+=" ✓ |"
			else
				row+=" |"
			fi
		done
		echo "$row"
	done
}

if ! $update; then
	table
	exit 0
fi
readme=$dir/README.md
if ! grep -q '^<!-- feature-matrix: begin -->$' "$readme" ||
   ! grep -q '^<!-- feature-matrix: end -->$' "$readme"; then
	echo "feature-matrix: $readme has no feature-matrix markers" >&2
	exit 1
fi
table >"$tmp/table"
awk -v table="$tmp/table" '
	/^<!-- feature-matrix: end -->$/ { skip = 0 }
	!skip { print }
	/^<!-- feature-matrix: begin -->$/ {
		while ((getline line < table) > 0)
			print line
		skip = 1
	}' "$readme" >"$tmp/readme" && cat "$tmp/readme" >"$readme"
