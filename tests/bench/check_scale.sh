#!/usr/bin/env bash
# Check time against a unit's size: `gongkai check` (release build) of one unit whose tables
# grow (tests/bench/grow_unit.py: a table of ROWS rows, most of them findings), the rows
# doubling. Prints CPU time (user + sys, the best of RUNS runs; wall time is unreliable on a
# busy machine), the findings, the time per row and how much the time grew from the previous
# size: linear checks keep the time per row flat, and x_prev near 2, as the rows double.
#   tests/bench/check_scale.sh [SCENARIO...]     (default: all, 2000 to 32000 rows)
#   SIZES="1000 2000" RUNS=1 GONGKAI=build-rel/gongkai tests/bench/check_scale.sh lookup
set -euo pipefail
export LC_ALL=C.UTF-8 LANGUAGE= # the summary line is read in English
cd "$(dirname "$0")/../.."
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(percent amounts lookup identity by-code hierarchy placeholders)
read -r -a sizes <<< "${SIZES:-2000 4000 8000 16000 32000}"
runs=${RUNS:-3}
work=${BENCH_DIR:-/tmp/gongkai-check-scale}
mkdir -p "$work"

gongkai=${GONGKAI:-}
if [ -z "$gongkai" ]; then
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DGK_TESTS=OFF >/dev/null
  cmake --build build-bench -j"$(nproc)" >/dev/null
  gongkai=build-bench/gongkai
fi
[ -f "$work/base/units.csv" ] ||
  /usr/bin/python3 tests/bench/make_package.py "$work/base" --units 1 --seed 1 --gbk-share 0 >/dev/null

echo "gongkai $("$gongkai" --version | cut -d' ' -f2), $gongkai, one unit, CPU seconds (user+sys, best of $runs)"
printf '%-13s %7s %9s %8s %10s %8s\n' scenario rows findings cpu_s us/row x_prev
for scenario in "${scenarios[@]}"; do
  prev=
  for rows in "${sizes[@]}"; do
    pkg="$work/$scenario-$rows"
    [ -f "$pkg/units.csv" ] || /usr/bin/python3 tests/bench/grow_unit.py "$work/base" "$pkg" "$scenario" "$rows"
    best=
    for ((run = 0; run < runs; run++)); do
      /usr/bin/time -f '%U %S' -o "$work/time" "$gongkai" check "$pkg" > /dev/null 2> "$work/out" || true
      cpu=$(tail -n 1 "$work/time" | awk '{print $1 + $2}')
      if [ -z "$best" ] || [ "$(echo "$cpu < $best" | bc)" = 1 ]; then best=$cpu; fi
    done
    findings=$(sed -n 's/^gongkai: \([0-9]*\) errors\{0,1\}, \([0-9]*\) warning.*/\1 \2/p' "$work/out" |
               awk '{print $1 + $2}')
    ratio=-
    [ -z "$prev" ] || ratio=$(echo "scale=2; $best / $prev" | bc)
    [ "$(echo "$best > 0" | bc)" = 1 ] && prev=$best
    printf '%-13s %7s %9s %8.2f %10.2f %8s\n' "$scenario" "$rows" "${findings:-?}" "$best" \
      "$(echo "$best * 1000000 / $rows" | bc -l)" "$ratio"
  done
done
