#!/usr/bin/python3
"""What rcpilot-web costs the node, and what it costs itself (issue 19).

Three runs of the real rcpilot on the simulated car (bench/node_bench.py's single run, 50 Hz,
camera 30 fps), each for --duration s after the warm-up:
  1. no camera frames on telemetry, no page (the node as it is by default);
  2. telemetry.frame_every_n_ticks=1 (every new camera frame JPEG-encoded and published: 30/s),
     no page;
  3. as 2, with rcpilot-web running and one headless Chromium page open, streaming the camera.
For each: the node's loop period error p50/p99, capture -> setpoint latency p50/p99 (the node's
own summary), node CPU and RSS. For run 3 also rcpilot-web's CPU (% of one core) and RSS from
/proc, the frames the page showed per second, repeats, and the frame age at the browser p50/p99
(age when rcpilot-web received it + half the measured round trip + the page's decode time).

Usage (from the repository root): bench/web_bench.py [--duration 30] [--repeat N] [--json OUT]
  [--rcpilot build/bin/rcpilot] [--web build/bin/rcpilot-web]
Needs python3-zmq, python3-numpy, python3-selenium, chromium and chromium-driver."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node_bench  # noqa: E402
from bench_measure import free_port, pct, read_proc, SAMPLE_EVERY_S  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rcpilot", default=os.path.join(REPO, "build/bin/rcpilot"))
    p.add_argument("--web", default=os.path.join(REPO, "build/bin/rcpilot-web"))
    p.add_argument("--duration", type=float, default=30.0)
    p.add_argument("--repeat", type=int, default=1, help="run the three runs this many times")
    p.add_argument("--json", help="write every figure to this file")
    return p.parse_args()


class ProcSampler(threading.Thread):
    """Samples a process's CPU time and RSS every SAMPLE_EVERY_S until stopped."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.samples, self.stop_flag = pid, [], threading.Event()

    def run(self):
        while not self.stop_flag.wait(SAMPLE_EVERY_S):
            r = read_proc(self.pid)
            if r is not None:
                self.samples.append((time.monotonic(), r[0], r[1]))

    def figures(self, since):
        window = [s for s in self.samples if s[0] >= since]
        if len(window) < 2:
            return {}
        wall = window[-1][0] - window[0][0]
        return {"cpu_percent_one_core": 100.0 * (window[-1][1] - window[0][1]) / wall,
                "rss_mb_max": max(s[2] for s in window)}


def open_page(url):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.get(url)
    return driver


def run(args, frames, page):
    telemetry, control = free_port(), free_port()
    overrides = [f"control_api.endpoint=tcp://127.0.0.1:{control}"]
    if frames:
        overrides.append("telemetry.frame_every_n_ticks=1")
    argv = ["--rcpilot", args.rcpilot, "--rate", "50", "--duration", f"{args.duration:g}"]
    for o in overrides:
        argv += ["--set", o]
    node_args = node_bench.parse_args(argv)
    node_bench.free_port = lambda: telemetry  # the node's telemetry port, known to rcpilot-web
    web = driver = sampler = None
    if page:
        port = free_port()
        web = subprocess.Popen([args.web, "--port", str(port), "--telemetry",
                                f"tcp://127.0.0.1:{telemetry}", "--control",
                                f"tcp://127.0.0.1:{control}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        driver = open_page(f"http://127.0.0.1:{port}/")
        sampler = ProcSampler(web.pid)
        sampler.start()
    started = time.monotonic()
    result = node_bench.run_node(node_args)
    table = result["table"]
    out = {"frames_on_telemetry": frames, "page": page,
           "period_error_ms": table["period_error_ms"], "latency_ms": table["latency_ms"],
           "node_cpu_percent": table["cpu_percent"], "node_rss_mb": table["rss_mb"],
           "loadavg": [table["loadavg_start"], table["loadavg_end"]],
           "steal_percent": table["steal_percent"], "ok": result["ok"]}
    if page:
        stats = driver.execute_script("return window.rcpilot")
        wall = time.monotonic() - started
        out["web"] = sampler.figures(started + node_args.warmup + 5.0)
        ages = stats["ages"]
        out["browser"] = {"frames_shown": stats["framesShown"], "repeats": stats["repeats"],
                          "frames_per_s": stats["framesShown"] / wall,
                          "frame_age_ms": {"p50": pct(ages, 50), "p99": pct(ages, 99)}}
        sampler.stop_flag.set()
        driver.quit()
        web.terminate()
        web.wait(timeout=10)
    return out


def main():
    args = parse_args()
    runs = []
    for _ in range(args.repeat):
        runs += [run(args, False, False), run(args, True, False), run(args, True, True)]
    print(json.dumps(runs, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(runs, f, indent=2)
    return 0 if all(r["ok"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
