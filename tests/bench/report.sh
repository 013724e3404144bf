#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# From what tests/bench/run.sh collected in DIR (raw.txt: "LABEL WORKLOAD
# METRIC ROUND VALUE" lines; meta.txt: key=value), write
#
#   DIR/bench.csv   one row per scheduler x workload x metric: median, min,
#                   max, rounds, and the median's ratio to the fair class's
#   DIR/report.md   the table, ratios first, and the goals met or missed
#   DIR/bench.svg   throughput ratio and p99 latency per scheduler (gnuplot)
#
#   tests/bench/report.sh DIR
set -uo pipefail

dir=${1:-}
if [ -z "$dir" ] || [ $# -ne 1 ]; then
	echo "usage: tests/bench/report.sh DIR" >&2
	exit 2
fi
[ -s "$dir/raw.txt" ] || { echo "report: no $dir/raw.txt" >&2; exit 2; }

meta() { sed -n "s/^$1=//p" "$dir/meta.txt" 2>/dev/null | head -n 1; }

# The CSV: medians, ranges and ratios to fair.
awk -v kver="$(meta kver)" '
function median(k,    n, i, j, t, a) {
	n = split(vals[k], a, " ")
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	lo[k] = a[1]; hi[k] = a[n]; cnt[k] = n
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	k = $1 SUBSEP $2 SUBSEP $3
	if (!(k in vals)) { order[++nk] = k; vals[k] = $5 } else vals[k] = vals[k] " " $5
}
END {
	print "kver,scheduler,workload,metric,median,min,max,rounds,ratio_to_fair"
	for (i = 1; i <= nk; i++) med[order[i]] = median(order[i])
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, p, SUBSEP)
		f = "fair" SUBSEP p[2] SUBSEP p[3]
		# A signed error has no ratio worth the name.
		r = (f in med && med[f] > 0 && p[3] !~ /^err_/) ? sprintf("%.3f", med[k] / med[f]) : ""
		printf "%s,%s,%s,%s,%g,%g,%g,%d,%s\n", kver, p[1], p[2], p[3], med[k], lo[k], hi[k], cnt[k], r
	}
}' "$dir/raw.txt" >"$dir/bench.csv" || exit 1

# The report.
{
	echo "# sched_ext examples: benchmarks on $(meta kver)"
	echo
	echo "$(meta date), commit $(meta commit), $(meta cpus) vCPUs ($(meta accel)," \
		"$(meta nohz)), $(meta rounds) rounds of: $(meta workloads)" \
		"(scale $(meta scale)); $(meta minutes) minutes; host load $(meta host_load)."
	echo
	echo "Each cell: the median's ratio to the fair class's in the same boot,"
	echo "then the median and, in brackets, min..max over the rounds."
	echo "hackbench: time (s), ratio below 1 is faster; pipe: perf bench sched"
	echo "pipe ops/s, ratio above 1 is faster; latency: cyclictest SCHED_OTHER"
	echo "wakeup latency (us) beside a CPU hog per CPU; nice: worst relative"
	echo "error (%) of the CPU shares (schedstat run time) of a hog per CPU at"
	echo "each of nice -5, 0 and 5 (not pinned) against their weights;"
	echo "cgroup: the same for A(100){A1 100, A2 300}, B(200), a hog per CPU"
	echo "in each leaf (cgroup schedulers only); other: the scheduler's own"
	echo "figure (see below)."
	echo
	awk -F, '
	NR == 1 { next }
	{
		s = $2; k = s SUBSEP $3 SUBSEP $4
		if (!(s in seen)) { seen[s] = 1; sch[++ns] = s }
		med[k] = $5; lo[k] = $6; hi[k] = $7; rat[k] = $9; have[k] = 1
	}
	function name(s) { sub(/@tree$/, " (tree)", s); return s }
	function num(v) { return v >= 100 ? sprintf("%.0f", v) : v >= 10 ? sprintf("%.1f", v) : sprintf("%.3g", v) }
	function cell(s, w, m, ratio,    k, t) {
		k = s SUBSEP w SUBSEP m
		if (!(k in have)) return "-"
		t = num(med[k]) " [" num(lo[k]) ".." num(hi[k]) "]"
		if (ratio && s != "fair" && rat[k] != "") t = "**" sprintf("%.2f", rat[k]) "x** " t
		return t
	}
	function vtime(s) { return s ~ /^scx_(simple|flatcg|userland|sdt)$/ }
	function goal(ok, text) { return (ok ? "met: " : "**MISSED**: ") text }
	function goals(s,    g, k, f, t, w, x) {
		g = ""
		k = s SUBSEP "hackbench" SUBSEP "time_s"
		t = s "@tree" SUBSEP "hackbench" SUBSEP "time_s"
		if ((k in have) && (t in have)) {
			w = hi[k] - lo[k]; if (hi[t] - lo[t] > w) w = hi[t] - lo[t]
			g = g "; " goal(med[k] <= med[t] + w, sprintf("hackbench %.2fx vs tree %.2fx (within spread %.2f s)", rat[k], rat[t], w))
		}
		if (s == "scx_central" && (k in have))
			g = g "; " goal(rat[k] <= 1.2, sprintf("hackbench ratio %.2f <= 1.2", rat[k]))
		k = s SUBSEP "nice" SUBSEP "ticks_per_s"; f = "fair" SUBSEP "nice" SUBSEP "ticks_per_s"
		if (s == "scx_central" && (k in have) && (f in have)) {
			x = med[k] > 0 ? med[f] / med[k] : 1e9
			g = g "; " goal(x >= 10, sprintf("non-central ticks %.1fx fewer than fair (>= 10x)", x))
		}
		k = s SUBSEP "nice" SUBSEP "worst_err_pct"
		if (vtime(s) && (k in have))
			g = g "; " goal(med[k] <= 10, sprintf("nice shares off by %.1f%% (<= 10%%)", med[k]))
		k = s SUBSEP "cgroup" SUBSEP "worst_err_pct"
		if (s == "scx_flatcg" && (k in have))
			g = g "; " goal(hi[k] <= 5, sprintf("hierarchy off by at most %.1f%% (<= 5%%)", hi[k]))
		k = s SUBSEP "sched" SUBSEP "bpf_per_ctxsw"
		if (s == "scx_userland" && (k in have))
			g = g "; " goal(med[k] <= 0.01, sprintf("%.4f bpf() per context switch (<= 0.01)", med[k]))
		return g == "" ? "-" : substr(g, 3)
	}
	function other(s,    k, t) {
		t = ""
		if (s ~ /^scx_central/ && ((k = s SUBSEP "nice" SUBSEP "ticks_per_s") in have))
			t = "ticks/s on CPUs 1+: " cell(s, "nice", "ticks_per_s", 1)
		if (s ~ /^scx_userland/ && ((k = s SUBSEP "sched" SUBSEP "bpf_per_ctxsw") in have))
			t = "bpf()/ctxsw: " cell(s, "sched", "bpf_per_ctxsw", 0)
		if (s ~ /^scx_pair/ && ((k = s SUBSEP "sched" SUBSEP "mismatch") in have))
			t = "mismatch: " cell(s, "sched", "mismatch", 0)
		if (s == "fair" && ((k = s SUBSEP "nice" SUBSEP "ticks_per_s") in have))
			t = "ticks/s on CPUs 1+: " cell(s, "nice", "ticks_per_s", 0)
		return t == "" ? "-" : t
	}
	END {
		print "| scheduler | hackbench | pipe | latency p50 | latency p99 | latency max | nice | cgroup | other | goals |"
		print "|---|---|---|---|---|---|---|---|---|---|"
		for (i = 1; i <= ns; i++) {
			s = sch[i]
			if (s ~ /@tree$/) continue
			for (j = 0; j < 2; j++) {
				t = j ? s "@tree" : s
				if (j && !(t in seen)) continue
				printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name(t),
				    cell(t, "hackbench", "time_s", 1), cell(t, "pipe", "ops_s", 1),
				    cell(t, "latency", "p50_us", 1), cell(t, "latency", "p99_us", 1),
				    cell(t, "latency", "max_us", 1), cell(t, "nice", "worst_err_pct", 0),
				    cell(t, "cgroup", "worst_err_pct", 0), other(t), j ? "-" : goals(t)
			}
		}
	}' "$dir/bench.csv"
	echo
	echo "Goals (issue 17): each scheduler's hackbench ratio matches its kernel-tree"
	echo "namesake's within the spread (PEER=1 only); scx_central: hackbench ratio"
	echo "at most 1.2, and at least 10x fewer local timer ticks than the fair class"
	echo "on the non-central CPUs (counted during the nice workload, which keeps"
	echo "every CPU busy; needs nohz_full, on by default); the vtime schedulers"
	echo "(simple, flatcg, userland, sdt): nice shares within 10% (scx_qmap's"
	echo "weights pick one of five FIFO queues: no vtime, and no goal);"
	echo "scx_flatcg: the hierarchy within 5% in every round; scx_userland: at most"
	echo "0.01 bpf() syscalls per context switch (its bpf_syscalls counter over"
	echo "/proc/stat ctxt, across all its workloads); scx_pair's mismatch counts"
	echo "co-runs of two cgroups on a CPU pair across its workloads (moving hogs"
	echo "into their cgroups causes some)."
} >"$dir/report.md"

# The chart: throughput as a ratio to fair (the inverse of hackbench's time
# ratio) and p99 latency, per scheduler.
awk -F, '
NR == 1 { next }
$3 == "hackbench" && $4 == "time_s" { thr[$2] = $9 != "" ? 1 / $9 : 1; if (!($2 in o)) { o[$2] = ++n; s[n] = $2 } }
$3 == "latency" && $4 == "p99_us" { p99[$2] = $5; if (!($2 in o)) { o[$2] = ++n; s[n] = $2 } }
END {
	for (i = 1; i <= n; i++) {
		t = s[i]; sub(/@tree$/, " (tree)", t)
		printf "%s\t%s\t%s\n", t, (s[i] in thr) ? thr[s[i]] : "NaN", (s[i] in p99) ? p99[s[i]] : "NaN"
	}
}' "$dir/bench.csv" >"$dir/chart.tsv"

if ! command -v gnuplot >/dev/null; then
	echo "report: gnuplot is not installed (vm/install-deps.sh): no chart" >&2
	exit 0
fi
# A panel per figure measured (WORKLOADS= may leave one out).
has() { cut -f"$1" "$dir/chart.tsv" | grep -qv NaN; }
panels=()
has 2 && panels+=("set title \"hackbench throughput, ratio to fair\"
plot \"$dir/chart.tsv\" using 0:2:xtic(1) with boxes lc rgb \"#3a7bd5\" notitle, 1 with lines dt 2 lc rgb \"black\" notitle")
has 3 && panels+=("set title \"cyclictest p99 wakeup latency (us)\"
plot \"$dir/chart.tsv\" using 0:3:xtic(1) with boxes lc rgb \"#d5573a\" notitle")
if [ ${#panels[@]} -eq 0 ]; then
	echo "report: neither hackbench nor latency measured: no chart" >&2
	exit 0
fi
gnuplot <<EOF || { echo "report: gnuplot failed" >&2; exit 1; }
set terminal svg size $((500 * ${#panels[@]})),480 noenhanced font "sans,11"
set output "$dir/bench.svg"
set datafile separator "\t"
set multiplot layout 1,${#panels[@]} title "sched_ext examples on $(meta kver), $(meta date) ($(meta cpus) vCPUs, $(meta rounds) rounds)"
set style fill solid 0.6 border -1
set boxwidth 0.7
set xtics rotate by -45 scale 0
set grid ytics
set yrange [0:*]
$(printf '%s\n' "${panels[@]}")
unset multiplot
EOF
