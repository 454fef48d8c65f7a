#!/usr/bin/python3
"""Runs the real rcpilot on the simulated car, and the Donkey-style baseline, and measures them.

Usage (from the repository root):
  bench/node_bench.py --suite [--long] [--duration 60] [--out DIR]  # every run of issue 5
  bench/node_bench.py --long [--long-seconds 600] [--out DIR]         # only the 10-minute run
  bench/node_bench.py --report [--out DIR]     # results.md again from the run JSONs in DIR
  bench/node_bench.py --rate 50 --duration 60 [--load] [--source sim|replay] [--json OUT]
  bench/node_bench.py --baseline --rate 20 --duration 60 [--load]   # bench/donkey_baseline.py
  bench/node_bench.py --memory [--duration 60] [--out DIR]   # RSS per camera source, 20 Hz
  common: [--rcpilot build-bench/bin/rcpilot] [--config config/profiles/sim.yaml]
          [--set section.key=value ...] [--warmup 3] [--hog-cpu N] [--control-cpu N]

--suite runs, each for --duration s after --warmup s, and writes DIR/results.md (a Markdown
fragment for bench/RESULTS.md) and one JSON per run:
  * rcpilot on the sim camera (30 fps) at each of --rates (20, 50, 100 Hz), without and with the
    hog (`stress-ng --cpu 1`, which keeps one of the two cores busy; not pinned unless --hog-cpu);
  * rcpilot and bench/donkey_baseline.py at 20 Hz on the same frames, back to back, without and
    with the hog: the simulator's frames recorded once (`rcpilot-sim record`, 900 frames, seed 1,
    into DIR/sim-frames, or --frames), replayed by both at 30 fps, looping (rcpilot:
    camera.source images); the fragment gives rcpilot / baseline ratios;
  * rcpilot with an unthrottled source (sim camera at --unthrottled-fps, 240) for the pilot rate;
  * with --long, rcpilot at 20 Hz with the hog for --long-seconds (600).
--memory runs, at 20 Hz without the hog, rcpilot on the sim camera, on the replayed frames as an
image folder (camera.source images) and as a video file through GStreamer (camera.source video,
DIR/sim-frames.avi, MJPEG made once from the frames), then the baseline on the same frames; its
fragment adds each run's resident memory: VmRSS, anonymous and file-backed, PSS, and the
largest mappings mid-run.

What one rcpilot run measures:
  * starts rcpilot for warm-up + --duration, at control.rate_hz = --rate, publishing telemetry
    (every tick) on a private loopback port (so it never collides with another node or test);
  * every 0.5 s reads /proc/<pid>/stat (utime + stime -> CPU % of one core) and /proc/<pid>/status
    (VmRSS), and averages them over the run after the warm-up; PSS once mid-run;
  * subscribes to the `state` and `event` topics and computes, after the warm-up: state rate,
    period_ms p50/p99/max, period error |period - 1/rate| p50/p99/max, overruns (missed
    deadlines), pilot_rate_hz mean (unique frames/s), prediction_age_ms p50/p99, inference_ms
    p50/p99 (once per prediction, not once per tick), share of ticks with reason `none`;
  * parses the node's final "rcpilot summary" for the capture -> setpoint latency p50/p99/max
    (measured by the node on every setpoint made from a new prediction, over the whole run, in
    10 us bins; the warm-up is included). Telemetry cannot give
    that latency exactly (a `state` message is only sent on deadline ticks, not on the extra
    setpoint made the moment a prediction arrives), so as a cross-check the script also reports
    the age of each prediction at the first deadline tick that used it (an upper bound).
The baseline measures itself the same way (see bench/donkey_baseline.py).

Exit status: 0 on success, 1 when a run failed (the node exited non-zero or sent no telemetry).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

import bench_report
from bench_measure import (Hog, Subscriber, analyse_states, fmt, free_port, loadavg,
                           parse_summary, pss_mb, read_proc, rss_breakdown, steal_clock,
                           steal_percent)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from bench_measure import SAMPLE_EVERY_S


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rcpilot", default=os.path.join(REPO, "build-bench/bin/rcpilot"),
                   help="the rcpilot binary (default: build-bench/bin/rcpilot); rcpilot-sim "
                   "is taken from the same folder")
    p.add_argument("--config", default=os.path.join(REPO, "config/profiles/sim.yaml"))
    p.add_argument("--seconds", "--duration", dest="seconds", type=float, default=60.0,
                   help="measured time of each run after warm-up, s (default 60)")
    p.add_argument("--warmup", type=float, default=3.0,
                   help="seconds after the first tick that are not measured")
    p.add_argument("--rate", type=float, default=50.0, help="control.rate_hz (loop rate)")
    p.add_argument("--set", dest="overrides", action="append", default=[],
                   metavar="SECTION.KEY=VALUE", help="passed to rcpilot --set; repeatable")
    p.add_argument("--load", action="store_true", help="run stress-ng --cpu 1 alongside")
    p.add_argument("--hog-cpu", type=int, default=None, metavar="CPU",
                   help="pin stress-ng to this CPU (taskset); default: not pinned")
    p.add_argument("--control-cpu", type=int, default=None, metavar="CPU",
                   help="pin rcpilot's control thread to this CPU (control.cpu); default: not")
    p.add_argument("--source", choices=("sim", "replay", "images", "video"), default="sim",
                   help="sim: the simulator's camera, closed loop; video: --frames as a video "
                        "file through GStreamer; replay (= images): the frames of "
                   "--frames, paced at --fps, looping (what the baseline sees)")
    p.add_argument("--fps", type=float, default=30.0, help="camera.fps (default 30)")
    p.add_argument("--frames", help="folder of frames (or a tub) for --source replay and the "
                   "baseline; default: made once with rcpilot-sim record under --out")
    p.add_argument("--baseline", action="store_true",
                   help="run bench/donkey_baseline.py (always --source replay) instead of rcpilot")
    p.add_argument("--suite", action="store_true",
                   help="every run of issue 5: rcpilot at 20/50/100 Hz with and without the hog, "
                   "rcpilot and the baseline at 20 Hz on the same frames with and without it, "
                   "the pilot with an unthrottled source; writes OUT/results.md")
    p.add_argument("--long", action="store_true",
                   help="the 10-minute run: rcpilot at 20 Hz with the hog for --long-seconds "
                   "(with --suite: after the suite; alone: only this run)")
    p.add_argument("--long-seconds", type=float, default=600.0)
    p.add_argument("--memory", action="store_true",
                   help="RSS of rcpilot on each camera source and of the baseline, at 20 Hz")
    p.add_argument("--memory-runs", default="sim,images,video,baseline",
                   help="--memory: which of its runs (e.g. video to repeat one; --report "
                        "--memory then renders every run JSON in --out)")
    p.add_argument("--rates", default="20,50,100", help="--suite: loop rates, Hz")
    p.add_argument("--unthrottled-fps", type=float, default=240.0,
                   help="--suite: camera.fps of the unthrottled run (240 is camera.fps's "
                   "maximum; the pilot cannot keep up with it)")
    p.add_argument("--out", default=os.path.join(REPO, "build-bench/bench-results/suite"),
                   help="--suite/--long: folder for every run's JSON and results.md")
    p.add_argument("--report", action="store_true",
                   help="write OUT/results.md again from every run JSON in --out, e.g. after "
                   "a --suite and a --long run made separately into the same folder")
    p.add_argument("--json", help="single run: write all figures to this file")
    p.add_argument("--label", default="", help="free text put in the JSON")
    return p.parse_args(argv)


def ensure_frames(args):
    """The image folder the replay runs use; made once with rcpilot-sim record when not given."""
    folder = args.frames
    if not folder:
        folder = os.path.join(args.out, "sim-frames")
        if not os.path.isdir(os.path.join(folder, "images")):
            sim = os.path.join(os.path.dirname(args.rcpilot), "rcpilot-sim")
            cmd = [sim, "record", "--config", args.config, "--out", folder, "--records", "900",
                   "--seed", "1"]
            print(f"node_bench: making the replayed frames: {' '.join(cmd)}", file=sys.stderr)
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    if os.path.isdir(os.path.join(folder, "images")):  # a tub: its images, in record order
        folder = os.path.join(folder, "images")
    return os.path.abspath(folder)


def ensure_video(args):
    """The replayed frames as an MJPEG AVI at --fps (made once, with python3-opencv)."""
    frames = ensure_frames(args)
    path = os.path.join(args.out, "sim-frames.avi")
    if os.path.isfile(path):
        return os.path.abspath(path)
    import cv2  # only here: the other runs do not need it
    names = sorted((n for n in os.listdir(frames) if n.lower().endswith((".jpg", ".png"))),
                   key=lambda n: (int(n.split("_")[0]) if n.split("_")[0].isdigit() else -1, n))
    first = cv2.imread(os.path.join(frames, names[0]))
    os.makedirs(args.out, exist_ok=True)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), args.fps,
                             (first.shape[1], first.shape[0]))
    for n in names:
        writer.write(cv2.imread(os.path.join(frames, n)))
    writer.release()
    print(f"node_bench: wrote {len(names)} frames into {path}", file=sys.stderr)
    return os.path.abspath(path)


SOURCE_NAMES = {"sim": "sim camera", "replay": "image folder", "images": "image folder",
                "video": "video file (GStreamer)"}


def node_command(args, endpoint, duration):
    cmd = [args.rcpilot, "--config", args.config, "--duration", f"{duration:g}",
           "--set", f"telemetry.endpoint={endpoint}", "--set", "telemetry.state_every_n_ticks=1",
           "--set", f"control.rate_hz={args.rate:g}", "--set", f"camera.fps={args.fps:g}"]
    if args.source in ("replay", "images"):
        cmd += ["--set", "camera.source=images", "--set", f"camera.path={ensure_frames(args)}",
                "--set", "camera.loop=true", "--set", "camera.realtime=true"]
    elif args.source == "video":
        cmd += ["--set", "camera.source=video", "--set", f"camera.path={ensure_video(args)}",
                "--set", "camera.loop=true", "--set", "camera.realtime=true"]
    if args.control_cpu is not None:
        cmd += ["--set", f"control.cpu={args.control_cpu}"]
    for o in args.overrides:
        cmd += ["--set", o]
    return cmd


def run_node(args):
    """One rcpilot run, measured from outside (telemetry, /proc) and from its own summary."""
    if not os.access(args.rcpilot, os.X_OK):
        sys.exit(f"node_bench: {args.rcpilot} is not an executable; build it or pass --rcpilot")
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    duration = args.warmup + args.seconds + 1.0  # + 1 s: the node's clock starts before ticks
    cmd = node_command(args, endpoint, duration)

    sub = Subscriber(endpoint)
    sub.start()
    hog = Hog(duration, args.hog_cpu) if args.load else None
    load_start = loadavg()
    steal_start = steal_clock()
    log = tempfile.NamedTemporaryFile("w+", prefix="node_bench-", suffix=".log", delete=False)
    print(f"node_bench: {' '.join(cmd)}", file=sys.stderr)
    t_launch = time.monotonic()
    node = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)

    samples = []  # (monotonic s, cpu s, rss MB, threads, anon MB, file MB)
    deadline = t_launch + duration + 60.0  # start-up (model load, self-test) + shutdown slack
    interrupted = False
    next_sample = time.monotonic()
    breakdown = []
    pss = None
    while node.poll() is None:
        now = time.monotonic()
        if now > deadline and not interrupted:
            print("node_bench: node overran its --duration; sending SIGINT", file=sys.stderr)
            node.send_signal(signal.SIGINT)
            interrupted = True
            deadline = now + 10.0
        elif now > deadline:
            node.kill()
        if now >= next_sample:
            r = read_proc(node.pid)
            if r is not None:
                samples.append((now, *r))
                if not breakdown and sub.first_state_monotonic and \
                        now > sub.first_state_monotonic + args.warmup + args.seconds / 2:
                    breakdown = rss_breakdown(node.pid)
                    pss = pss_mb(node.pid)
            next_sample += SAMPLE_EVERY_S
        time.sleep(max(0.0, min(0.05, next_sample - time.monotonic())))
    rc = node.returncode
    load_end = loadavg()
    steal = steal_percent(steal_start)
    time.sleep(0.3)  # let the last telemetry arrive
    sub.stop()
    if hog is not None:
        hog.stop()

    log.seek(0)
    output = log.read()
    log.close()
    states = [m for t, m in sub.messages if t == "state"]
    events = [m for t, m in sub.messages if t == "event"]
    result = {
        "program": "rcpilot",
        "label": args.label,
        "command": cmd,
        "rate_hz": args.rate,
        "camera_fps": args.fps,
        "source": args.source,
        "seconds": args.seconds,
        "warmup_s": args.warmup,
        "stress_ng_cpu1": args.load,
        "load": hog.describe if hog else "none",
        "control_cpu": args.control_cpu,
        "exit_code": rc,
        "loadavg_start": load_start,
        "loadavg_end": load_end,
        "host_steal_percent": steal,
        "node_log": log.name,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "ok": rc == 0 and bool(states),
    }
    result.update(parse_summary(output))
    result.update(analyse_states(states, args.warmup, args.rate))
    started = [e for e in events if e.get("type") == "started"]
    if started:
        result["startup_self_timing_ms"] = {k: started[0].get(k) for k in
                                            ("inference_p50_ms", "inference_p99_ms")}
        result["model"] = started[0].get("model")

    # CPU and memory after the warm-up (counted from the first state message).
    t0 = (sub.first_state_monotonic or t_launch) + args.warmup
    window = [s for s in samples if s[0] >= t0]
    if len(window) >= 2:
        wall = window[-1][0] - window[0][0]
        result["cpu_percent_one_core"] = 100.0 * (window[-1][1] - window[0][1]) / wall
        rss = [s[2] for s in window]
        result["rss_mb"] = {"mean": float(np.mean(rss)), "max": float(np.max(rss))}
        result["threads"] = max(s[3] for s in window)
        if window[-1][4] is not None:
            result["rss_anon_mb_mean"] = float(np.mean([s[4] for s in window]))
            result["rss_file_mb_mean"] = float(np.mean([s[5] for s in window]))
        result["rss_breakdown_mid_run"] = breakdown
        result["pss_mb_mid_run"] = pss
        result["proc_samples"] = len(window)
    lat = result.get("summary_latency")
    result["table"] = {
        "kind": "rcpilot",
        "source": SOURCE_NAMES[args.source],
        "rate_hz": args.rate,
        "camera_fps": args.fps,
        "load": result["load"],
        "loaded": args.load,
        "seconds": args.seconds,
        "missed": result.get("overruns_in_window"),
        "period_error_ms": result.get("period_error_ms", {}),
        "latency_ms": dict(zip(("p50", "p99", "max"), lat)) if lat else {},
        "unique_fps": result.get("pilot_rate_hz_mean"),
        "pilot_ms": result.get("inference_ms", {}),
        "cpu_percent": result.get("cpu_percent_one_core"),
        "rss_mb": result.get("rss_mb", {}),
        "loadavg_start": load_start[0],
        "loadavg_end": load_end[0],
        "steal_percent": steal,
    }
    if not result["ok"]:
        print(f"node_bench: rcpilot exited {rc} with {len(states)} state messages; "
              f"last output:\n{output[-2000:]}", file=sys.stderr)
        result["table"] = failed_table(result, args, last_error(output) or f"exit {rc}")
    return result


def last_error(output):
    """The node's last critical/error log line (without its time stamp), else its last line."""
    lines = [line for line in output.splitlines() if " critical] " in line or " error] " in line]
    if lines:
        return lines[-1].split("] ", 1)[1]
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1][:300] if lines else None


def failed_table(result, args, why):
    return {"kind": result["program"], "rate_hz": args.rate, "camera_fps": args.fps,
            "source": SOURCE_NAMES[args.source],
            "load": result["load"], "loaded": args.load, "seconds": args.seconds,
            "failed": why.replace("|", "/")}


def print_node(result):
    per = result.get("period_ms", {})
    err = result.get("period_error_ms", {})
    inf = result.get("inference_ms", {})
    age = result.get("prediction_age_ms", {})
    rss = result.get("rss_mb", {})
    lat = result.get("summary_latency")
    print(f"rcpilot {result['rate_hz']:g} Hz, {result['source']} camera at "
          f"{result['camera_fps']:g} fps, load {result['load']}: exit {result['exit_code']}; "
          f"log {result['node_log']}")
    print(f"load average 1/5/15 min: start {result['loadavg_start']}, "
          f"end {result['loadavg_end']}; host steal {fmt(result.get('host_steal_percent'))} % "
          f"of the VM's CPU time")
    print(f"CPU {fmt(result.get('cpu_percent_one_core'), 1)} % of one core, RSS mean "
          f"{fmt(rss.get('mean'), 1)} max {fmt(rss.get('max'), 1)} MB, "
          f"{result.get('threads', '-')} threads; anon {fmt(result.get('rss_anon_mb_mean'), 1)} "
          f"file-backed {fmt(result.get('rss_file_mb_mean'), 1)} MB; PSS mid-run "
          f"{fmt(result.get('pss_mb_mid_run'), 1)} MB")
    if result.get("rss_breakdown_mid_run"):
        print("RSS by mapping mid-run: " + ", ".join(
            f"{b['mapping']} {b['rss_mb']:.1f}" for b in result["rss_breakdown_mid_run"][:8]))
    print(f"state {fmt(result.get('state_rate_hz'), 2)} Hz, period p50 {fmt(per.get('p50'))} "
          f"p99 {fmt(per.get('p99'))} max {fmt(per.get('max'))} ms, error p50 "
          f"{fmt(err.get('p50'))} p99 {fmt(err.get('p99'))} max {fmt(err.get('max'))} ms, "
          f"overruns {result.get('overruns_in_window', '-')} (total "
          f"{result.get('overruns_total', '-')}), telemetry dropped "
          f"{result.get('dropped_total', '-')}")
    print(f"pilot {fmt(result.get('pilot_rate_hz_mean'), 1)} Hz mean "
          f"(min {fmt(result.get('pilot_rate_hz_min'), 1)}), inference p50 {fmt(inf.get('p50'))} "
          f"p99 {fmt(inf.get('p99'))} ms, prediction age p50 {fmt(age.get('p50'))} "
          f"p99 {fmt(age.get('p99'))} ms, reason none "
          f"{fmt(100 * result.get('reason_none_share', 0), 1)} %")
    if lat:
        print(f"capture -> setpoint (node summary) p50 {lat[0]:.2f} p99 {lat[1]:.2f} "
              f"max {lat[2]:.2f} ms")
    fta = result.get("first_tick_age_ms", {})
    print(f"prediction age at first deadline tick (upper bound) p50 {fmt(fta.get('p50'))} "
          f"p99 {fmt(fta.get('p99'))} ms")


def run_baseline(args):
    """One run of bench/donkey_baseline.py on the replayed frames; it measures itself."""
    frames = ensure_frames(args)
    hog = Hog(args.warmup + args.seconds + 30, args.hog_cpu) if args.load else None
    load_start = loadavg()
    steal_start = steal_clock()
    out = tempfile.NamedTemporaryFile(prefix="donkey_baseline-", suffix=".json", delete=False)
    out.close()
    cmd = ["/usr/bin/python3", os.path.join(REPO, "bench/donkey_baseline.py"), "--frames", frames,
           "--rate", f"{args.rate:g}", "--fps", f"{args.fps:g}", "--seconds", f"{args.seconds:g}",
           "--warmup", f"{args.warmup:g}", "--json", out.name]
    # The same model as the node when --set model.path=... names another one.
    model = [o.split("=", 1)[1] for o in args.overrides if o.startswith("model.path=")]
    if model:
        cmd += ["--model", os.path.abspath(model[-1])]
    print(f"node_bench: {' '.join(cmd)}", file=sys.stderr)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=args.warmup + args.seconds + 120)
    load_end = loadavg()
    steal = steal_percent(steal_start)
    if hog is not None:
        hog.stop()
    print(proc.stdout.strip())
    result = {"program": "baseline", "label": args.label, "command": cmd, "ok": False,
              "exit_code": proc.returncode, "load": hog.describe if hog else "none",
              "loadavg_start": load_start, "loadavg_end": load_end, "host_steal_percent": steal,
              "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    if proc.returncode != 0 or os.path.getsize(out.name) == 0:
        print(f"node_bench: the baseline exited {proc.returncode}", file=sys.stderr)
        result["table"] = failed_table(result, args, f"exit {proc.returncode}")
        return result
    with open(out.name) as f:
        result.update(json.load(f))
    result["ok"] = True
    result["table"] = {
        "kind": "baseline",
        "source": "replayed sim frames",
        "rate_hz": args.rate,
        "camera_fps": args.fps,
        "load": result["load"],
        "loaded": args.load,
        "seconds": args.seconds,
        "missed": result["missed_deadlines"],
        "period_error_ms": result["period_error_ms"],
        "latency_ms": result["latency_ms"],
        "unique_fps": result["unique_frames_per_s"],
        "pilot_ms": result["pilot_ms"],
        "cpu_percent": result["cpu_percent_one_core"],
        "rss_mb": result["rss_mb"],
        "loadavg_start": load_start[0],
        "loadavg_end": load_end[0],
        "steal_percent": steal,
    }
    return result


def suite_runs(args):
    """(name, role, overrides of args) of every run asked for, in the order they run."""
    runs = []
    if args.suite:
        for rate in (float(r) for r in args.rates.split(",")):
            for load in (False, True):
                runs.append((f"rcpilot_{rate:g}hz{'_load' if load else ''}", "matrix",
                             dict(rate=rate, load=load)))
        # The comparison: each pair back to back, on the same frames, so load is alike.
        for load in (False, True):
            for program in ("rcpilot", "baseline"):
                runs.append((f"{program}_replay_20hz{'_load' if load else ''}", "pair",
                             dict(rate=20.0, load=load, source="replay",
                                  baseline=program == "baseline")))
        runs.append(("rcpilot_unthrottled", "unthrottled",
                     dict(rate=20.0, load=False, fps=args.unthrottled_fps)))
    if args.memory:
        wanted = args.memory_runs.split(",")
        for source in (s for s in ("sim", "images", "video") if s in wanted):
            runs.append((f"rcpilot_{source}_20hz", "memory", dict(rate=20.0, load=False,
                                                                 camera=source)))
        if "baseline" in wanted:
            runs.append(("baseline_replay_20hz", "memory", dict(rate=20.0, load=False,
                                                               baseline=True)))
    if args.long:
        runs.append(("rcpilot_20hz_load_long", "long",
                     dict(rate=20.0, load=True, seconds=args.long_seconds)))
    return runs


def run_suite(args):
    os.makedirs(args.out, exist_ok=True)
    results = []
    runs = suite_runs(args)
    for i, (name, role, changes) in enumerate(runs, 1):
        run_args = argparse.Namespace(**{**vars(args), "source": "sim", "fps": args.fps,
                                         "baseline": False, **changes})
        if "camera" in changes:  # --memory: which camera source this run uses
            run_args.source = changes["camera"]
        print(f"== [{i}/{len(runs)}] {name}: {run_args.seconds:g} s", file=sys.stderr)
        result = run_baseline(run_args) if run_args.baseline else run_node(run_args)
        result["name"] = name
        result["table"]["role"] = role
        result["table"]["order"] = time.time()
        with open(os.path.join(args.out, f"{name}.json"), "w") as f:
            json.dump(result, f, indent=2)
        results.append(result)
        if not result["ok"]:
            print(f"node_bench: run {name} failed; see above", file=sys.stderr)
        elif not run_args.baseline:
            print_node(result)
    write_report(args, results)
    return 0 if all(r["ok"] for r in results) else 1


def saved_results(folder):
    """Every run JSON that --suite/--long left in `folder`, in the order they ran."""
    results = []
    for name in os.listdir(folder):
        if name.endswith(".json"):
            with open(os.path.join(folder, name)) as f:
                r = json.load(f)
            if "table" in r and "role" in r["table"]:
                results.append(r)
    return sorted(results, key=lambda r: r["table"].get("order", 0))


def node_model(results):
    """The inference engine rcpilot said it runs ("onednn 2.6 (CPU, 1 threads) ..."), from the
    first run's log."""
    for r in results:
        try:
            with open(r.get("node_log") or "") as log:
                for line in log:
                    if "driving:" in line and " model " in line:
                        return line.split(" model ", 1)[1].split(", input")[0].strip()
        except OSError:
            continue
    return "as the config sets it"


def write_report(args, results):
    header = [
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit "
        f"{git_commit()}, `bench/node_bench.py {' '.join(sys.argv[1:])}`",
        "",
        f"Each run: {args.seconds:g} s measured after a {args.warmup:g} s warm-up "
        f"(the long run: {args.long_seconds:g} s). Camera {args.fps:g} fps, model: "
        f"{node_model(results)}; "
        f"hog: stress-ng --cpu 1"
        + (f" pinned to CPU {args.hog_cpu}" if args.hog_cpu is not None else
           ", not pinned (the scheduler places it)")
        + (f"; control thread pinned to CPU {args.control_cpu}" if args.control_cpu is not None
           else "; control thread not pinned") + ".",
    ]
    if args.memory and not args.suite:
        text = bench_report.render_memory(results, header)
    else:
        text = bench_report.render(results, header)
    path = os.path.join(args.out, "results.md")
    with open(path, "w") as f:
        f.write(text)
    print("\n================ paste into bench/RESULTS.md ================\n")
    print(text)
    print(f"JSON of every run and this fragment: {args.out}")


def git_commit():
    try:
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "diff", "--quiet"]).returncode != 0
        return commit + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main(argv=None):
    args = parse_args(argv)
    if args.report:
        results = saved_results(args.out)
        if not results:
            sys.exit(f"node_bench: no run JSON in {args.out}; run --suite or --long first")
        write_report(args, results)
        return 0
    if args.suite or args.long or args.memory:
        return run_suite(args)
    if args.baseline:
        args.source = "replay"
    result = run_baseline(args) if args.baseline else run_node(args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
        print(f"wrote {args.json}")
    if not result["ok"]:
        return 1
    if not args.baseline:
        print_node(result)
    result["table"]["role"] = "single"
    print()
    print(bench_report.run_table([result]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
