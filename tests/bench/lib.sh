# shellcheck shell=bash
# Shared by the tests/bench scripts (sourced from the repository's root): the release build
# they measure, a line describing the machine, and reading measure.py's NAME=VALUE output.

# Release build in build-bench (no tests), as every figure of tests/bench is measured on.
build_release() {
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DGK_TESTS=OFF >/dev/null
  cmake --build build-bench -j"$(nproc)" >/dev/null
}

machine() {
  # shellcheck disable=SC1091 # the running system's file
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
       "$(. /etc/os-release; echo "$PRETTY_NAME"); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "gongkai $(build-bench/gongkai --version | cut -d' ' -f2) ($(git rev-parse --short HEAD)), release build"
}

# field NAME "$(measure.py ...)": the value of NAME=VALUE
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<< "$2"; }

# measure ARGS...: measure.py, stopping the script when the command fails
measure() {
  local m
  m=$(/usr/bin/python3 tests/bench/measure.py "$@")
  if [ "$(field exit "$m")" != 0 ]; then
    echo "${0##*/}: failed ($(field exit "$m")): ${*}" >&2
    exit 1
  fi
  echo "$m"
}
