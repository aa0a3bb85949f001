#!/usr/bin/env python3
"""Paired comparison of two gongkai builds exporting one unit (whole processes).

Each round runs both, alternating which goes first, each into an empty folder, and records
B's wall time minus A's: the machine's speed drifts (by a quarter over a day on the CI-class
machine), and a difference taken within a round cancels most of the drift. Prints the median
of each and the mean difference with its 95 % interval; a change is real when the interval
does not hold 0. Extra arguments after `--` go to both exports (an environment switch can be
compared as `env NAME=1 build/gongkai`, given as B).

    tests/bench/compare_builds.py A B [--rounds N] [--package DIR] [-- EXPORT-ARGS...]
"""
import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(command, out):
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) * 1000


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="the first build's gongkai (a command: may start with env)")
    parser.add_argument("b", help="the second build's gongkai")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--package", default="samples/leshan-hrss-info-2025")
    args = parser.parse_args(argv)
    out = tempfile.mkdtemp(prefix="gongkai-compare-")
    commands = [shlex.split(exe) + ["export", args.package, "-o", out] + extra
                for exe in (args.a, args.b)]
    for command in commands:  # warm-up: page cache, font stamps
        run_once(command, out)
    times = ([], [])
    for r in range(args.rounds):
        order = (0, 1) if r % 2 == 0 else (1, 0)
        for k in order:
            times[k].append(run_once(commands[k], out))
    shutil.rmtree(out, ignore_errors=True)
    diffs = [b - a for a, b in zip(*times)]
    half = 1.96 * statistics.stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1 else 0.0
    print("A %s: median %.1f ms" % (args.a, statistics.median(times[0])))
    print("B %s: median %.1f ms" % (args.b, statistics.median(times[1])))
    print("B - A: mean %+.2f ms ± %.2f (95 %%), median %+.2f ms, %d rounds"
          % (statistics.mean(diffs), half, statistics.median(diffs), args.rounds))


if __name__ == "__main__":
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    main()
