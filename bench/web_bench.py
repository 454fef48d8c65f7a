#!/usr/bin/python3
"""What rcpilot-web costs the node, and what it costs itself (issue 19).

Four runs of the real rcpilot on the simulated car (bench/node_bench.py's single run, 50 Hz,
camera 30 fps), each for --duration s after the warm-up:
  1. no camera frames on telemetry, no page (the node as it is by default);
  2. telemetry.frame_every_n_ticks=1 (every new camera frame JPEG-encoded and published: 30/s),
     no page;
  3. as 2, with rcpilot-web running and one headless Chromium page open, streaming the camera
     (Chromium decoding and drawing 30 frames/s shares the 2 cores here; on the car the browser
     is on the phone);
  4. as 2, with rcpilot-web streaming to a minimal WebSocket client in this script (no browser
     on the machine: what the car carries when a phone watches).
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
import socket
import struct
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


class RawClient(threading.Thread):
    """A minimal WebSocket client (RFC 6455 over a plain socket, no library) on /ws: reads every
    message, answers pings, sends the page's ping once a second, and keeps each frame's age (ms,
    when rcpilot-web received it, as the page shows without the round trip) and sequence."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: cmNwaWxvdC13ZWItYmVuY2g=\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"web_bench: /ws refused the upgrade: {head[:80]!r}")
        self.sock.settimeout(60)  # the node may take a while to start sending frames
        self.ages, self.seqs, self.stop_flag = [], [], threading.Event()

    def recv_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def send(self, opcode, payload):
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def read_frame(self):
        b0, b1 = self.recv_exact(2)
        length = b1 & 0x7F
        if length == 126:
            length = struct.unpack(">H", self.recv_exact(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", self.recv_exact(8))[0]
        return b0 & 0x80, b0 & 0x0F, self.recv_exact(length)

    def run(self):
        message, kind, next_ping = b"", None, time.monotonic()
        try:
            while not self.stop_flag.is_set():
                if time.monotonic() >= next_ping:
                    self.send(0x1, b'{"t":"ping","c":0}')
                    next_ping += 1.0
                fin, opcode, payload = self.read_frame()
                if opcode == 0x9:
                    self.send(0xA, payload)
                    continue
                if opcode in (0x1, 0x2):
                    message, kind = payload, opcode
                elif opcode == 0x0:
                    message += payload
                if fin and kind == 0x2:
                    n = struct.unpack(">I", message[:4])[0]
                    header = json.loads(message[4:4 + n])
                    self.ages.append(header["age_ms"])
                    self.seqs.append(header["frame_seq"])
        except (OSError, ConnectionError):
            pass


def run(args, frames, page, raw=False):
    telemetry, control = free_port(), free_port()
    overrides = [f"control_api.endpoint=tcp://127.0.0.1:{control}"]
    if frames:
        overrides.append("telemetry.frame_every_n_ticks=1")
    argv = ["--rcpilot", args.rcpilot, "--rate", "50", "--duration", f"{args.duration:g}"]
    for o in overrides:
        argv += ["--set", o]
    node_args = node_bench.parse_args(argv)
    node_bench.free_port = lambda: telemetry  # the node's telemetry port, known to rcpilot-web
    web = driver = sampler = client = None
    if page or raw:
        port = free_port()
        web = subprocess.Popen([args.web, "--port", str(port), "--telemetry",
                                f"tcp://127.0.0.1:{telemetry}", "--control",
                                f"tcp://127.0.0.1:{control}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        if raw:
            client = RawClient(port)
            client.start()
        else:
            driver = open_page(f"http://127.0.0.1:{port}/")
        sampler = ProcSampler(web.pid)
        sampler.start()
    started = time.monotonic()
    result = node_bench.run_node(node_args)
    table = result["table"]
    out = {"frames_on_telemetry": frames, "page": page, "raw_client": raw,
           "period_error_ms": table["period_error_ms"], "latency_ms": table["latency_ms"],
           "node_cpu_percent": table["cpu_percent"], "node_rss_mb": table["rss_mb"],
           "loadavg": [table["loadavg_start"], table["loadavg_end"]],
           "steal_percent": table["steal_percent"], "ok": result["ok"]}
    if page or raw:
        wall = time.monotonic() - started
        out["web"] = sampler.figures(started + node_args.warmup + 5.0)
        sampler.stop_flag.set()
        if raw:
            client.stop_flag.set()
            ages, shown = client.ages, len(client.seqs)
            repeats = sum(1 for x, y in zip(client.seqs, client.seqs[1:]) if y <= x)
            client.sock.close()
        else:
            stats = driver.execute_script("return window.rcpilot")
            ages, shown, repeats = stats["ages"], stats["framesShown"], stats["repeats"]
            driver.quit()
        out["browser"] = {"frames_shown": shown, "repeats": repeats,
                          "frames_per_s": shown / wall,
                          "frame_age_ms": {"p50": pct(ages, 50), "p99": pct(ages, 99)}}
        web.terminate()
        web.wait(timeout=10)
    return out


def main():
    args = parse_args()
    runs = []
    for _ in range(args.repeat):
        runs += [run(args, False, False), run(args, True, False), run(args, True, True),
                 run(args, True, False, raw=True)]
    print(json.dumps(runs, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(runs, f, indent=2)
    return 0 if all(r["ok"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
