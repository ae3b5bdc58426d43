#!/usr/bin/env python3
"""Runs a command and reports its peak resident memory as the run goes (issue 18's table).

The command's output passes through unchanged. Resident memory of the whole process tree (the `fedtt`
launcher execs the JVM, so that is one process) is sampled every --interval seconds from /proc; every
output line that looks like a round of `fedtt simulate`'s table (it starts with the round number)
records the peak so far, so one long run gives the peak after round 5, 20 and 50 alike. The kernel's
VmHWM of the process is added at the end (it sees peaks between samples).

  bench/peak_rss.py --csv /tmp/rss.csv -- ./fedtt simulate examples/cross-device.yaml --rounds 50 ...

Prints one JSON line at the end: {"peak_rss_kb", "vmhwm_kb", "rounds": {round: peak_kb_so_far}}.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time

ROUND_ROW = re.compile(r"^\s*(\d+)\s+\S")


def rss_kb(pid):
    """Resident kB of pid and its descendants (0 when gone)."""
    total = 0
    for p in [pid] + children(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def vmhwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def children(pid):
    out = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            for c in f.read().split():
                out.append(int(c))
                out.extend(children(int(c)))
    except FileNotFoundError:
        pass
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--csv", help="write 'seconds,rss_kb' samples here")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command and a.command[0] == "--" else a.command
    if not cmd:
        ap.error("no command")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, bufsize=1)
    state = {"peak": 0, "hwm": 0}
    samples = []
    start = time.time()
    done = threading.Event()

    def sample():
        while not done.is_set():
            r = rss_kb(proc.pid)
            state["peak"] = max(state["peak"], r)
            state["hwm"] = max(state["hwm"], vmhwm_kb(proc.pid))
            samples.append((round(time.time() - start, 1), r))
            done.wait(a.interval)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    rounds = {}
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        m = ROUND_ROW.match(line)
        if m:
            state["peak"] = max(state["peak"], rss_kb(proc.pid))
            rounds[int(m.group(1))] = state["peak"]
    code = proc.wait()
    done.set()
    t.join()
    if a.csv:
        with open(a.csv, "w") as f:
            f.write("seconds,rss_kb\n")
            f.writelines(f"{s},{r}\n" for s, r in samples)
    print(json.dumps({"exit": code, "peak_rss_kb": state["peak"], "vmhwm_kb": state["hwm"], "rounds": rounds}))
    return code


if __name__ == "__main__":
    sys.exit(main())
