#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-compare OLD=a.csv NEW=b.csv: the figures of two bench.csv
# files (tests/bench/report.sh) that moved by more than their spread: the
# medians differ by more than the wider of the two min..max ranges.
# Compares the ratios to fair where both have one (they hold across boots
# better than times do), else the medians.
#
#   tests/bench/compare.sh OLD.csv NEW.csv
set -uo pipefail

if [ $# -ne 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
	echo "usage: make bench-compare OLD=a.csv NEW=b.csv (two bench.csv of make bench)" >&2
	exit 2
fi
for f in "$1" "$2"; do
	head -n 1 "$f" 2>/dev/null | grep -q '^kver,scheduler,workload,metric,median,min,max,rounds' ||
		{ echo "bench-compare: $f is not a bench.csv of make bench" >&2; exit 2; }
done

awk -F, '
FNR == 1 { file++; next }
{
	k = $2 " " $3 " " $4
	if (file == 1) { om[k] = $5; olo[k] = $6; ohi[k] = $7; orat[k] = $9 }
	else { nm[k] = $5; nlo[k] = $6; nhi[k] = $7; nrat[k] = $9; order[++n] = k }
}
END {
	moved = 0
	printf "%-44s %12s %12s %10s %s\n", "scheduler workload metric", "old", "new", "spread", ""
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (!(k in om)) { printf "%-44s %12s %12g %10s new\n", k, "-", nm[k], "-"; continue }
		w = ohi[k] - olo[k]; if (nhi[k] - nlo[k] > w) w = nhi[k] - nlo[k]
		o = om[k]; v = nm[k]
		if (orat[k] != "" && nrat[k] != "" && om[k] != 0 && nm[k] != 0) {
			# The spread in units of the ratio: scale it by the median.
			w = w / (om[k] > nm[k] ? om[k] : nm[k]) * (orat[k] > nrat[k] ? orat[k] : nrat[k])
			o = orat[k]; v = nrat[k]; unit = "x fair"
		} else unit = ""
		d = v - o
		if (d < 0) d = -d
		if (d > w) {
			printf "%-44s %12g %12g %10.3g moved %s%s\n", k, o, v, w, (v > o ? "up" : "down"), unit == "" ? "" : " (" unit ")"
			moved++
		}
	}
	for (k in om) if (!(k in nm)) printf "%-44s %12g %12s %10s gone\n", k, om[k], "-", "-"
	printf "%d moved by more than their spread\n", moved
}' "$1" "$2"
