"""Measuring a running process for the benchmarks: /proc CPU and memory, telemetry capture and
analysis, a CPU hog. Used by bench/node_bench.py."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import zmq

SAMPLE_EVERY_S = 0.5
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def steal_clock():
    """(monotonic s, CPU s stolen by the hypervisor so far, summed over CPUs): /proc/stat's
    steal column. On a VM a vCPU the host does not run is what stretches the tails; the load
    average inside the VM does not show it."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    ticks = int(fields[8]) if len(fields) > 8 else 0
    return time.monotonic(), ticks / os.sysconf("SC_CLK_TCK")


def steal_percent(start):
    """Share of the machine's CPU time the host took since `start` (a steal_clock()), in %."""
    now, stolen = steal_clock()
    wall = now - start[0]
    return 100.0 * (stolen - start[1]) / (wall * os.cpu_count()) if wall > 0 else None


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


def pss_mb(pid):
    """Proportional set size (shared pages split between their users), MB, or None."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            m = re.search(r"^Pss:\s+(\d+) kB", f.read(), re.M)
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(m.group(1)) / 1024.0 if m else None


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


def analyse_states(states, warmup_s, rate_hz):
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
    errors = [abs(p - 1000.0 / rate_hz) for p in periods]
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
        "period_error_ms": {"p50": pct(errors, 50), "p99": pct(errors, 99),
                            "max": max(errors) if errors else None},
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


class Hog:
    """`stress-ng --cpu 1` for the length of a run: keeps about one core busy."""

    def __init__(self, seconds, cpu=None):
        if shutil.which("stress-ng") is None:
            sys.exit("node_bench: stress-ng is missing; scripts/install-deps installs it "
                     "(or: apt-get install stress-ng)")
        cmd = ["stress-ng", "--cpu", "1", "--timeout", f"{int(seconds) + 60}s", "--quiet"]
        if cpu is not None:
            cmd = ["taskset", "-c", str(cpu)] + cmd
        self.describe = "stress-ng --cpu 1" + (f" on CPU {cpu}" if cpu is not None else "")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        time.sleep(0.5)

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait()


