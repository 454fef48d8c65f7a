#!/usr/bin/python3
"""Simulator throughput: frames per wall second of `rcpilot-sim record` (training data) and of
`rcpilot-sim evaluate` (lockstep laps, expert only and with the bundled model), so the cost of
the camera realism effects can be compared before and after (issue 20: within 2x).

    bench/sim_speed.py [--build DIR | --sim PATH] [--repeat N] [--records N] [--laps N]
                       [--set KEY=VALUE ...]

--set is passed to every rcpilot-sim call (e.g. the effects to turn on); --sim times another
rcpilot-sim binary (e.g. one built from the commit before, for a before/after on the same
load). Prints one markdown table row per case: median wall s, frames per wall s, CPU s (user +
sys of the child) and frames per CPU s (steadier than wall time on a shared machine), with the
host's steal and the load average over the whole run (bench_measure.py's helpers)."""

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_measure import loadavg, steal_clock, steal_percent  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAMERA_FPS = 30.0  # the sim profile's camera.fps; lockstep takes a frame every 1 / fps


def child_cpu_s():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd):
    """(wall s, child CPU s, stdout) of one run; raises when the command fails."""
    cpu0, t0 = child_cpu_s(), time.monotonic()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.monotonic() - t0, child_cpu_s() - cpu0, out


def simulated_frames(stdout):
    """Frames the lockstep runs rendered: simulated seconds of every driver times camera fps."""
    secs = [float(s) for s in re.findall(r"([0-9.]+) s simulated", stdout)]
    if not secs:
        raise RuntimeError("evaluate printed no 'N s simulated':\n" + stdout)
    return sum(secs) * CAMERA_FPS


def run_case(name, make_cmd, frames_of, repeat):
    walls, cpus, frames = [], [], 0.0
    for _ in range(repeat):
        wall, cpu, out = timed(make_cmd())
        walls.append(wall)
        cpus.append(cpu)
        frames = frames_of(out)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    return f"| {name} | {wall:.2f} | {frames / wall:.0f} | {cpu:.2f} | {frames / cpu:.0f} |"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--sim", help="rcpilot-sim to time (default: BUILD/bin/rcpilot-sim)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--laps", type=int, default=1)
    ap.add_argument("--set", action="append", default=[], dest="overrides")
    args = ap.parse_args()
    sim = args.sim or os.path.join(args.build, "bin", "rcpilot-sim")
    sets = [a for kv in args.overrides for a in ("--set", kv)]
    tmp = tempfile.mkdtemp(prefix="sim_speed_")

    def record_cmd():
        shutil.rmtree(os.path.join(tmp, "tub"), ignore_errors=True)
        return [sim, "record", "--out", os.path.join(tmp, "tub"), "--records",
                str(args.records), "--seed", "1"] + sets

    def evaluate_cmd(expert_only):
        extra = ["--expert-only"] if expert_only else []
        return lambda: [sim, "evaluate", "--laps", str(args.laps)] + extra + sets

    steal0, load0 = steal_clock(), loadavg()
    print("| case | wall s (median) | frames / wall s | CPU s (median) | frames / CPU s |")
    print("| --- | --- | --- | --- | --- |")
    try:
        print(run_case(f"record {args.records} records", record_cmd,
                       lambda _out: float(args.records), args.repeat), flush=True)
        print(run_case(f"evaluate --expert-only, {args.laps} lap", evaluate_cmd(True),
                       simulated_frames, args.repeat), flush=True)
        print(run_case(f"evaluate (model + expert), {args.laps} lap", evaluate_cmd(False),
                       simulated_frames, args.repeat), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    steal = steal_percent(steal0)
    print(f"\n{sim}: steal {steal:.1f} %, load average before {load0}, after {loadavg()}, "
          f"overrides {args.overrides or 'none'}")


if __name__ == "__main__":
    main()
