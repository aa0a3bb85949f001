#!/usr/bin/env bash
# Paired comparison of gongkai with the Python peer (tests/bench/peers/peer_export.py:
# reportlab + XlsxWriter) on the sample unit samples/leshan-hrss-info-2025: after one
# warm-up run of each, ROUNDS rounds each run both as whole processes (start-up included),
# alternating which goes first, each into an empty folder (gongkai: `export SAMPLE -o DIR
# --quiet`, default -j; the peer: peer_export.py SAMPLE -o DIR). Prints per exporter the
# median and mean wall-clock and CPU (user+sys) milliseconds per unit, the ratios peer/gongkai
# (also the median of the per-round ratios), and issue 13's target (gongkai ≤ 40 ms, ≥ 8×).
# The line `result: ...` is read by targets.sh. With --instructions, also each
# exporter's instructions (callgrind's Ir over all its processes, one run each, ~1 min): a
# ratio that does not depend on what else the machine is running.
#   tests/bench/compare_peer.sh [ROUNDS] [--instructions]     (ROUNDS: default 20)
set -euo pipefail
export LC_ALL=C.UTF-8 LANGUAGE=
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
rounds=20
instructions=false
for arg; do
  case $arg in
    --instructions) instructions=true ;;
    *[!0-9]* | '') echo "usage: tests/bench/compare_peer.sh [ROUNDS] [--instructions]" >&2; exit 2 ;;
    *) rounds=$arg ;;
  esac
done
sample=samples/leshan-hrss-info-2025
work=${BENCH_DIR:-/tmp/gongkai-bench}/peer
mkdir -p "$work"
if ! /usr/bin/python3 -c 'import reportlab, xlsxwriter, yaml' 2>/dev/null; then
  echo "compare_peer.sh: the peer needs apt-get install -y python3-reportlab python3-xlsxwriter python3-yaml" >&2
  exit 1
fi
if $instructions && ! command -v valgrind >/dev/null; then
  echo "compare_peer.sh: --instructions needs valgrind: apt-get install -y valgrind" >&2
  exit 1
fi
build_release

# run NAME COMMAND...: one timed run into an empty $work/NAME; appends "wall_s cpu_s" to NAME.times
run() {
  local name=$1 m
  shift
  rm -rf "${work:?}/$name"
  m=$(measure -- "$@")
  echo "$(field wall_s "$m") $(field cpu_s "$m")" >> "$work/$name.times"
}
gongkai_command=(build-bench/gongkai export "$sample" -o "$work/gongkai" --quiet)
peer_command=(/usr/bin/python3 tests/bench/peers/peer_export.py "$sample" -o "$work/peer")
gongkai() { run gongkai "${gongkai_command[@]}"; }
peer() { run peer "${peer_command[@]}"; }
# instructions NAME COMMAND...: callgrind's instruction count of one run, all processes summed
instructions() {
  local name=$1
  shift
  rm -rf "${work:?}/$name" "$work/callgrind"
  mkdir "$work/callgrind"
  valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$work/callgrind/%p" \
    "$@" >/dev/null 2>&1
  awk '/^totals:/ { sum += $2 } END { print sum }' "$work"/callgrind/*
}

gongkai; peer # warm-up: page cache, gongkai's font stamp, Python's compiled modules
for name in gongkai peer; do
  [ "$(find "$work/$name" -name '*.pdf' -o -name '*.xlsx' | wc -l)" = 2 ] ||
    { echo "compare_peer.sh: $name wrote no PDF and XLSX" >&2; exit 1; }
done
rm -f "$work/gongkai.times" "$work/peer.times"
for ((i = 1; i <= rounds; i++)); do
  if ((i % 2)); then gongkai; peer; else peer; gongkai; fi
done

machine
echo "one unit ($sample), PDF + XLSX, whole processes, $rounds paired rounds (order alternating)"
/usr/bin/python3 - "$work/gongkai.times" "$work/peer.times" <<'PY'
import statistics, sys
gk, peer = ([[float(x) * 1000 for x in line.split()] for line in open(p)] for p in sys.argv[1:])
def figures(runs):  # wall median, wall mean, cpu median, cpu mean (ms)
    walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
    return [statistics.median(walls), statistics.mean(walls),
            statistics.median(cpus), statistics.mean(cpus)]
g, p = figures(gk), figures(peer)
paired = statistics.median(b[0] / a[0] for a, b in zip(gk, peer))
print(f"{'':14}{'wall median':>12}{'wall mean':>11}{'cpu median':>12}{'cpu mean':>10}   (ms per unit)")
print(f"{'gongkai':14}" + "".join(f"{v:>{w}.1f}" for v, w in zip(g, (12, 11, 12, 10))))
print(f"{'peer':14}" + "".join(f"{v:>{w}.1f}" for v, w in zip(p, (12, 11, 12, 10))))
print(f"{'peer/gongkai':14}" + "".join(f"{b / a:>{w - 1}.1f}×" for a, b, w in zip(g, p, (12, 11, 12, 10))))
print(f"median of the {len(gk)} per-round wall ratios: {paired:.1f}×")
print("target: gongkai ≤ 40 ms, ≥ 8× faster than the peer (goal 13×)")
print(f"result: gongkai_ms={g[0]:.1f} gongkai_cpu_ms={g[2]:.1f} peer_ms={p[0]:.1f} ratio={paired:.1f}")
PY
if $instructions; then
  gk=$(instructions gongkai "${gongkai_command[@]}")
  py=$(instructions peer "${peer_command[@]}")
  awk -v gk="$gk" -v py="$py" 'BEGIN { printf "instructions (callgrind, one run): gongkai %.0f M, peer %.0f M, peer/gongkai %.1f×\n", gk / 1e6, py / 1e6, py / gk }'
fi
