#!/usr/bin/env bash
# Batch benchmark: a release build exports synthetic packages of N units (PDF + XLSX per unit,
# -j2) and prints wall and CPU time, units per second, peak RSS of the parent and of a worker
# (and a worker's at job 1, 100 and the last: it must stay flat), and output bytes per unit.
#   tests/bench/bench.sh [N...]          (default: 1 100 1000)
set -euo pipefail
export LC_ALL=C.UTF-8 LANGUAGE= # the figures are read from the English --stats lines
cd "$(dirname "$0")/../.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 100 1000)
work=${BENCH_DIR:-/tmp/gongkai-bench}
mkdir -p "$work"

. tests/bench/lib.sh
build_release
machine
echo "-j2, PDF + XLSX per unit"
printf '%6s %8s %9s %8s %12s %12s %22s %10s %10s\n' units wall_s cpu_s units/s parent_RSS_MB worker_RSS_MB "worker_RSS_#1/#100/last" pdf_KB xlsx_KB
for n in "${sizes[@]}"; do
  pkg="$work/pkg-$n"
  out="$work/out-$n"
  [ -f "$pkg/units.csv" ] || /usr/bin/python3 tests/bench/make_package.py "$pkg" --units "$n" --seed 1 >/dev/null
  rm -rf "$out"
  /usr/bin/time -f '%e %U %S' -o "$work/time-$n" \
    build-bench/gongkai export "$pkg" -o "$out" -j 2 --quiet --stats 2> "$work/stats-$n"
  read -r wall user sys < "$work/time-$n"
  parent=$(sed -n 's/.*parent peak RSS \([0-9]*\) KB.*/\1/p' "$work/stats-$n")
  worker=$(sed -n 's/.*worker peak RSS \([0-9]*\) KB$/\1/p' "$work/stats-$n")
  by_job=$(sed -n 's/.*by job: //p' "$work/stats-$n" | sed 's/ KB//g; s/#[0-9]* //g; s/ /\//g')
  pdf=$(find "$out" -name '*.pdf' -printf '%s\n' | awk '{s+=$1; n++} END {printf "%.1f", s/n/1024}')
  xlsx=$(find "$out" -name '*.xlsx' -printf '%s\n' | awk '{s+=$1; n++} END {printf "%.1f", s/n/1024}')
  printf '%6s %8s %9.2f %8.1f %12.1f %12.1f %22s %10s %10s\n' "$n" "$wall" "$(echo "$user + $sys" | bc)" \
    "$(echo "$n / $wall" | bc -l)" "$(echo "$parent / 1024" | bc -l)" "$(echo "$worker / 1024" | bc -l)" \
    "$by_job" "$pdf" "$xlsx"
done
