#!/usr/bin/python3
"""Runs one command as a whole process and prints what it cost, as NAME=VALUE words on one line.

    measure.py [--memory] [--first REGEX [--stop-after-first]] [--timeout S] [--stderr FILE]
               -- COMMAND...

    wall_s             wall-clock seconds from start to exit
    cpu_s              user+sys CPU seconds of the process and every child it waited for
    exit               exit status (negative: killed by that signal)
  with --memory (sampling /proc every 5 ms):
    parent_private_kb  peak Private_Clean + Private_Dirty of the process (/proc/PID/smaps_rollup)
    worker_private_kb  the same, the peak over its children (gongkai's workers); 0 if none seen
  with --first REGEX (matched against each line of the command's standard error):
    first_s            seconds until the first matching line (gongkai's `[1/N] CODE ok`)
    --stop-after-first then sends SIGTERM (gongkai lets running jobs finish and exits); the
                       figures are those of the run up to then
  with --timeout S:
    timed_out          1 if the command ran S seconds and was stopped (SIGTERM, SIGKILL 5 s
                       later), else 0

No peak RSS: a child's high-water mark includes the Python that forked it (gongkai's --stats
prints its own). Standard output of the command is discarded; its standard error too, unless
--stderr FILE keeps it (e.g. for gongkai's --stats lines). Standard library only; Linux.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

INTERVAL = 0.005


def private_kb(pid):
    """Private_Clean + Private_Dirty of a process in KiB; 0 if it is gone."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except OSError:
        return 0
    return total


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def read_stderr(proc, started, args, result):
    """Keeps the command's standard error (to a file, if asked) and times the first match."""
    pattern = re.compile(args.first) if args.first else None
    keep = open(args.stderr, "wb") if args.stderr else None
    for line in proc.stderr:
        if keep:
            keep.write(line)
        if pattern and "first_s" not in result and pattern.search(line.decode(errors="replace")):
            result["first_s"] = time.perf_counter() - started
            if args.stop_after_first:
                proc.send_signal(signal.SIGTERM)
    if keep:
        keep.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--first")
    parser.add_argument("--stop-after-first", action="store_true")
    parser.add_argument("--timeout", type=float)
    parser.add_argument("--stderr")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no COMMAND")

    piped = bool(args.first or args.stderr)
    result = {}
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE if piped else subprocess.DEVNULL)
    reader = threading.Thread(target=read_stderr, args=(proc, started, args, result))
    if piped:
        reader.start()
    parent_peak = worker_peak = 0
    polling = args.memory or args.timeout
    stop_signals = [(args.timeout, signal.SIGTERM), (args.timeout + 5, signal.SIGKILL)] \
        if args.timeout else []
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG if polling else 0)
        if pid:
            break
        if args.memory:
            parent_peak = max(parent_peak, private_kb(proc.pid))
            for child in children(proc.pid):
                worker_peak = max(worker_peak, private_kb(child))
        if stop_signals and time.perf_counter() - started > stop_signals[0][0]:
            proc.send_signal(stop_signals.pop(0)[1])
            result["timed_out"] = 1
        time.sleep(INTERVAL)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if piped:
        reader.join()

    figures = {"wall_s": f"{wall:.4f}", "cpu_s": f"{usage.ru_utime + usage.ru_stime:.4f}",
               "exit": proc.returncode}
    if args.memory:
        figures.update(parent_private_kb=parent_peak, worker_private_kb=worker_peak)
    if args.timeout:
        figures["timed_out"] = result.get("timed_out", 0)
    if args.first:
        figures["first_s"] = f"{result['first_s']:.4f}" if "first_s" in result else "none"
    print(" ".join(f"{name}={value}" for name, value in figures.items()))


if __name__ == "__main__":
    sys.exit(main())
