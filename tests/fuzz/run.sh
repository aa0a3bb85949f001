#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang-14 in build-fuzz, replays every
# seed corpus, then fuzzes each target for FUZZ_SECONDS. Exits non-zero on any crash, leak,
# timeout or out-of-memory, after copying the input that caused it into tests/fuzz/crashes/.
#
#   tests/fuzz/run.sh                    # 60 s a target, FUZZ_JOBS targets at a time
#   FUZZ_SECONDS=3600 FUZZ_JOBS=1 tests/fuzz/run.sh fuzz_csv     # one target for an hour
#
# Environment:
#   FUZZ_SECONDS  time per target (default 60); 0 only replays the corpora
#   FUZZ_JOBS     targets fuzzed at once (default: the number of CPUs)
#   FUZZ_BUILD    build folder (default build-fuzz)
#   FUZZ_WORK     scratch folder (default FUZZ_BUILD/fuzz-work): the growing corpora
#                 (corpus/TARGET, seeded from tests/fuzz/corpus, kept between runs so that long
#                 runs build on each other), logs/TARGET.log and artifacts/
#   FUZZ_FLAGS    extra libFuzzer flags for the fuzzing runs (e.g. "-jobs=4 -workers=4")
# Needs: clang-14 and libclang-rt-14-dev (libFuzzer), besides the build's own packages.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc)}
build=${FUZZ_BUILD:-$root/build-fuzz}
work=${FUZZ_WORK:-$build/fuzz-work}
started=$(date +%s)

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for source in "$here"/fuzz_*.c; do
    targets+=("$(basename "$source" .c)")
  done
fi

# ---- build -------------------------------------------------------------------------------------
for tool in clang-14 cmake; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
done
# The fonts take about 40 s to prepare. When the main build folder has them already, copy them
# with their times: make then sees them up to date (they depend only on fonts/prepare.py and the
# Debian fonts, which are the same for both folders) and does not prepare them again.
mkdir -p "$build/fonts"
for face in song hei; do
  if [ ! -e "$build/fonts/$face.ttf" ] && [ -e "$root/build/fonts/$face.ttf" ]; then
    cp -p "$root/build/fonts/$face.ttf" "$build/fonts/$face.ttf"
  fi
done
echo "== build ($build)"
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang-14 -DGK_FUZZ=ON -DGK_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >"$build/fuzz-build.log" 2>&1 || {
  tail -n 40 "$build/fuzz-build.log" >&2
  exit 2
}
built=$(date +%s)
echo "   built in $((built - started)) s"

# ---- scratch folders ---------------------------------------------------------------------------
mkdir -p "$work/logs" "$work/artifacts"
rm -f "$work"/artifacts/* "$work"/logs/*
# the targets' temp files (fsync'd by the library) go to memory when /dev/shm is there
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  GK_FUZZ_TMP=$(mktemp -d /dev/shm/gongkai-fuzz.XXXXXX)
else
  GK_FUZZ_TMP=$(mktemp -d "$work/tmp.XXXXXX")
fi
export GK_FUZZ_TMP
# UBSan reports with their stack (it prints only the error line by default)
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
trap 'rm -rf "$GK_FUZZ_TMP"' EXIT

common=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
failed=()

# Copies what libFuzzer saved for a failed target into tests/fuzz/crashes/ and shows the report.
report_failure() { # target log phase
  local target=$1 log=$2 phase=$3 saved=()
  failed+=("$target ($phase)")
  mkdir -p "$here/crashes"
  for artifact in "$work/artifacts/$target-"*; do
    [ -e "$artifact" ] || continue
    case $artifact in *slow-unit-*) continue ;; esac
    cp "$artifact" "$here/crashes/"
    saved+=("tests/fuzz/crashes/$(basename "$artifact")")
  done
  echo "!! $target: $phase failed; the report:" >&2
  grep -m1 -A40 -E '^==[0-9]+==ERROR|runtime error|ERROR: libFuzzer|ALARM' "$log" | head -n 45 >&2 ||
    tail -n 30 "$log" >&2
  if [ ${#saved[@]} -gt 0 ]; then
    echo "!! $target: input saved as ${saved[*]}" >&2
    echo "!! replay: $build/$target ${saved[0]}" >&2
    echo "!! minimize: $build/$target -minimize_crash=1 -runs=100000 ${saved[0]}" >&2
  fi
}

# ---- replay the seed corpora -------------------------------------------------------------------
echo "== replay tests/fuzz/corpus"
for target in "${targets[@]}"; do
  corpus="$here/corpus/${target#fuzz_}"
  log="$work/logs/$target-replay.log"
  if "$build/$target" "${common[@]}" -runs=0 -artifact_prefix="$work/artifacts/$target-" \
      "$corpus" >"$log" 2>&1; then
    echo "   $target: $(find "$corpus" -type f | wc -l) inputs replayed, ok"
  else
    report_failure "$target" "$log" replay
  fi
done

# ---- fuzz --------------------------------------------------------------------------------------
fuzz_one() { # target
  local target=$1 corpus="$work/corpus/${1#fuzz_}"
  mkdir -p "$corpus"
  cp -n "$here/corpus/${target#fuzz_}/"* "$corpus/" 2>/dev/null || true
  # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
  "$build/$target" "${common[@]}" -max_total_time="$seconds" -dict="$here/${target#fuzz_}.dict" \
    -artifact_prefix="$work/artifacts/$target-" ${FUZZ_FLAGS:-} "$corpus" \
    >"$work/logs/$target.log" 2>&1
}

summary() { # target status
  local log="$work/logs/$1.log" execs rate cov
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -n1)
  printf '   %-14s %-6s executions %-9s exec/s %-6s %s\n' "$1" "$2" "${execs:-?}" "${rate:-?}" \
    "${cov:-}"
}

if [ "$seconds" -gt 0 ] && [ ${#failed[@]} -eq 0 ]; then
  echo "== fuzz: ${seconds} s a target, $jobs at a time (logs in $work/logs)"
  running=0
  for target in "${targets[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
      wait -n || true
      running=$((running - 1))
    fi
    rm -f "$work/logs/$target.status"
    (if fuzz_one "$target"; then echo 0; else echo $?; fi >"$work/logs/$target.status") &
    running=$((running + 1))
  done
  wait
  for target in "${targets[@]}"; do
    if [ "$(cat "$work/logs/$target.status" 2>/dev/null)" = 0 ]; then
      summary "$target" ok
    else
      summary "$target" FAILED
      report_failure "$target" "$work/logs/$target.log" fuzzing
    fi
  done
fi

echo "== total $(($(date +%s) - started)) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all fuzz targets passed"
