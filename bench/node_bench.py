#!/usr/bin/python3
"""Runs the real rcpilot on the simulated car and measures what it costs and how it keeps time.

Usage (from the repository root):
  bench/node_bench.py --rcpilot build-bench/vehicle/rcpilot --rate 50 --seconds 60 [--load]
                      [--config config/profiles/sim.yaml] [--set section.key=value ...]
                      [--warmup 3] [--json OUT]

What it does:
  * starts rcpilot for warm-up + --seconds, at control.rate_hz = --rate, publishing telemetry on
    a private loopback port (so it never collides with another node or test on this machine);
  * every 0.5 s reads /proc/<pid>/stat (utime + stime -> CPU % of one core) and /proc/<pid>/status
    (VmRSS), and averages them over the run after the warm-up;
  * subscribes to the `state` and `event` topics and computes, after the warm-up: state rate,
    period_ms p50/p99/max, overruns, pilot_rate_hz mean, prediction_age_ms p50/p99, inference_ms
    p50/p99 (once per prediction, not once per tick), share of ticks with reason `none`;
  * parses the node's final "rcpilot summary" for the capture -> setpoint latency p50/p99/max
    (measured by the node on every setpoint made from a new prediction; it is the node's window
    of the last 1000 such setpoints, i.e. about the last 33 s at 30 fps). Telemetry cannot give
    that latency exactly (a `state` message is only sent on deadline ticks, not on the extra
    setpoint made the moment a prediction arrives), so as a cross-check the script also reports
    the age of each prediction at the first deadline tick that used it (an upper bound);
  * --load runs `stress-ng --cpu 1` alongside, to take one of the cores away.

Prints a human summary, a Markdown table row (header first) and, with --json, writes every figure.
Exit status: 0 on success, 1 when the node failed or no telemetry arrived.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import zmq

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE_EVERY_S = 0.5
CLK_TCK = os.sysconf("SC_CLK_TCK")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rcpilot", default=os.path.join(REPO, "build-bench/vehicle/rcpilot"),
                   help="the rcpilot binary (default: build-bench/vehicle/rcpilot)")
    p.add_argument("--config", default=os.path.join(REPO, "config/profiles/sim.yaml"))
    p.add_argument("--seconds", type=float, default=60.0, help="measured time after warm-up")
    p.add_argument("--warmup", type=float, default=3.0,
                   help="seconds after the first state message that are not measured")
    p.add_argument("--rate", type=float, default=50.0, help="control.rate_hz")
    p.add_argument("--set", dest="overrides", action="append", default=[],
                   metavar="SECTION.KEY=VALUE", help="passed to rcpilot --set; repeatable")
    p.add_argument("--load", action="store_true", help="run stress-ng --cpu 1 alongside")
    p.add_argument("--json", help="write all figures to this file")
    p.add_argument("--label", default="", help="free text put in the table row and JSON")
    return p.parse_args(argv)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def read_proc(pid):
    """(cpu seconds used, VmRSS MB, threads) of `pid`, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        with open(f"/proc/{pid}/status") as f:
            status = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # Fields after the command name, which is in parentheses and may hold spaces.
    fields = stat[stat.rindex(")") + 2:].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    def kb(key):
        m = re.search(rf"^{key}:\s+(\d+) kB", status, re.M)
        return int(m.group(1)) / 1024.0 if m else None

    threads = re.search(r"^Threads:\s+(\d+)", status, re.M)
    if kb("VmRSS") is None:  # zombie: already exited
        return None
    return ((utime + stime) / CLK_TCK, kb("VmRSS"), int(threads.group(1)) if threads else 0,
            kb("RssAnon"), kb("RssFile"))


def rss_breakdown(pid, top=12):
    """Resident MB per mapped file (and [anon], [heap], [stack]) from /proc/<pid>/smaps."""
    per = {}
    name = None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                head = line.split()
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                    name = head[5] if len(head) > 5 else "[anon]"
                    if name.startswith("[stack"):
                        name = "[stack]"
                elif head and head[0] == "Rss:":
                    per[name] = per.get(name, 0.0) + int(head[1]) / 1024.0
    except (FileNotFoundError, ProcessLookupError):
        return []
    # Group shared libraries by package-ish stem: libopencv_dnn.so.4.6.0 -> libopencv_dnn.
    grouped = {}
    for path, mb in per.items():
        key = os.path.basename(path).split(".so")[0] if ".so" in path else path
        grouped[key] = grouped.get(key, 0.0) + mb
    libs = sum(mb for path, mb in per.items() if ".so" in path)
    rows = sorted(grouped.items(), key=lambda kv: -kv[1])[:top]
    return [{"mapping": k, "rss_mb": round(v, 2)} for k, v in rows] + [
        {"mapping": "(all shared libraries)", "rss_mb": round(libs, 2)},
        {"mapping": "(shared libraries mapped)", "rss_mb": float(
            sum(1 for p in per if ".so" in p))}]


class Subscriber(threading.Thread):
    """Collects every telemetry message as (topic, JSON dict)."""

    def __init__(self, endpoint):
        super().__init__(daemon=True)
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.RCVHWM, 100000)
        self.sock.setsockopt(zmq.SUBSCRIBE, b"state")
        self.sock.setsockopt(zmq.SUBSCRIBE, b"event")
        self.sock.connect(endpoint)  # before the node binds: no slow-joiner loss of the start
        self.messages = []
        self.first_state_monotonic = None
        self.running = True

    def run(self):
        poller = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        while self.running:
            if not poller.poll(100):
                continue
            while True:
                try:
                    topic, body = self.sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                msg = json.loads(body)
                topic = topic.decode()
                if topic == "state" and self.first_state_monotonic is None:
                    self.first_state_monotonic = time.monotonic()
                self.messages.append((topic, msg))

    def stop(self):
        self.running = False
        self.join(2.0)
        self.sock.close(0)
        self.ctx.term()


def pct(values, q):
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None


SUMMARY_PATTERNS = {
    "summary_period": r"period p50 ([\d.]+) p99 ([\d.]+) max ([\d.]+) ms, (\d+) overruns",
    "summary_inference": r"inference p50 ([\d.]+) p99 ([\d.]+) ms",
    "summary_latency": r"capture -> setpoint p50 ([\d.]+) p99 ([\d.]+) max ([\d.]+) ms",
    "summary_pilot": r"(\d+) predictions \((\d+) invalid\), ([\d.]+) unique frames/s",
    "summary_laps": r"(\d+) laps, \|cte\| mean ([\d.]+) max ([\d.]+) m, (\d+) off-track",
}


def parse_summary(text):
    out = {}
    start = text.find("rcpilot summary")
    if start < 0:
        return out
    tail = text[start:]
    for key, pattern in SUMMARY_PATTERNS.items():
        m = re.search(pattern, tail)
        if m:
            out[key] = [float(g) for g in m.groups()]
    return out


def analyse_states(states, warmup_s):
    """Figures from `state` messages, skipping the first `warmup_s` seconds and the shutdown one."""
    states = [s for s in states if s.get("reason") != "shutdown"]
    if not states:
        return {}
    t_first = states[0]["time_s"]
    used = [s for s in states if s["time_s"] >= t_first + warmup_s]
    if len(used) < 2:
        return {}
    span = used[-1]["time_s"] - used[0]["time_s"]
    periods = [s["period_ms"] for s in used if s.get("period_ms", 0) > 0]
    ages = [s["prediction_age_ms"] for s in used if s.get("prediction_age_ms", -1) >= 0]
    # One inference time per prediction, and the age at the first deadline tick that used it.
    per_frame = {}
    for s in used:
        seq = s.get("frame_seq")
        if seq is None or s.get("prediction_age_ms", -1) < 0 or seq in per_frame:
            continue
        per_frame[seq] = (s.get("inference_ms", 0.0), s["prediction_age_ms"])
    inference = [v[0] for v in per_frame.values()]
    first_age = [v[1] for v in per_frame.values()]
    reasons = {}
    for s in used:
        reasons[s["reason"]] = reasons.get(s["reason"], 0) + 1
    ticks = [s["tick"] for s in used]
    exec_ms = [s["exec_ms"] for s in used if "exec_ms" in s]
    return {
        "state_messages": len(used),
        "state_span_s": span,
        "state_rate_hz": (len(used) - 1) / span if span > 0 else None,
        "tick_gaps": int(sum(1 for a, b in zip(ticks, ticks[1:]) if b - a != 1)),
        "period_ms": {"p50": pct(periods, 50), "p99": pct(periods, 99),
                      "max": max(periods) if periods else None},
        "exec_ms": {"p50": pct(exec_ms, 50), "p99": pct(exec_ms, 99),
                    "max": max(exec_ms) if exec_ms else None},
        "overruns_in_window": used[-1]["overruns"] - used[0]["overruns"],
        "overruns_total": used[-1]["overruns"],
        "dropped_total": used[-1].get("dropped", 0),
        "pilot_rate_hz_mean": float(np.mean([s["pilot_rate_hz"] for s in used])),
        "pilot_rate_hz_min": float(np.min([s["pilot_rate_hz"] for s in used])),
        "prediction_age_ms": {"p50": pct(ages, 50), "p99": pct(ages, 99)},
        "predictions": len(per_frame),
        "inference_ms": {"p50": pct(inference, 50), "p99": pct(inference, 99)},
        "first_tick_age_ms": {"p50": pct(first_age, 50), "p99": pct(first_age, 99)},
        "reason_none_share": reasons.get("none", 0) / len(used),
        "reasons": reasons,
        "laps": (used[-1].get("sim") or {}).get("laps"),
    }


def fmt(v, digits=2):
    return "-" if v is None else f"{v:.{digits}f}"


def main(argv=None):
    args = parse_args(argv)
    if not os.access(args.rcpilot, os.X_OK):
        sys.exit(f"node_bench: {args.rcpilot} is not an executable; build it or pass --rcpilot")
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    duration = args.warmup + args.seconds + 1.0  # + 1 s: the node's clock starts before ticks
    cmd = [args.rcpilot, "--config", args.config, "--duration", f"{duration:g}",
           "--set", f"telemetry.endpoint={endpoint}", "--set", f"control.rate_hz={args.rate:g}"]
    for o in args.overrides:
        cmd += ["--set", o]

    sub = Subscriber(endpoint)
    sub.start()
    stress = None
    if args.load:
        stress = subprocess.Popen(["stress-ng", "--cpu", "1", "--timeout", f"{int(duration) + 60}s",
                                   "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        time.sleep(0.5)
    load_start = loadavg()
    log = tempfile.NamedTemporaryFile("w+", prefix="node_bench-", suffix=".log", delete=False)
    print(f"node_bench: {' '.join(cmd)}", file=sys.stderr)
    t_launch = time.monotonic()
    node = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)

    samples = []  # (monotonic s, cpu s, rss MB, threads)
    deadline = t_launch + duration + 60.0  # start-up (model load, self-test) + shutdown slack
    interrupted = False
    next_sample = time.monotonic()
    breakdown = []
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
            next_sample += SAMPLE_EVERY_S
        time.sleep(max(0.0, min(0.05, next_sample - time.monotonic())))
    rc = node.returncode
    load_end = loadavg()
    time.sleep(0.3)  # let the last telemetry arrive
    sub.stop()
    if stress is not None:
        os.killpg(stress.pid, signal.SIGTERM)
        stress.wait()

    log.seek(0)
    output = log.read()
    log.close()
    states = [m for t, m in sub.messages if t == "state"]
    events = [m for t, m in sub.messages if t == "event"]
    result = {
        "label": args.label,
        "command": cmd,
        "rate_hz": args.rate,
        "seconds": args.seconds,
        "warmup_s": args.warmup,
        "stress_ng_cpu1": args.load,
        "exit_code": rc,
        "loadavg_start": load_start,
        "loadavg_end": load_end,
        "node_log": log.name,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    result.update(parse_summary(output))
    result.update(analyse_states(states, args.warmup))
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
        result["proc_samples"] = len(window)

    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)

    lat = result.get("summary_latency")
    per = result.get("period_ms", {})
    inf = result.get("inference_ms", {})
    age = result.get("prediction_age_ms", {})
    rss = result.get("rss_mb", {})
    print(f"rcpilot exit {rc}; log {log.name}")
    print(f"load average 1/5/15 min: start {load_start}, end {load_end}"
          f"{' (+ stress-ng --cpu 1)' if args.load else ''}")
    print(f"CPU {fmt(result.get('cpu_percent_one_core'), 1)} % of one core, RSS mean "
          f"{fmt(rss.get('mean'), 1)} max {fmt(rss.get('max'), 1)} MB, "
          f"{result.get('threads', '-')} threads; anon {fmt(result.get('rss_anon_mb_mean'), 1)} "
          f"file-backed {fmt(result.get('rss_file_mb_mean'), 1)} MB")
    if result.get("rss_breakdown_mid_run"):
        print("RSS by mapping mid-run: " + ", ".join(
            f"{b['mapping']} {b['rss_mb']:.1f}" for b in result["rss_breakdown_mid_run"][:8]))
    print(f"state {fmt(result.get('state_rate_hz'), 2)} Hz, period p50 {fmt(per.get('p50'))} "
          f"p99 {fmt(per.get('p99'))} max {fmt(per.get('max'))} ms, overruns "
          f"{result.get('overruns_in_window', '-')} (total {result.get('overruns_total', '-')}), "
          f"telemetry dropped {result.get('dropped_total', '-')}")
    print(f"pilot {fmt(result.get('pilot_rate_hz_mean'), 1)} Hz mean "
          f"(min {fmt(result.get('pilot_rate_hz_min'), 1)}), inference p50 {fmt(inf.get('p50'))} "
          f"p99 {fmt(inf.get('p99'))} ms, prediction age p50 {fmt(age.get('p50'))} "
          f"p99 {fmt(age.get('p99'))} ms, reason none {fmt(100 * result.get('reason_none_share', 0), 1)} %")
    if lat:
        print(f"capture -> setpoint (node summary) p50 {lat[0]:.2f} p99 {lat[1]:.2f} "
              f"max {lat[2]:.2f} ms")
    fta = result.get("first_tick_age_ms", {})
    print(f"prediction age at first deadline tick (upper bound) p50 {fmt(fta.get('p50'))} "
          f"p99 {fmt(fta.get('p99'))} ms")
    print()
    print("| rate Hz | load | CPU % (1 core) | RSS mean/max MB | state Hz | period p50/p99/max ms "
          "| overruns | pilot Hz | inference p50/p99 ms | pred. age p50/p99 ms "
          "| capture->setpoint p50/p99 ms | reason none | loadavg (1 min) start/end |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print(f"| {args.rate:g} | {'stress-ng --cpu 1' if args.load else 'none'} "
          f"| {fmt(result.get('cpu_percent_one_core'), 1)} "
          f"| {fmt(rss.get('mean'), 1)} / {fmt(rss.get('max'), 1)} "
          f"| {fmt(result.get('state_rate_hz'), 2)} "
          f"| {fmt(per.get('p50'))} / {fmt(per.get('p99'))} / {fmt(per.get('max'))} "
          f"| {result.get('overruns_in_window', '-')} "
          f"| {fmt(result.get('pilot_rate_hz_mean'), 1)} "
          f"| {fmt(inf.get('p50'))} / {fmt(inf.get('p99'))} "
          f"| {fmt(age.get('p50'))} / {fmt(age.get('p99'))} "
          f"| {fmt(lat[0]) if lat else '-'} / {fmt(lat[1]) if lat else '-'} "
          f"| {fmt(100 * result.get('reason_none_share', 0), 1)} % "
          f"| {load_start[0]:.2f} / {load_end[0]:.2f} |")
    if args.json:
        print(f"\nwrote {args.json}")
    if rc != 0 or not states:
        print(f"node_bench: rcpilot exited {rc} with {len(states)} state messages; "
              f"last output:\n{output[-2000:]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
