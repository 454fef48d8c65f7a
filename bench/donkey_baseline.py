#!/usr/bin/python3
"""A Donkey Car-style vehicle loop in Python: the baseline rcpilot is measured against.

Usage (from the repository root; Debian's python3-opencv, python3-numpy, python3-yaml):
  /usr/bin/python3 bench/donkey_baseline.py --frames DIR [--rate 20] [--fps 30] [--seconds 60]
                                            [--warmup 3] [--threads 2] [--json OUT]

Shaped like donkeycar/vehicle.py as Donkey 4.x/5.x runs it on a car:
  * a camera part that is *threaded* (Donkey's `run_threaded` parts): its own thread reads frames
    at the camera's rate and caches the newest one; the loop takes whatever is cached;
  * `Vehicle.start()`'s loop: call every part in turn, then `time.sleep(1/rate - elapsed)`
    (a relative sleep; when a pass takes longer than the period Donkey prints a "jitter
    violation" and does not sleep);
  * a pilot part that runs the bundled model in-line, every pass, on whatever frame is cached
    (Donkey does not check whether it saw that frame already), with OpenCV DNN instead of
    Keras/TensorFlow so that both sides run the same inference engine;
  * a drive part that takes the command (here it records it, as the actuator part's run()).

The frames are the simulator's own (`rcpilot-sim record` writes them; bench/node_bench.py
--suite makes them and feeds the same folder to rcpilot with camera.source=images): the camera
thread replays them in file order (leading number, then name, like rcpilot's ImageFolderCamera),
paced on an absolute schedule at --fps, looping, and stamps each frame with CLOCK_MONOTONIC when
it has it decoded, as rcpilot's frame grabber does.

Measured after --warmup (all from CLOCK_MONOTONIC, which is time.monotonic() on Linux):
  capture -> command latency p50/p99/max (frame captured -> drive part got the command made
  from it), loop period p50/p99/max and period error |period - 1/rate| p50/p99/max, missed
  deadlines (passes longer than the period: Donkey's jitter violations), pilot part time
  (preprocess + inference) p50/p99/max, unique frames the pilot used per second, CPU % of one core (process time) and RSS mean/max. Prints a summary; --json
  writes every figure.
"""

import argparse
import json
import os
import re
import sys
import threading
import time

import cv2
import numpy as np
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--frames", required=True, help="folder of .jpg/.png frames to replay")
    p.add_argument("--model", default=os.path.join(REPO, "models/linear.onnx"))
    p.add_argument("--metadata", default="", help="model metadata (default: the .yaml beside it)")
    p.add_argument("--rate", type=float, default=20.0, help="vehicle loop rate, Hz (Donkey's "
                   "DRIVE_LOOP_HZ; 20 by default there too)")
    p.add_argument("--fps", type=float, default=30.0, help="camera frame rate, Hz")
    p.add_argument("--seconds", type=float, default=60.0, help="measured time after warm-up")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds of loop not measured")
    p.add_argument("--threads", type=int, default=2, help="cv2.setNumThreads (rcpilot: "
                   "model.threads, 2 in the sim profile)")
    p.add_argument("--json", help="write all figures to this file")
    return p.parse_args(argv)


def leading_number(name):
    m = re.match(r"\d{1,18}", name)
    return int(m.group(0)) if m else -1


def list_frames(folder):
    names = [n for n in os.listdir(folder) if n.lower().endswith(IMAGE_EXTENSIONS)]
    if not names:
        sys.exit(f"donkey_baseline: no .jpg/.png images in {folder}; make them with "
                 "rcpilot-sim record --out DIR (the images are in DIR/images)")
    names.sort(key=lambda n: (leading_number(n), n))
    return [os.path.join(folder, n) for n in names]


def rss_mb():
    with open("/proc/self/status") as f:
        m = re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M)
    return int(m.group(1)) / 1024.0


class ReplayCamera:
    """Threaded camera part: its thread delivers one frame per 1/fps, the loop takes the newest."""

    def __init__(self, files, fps):
        self.files = files
        self.period = 1.0 / fps
        self.frame = None          # (pixels, sequence, capture time s)
        self.lock = threading.Lock()
        self.on = True
        self.thread = threading.Thread(target=self.update, daemon=True)

    def start(self):
        self.thread.start()

    def update(self):
        next_t = time.monotonic()
        seq = 0
        while self.on:
            # Absolute schedule like a sensor's frame clock; missed instants are skipped.
            now = time.monotonic()
            if now < next_t:
                time.sleep(next_t - now)
            else:
                next_t += self.period * int((now - next_t) / self.period)
            next_t += self.period
            img = cv2.imread(self.files[seq % len(self.files)], cv2.IMREAD_COLOR)
            seq += 1
            captured = time.monotonic()
            with self.lock:
                self.frame = (img, seq, captured)

    def run_threaded(self):
        with self.lock:
            return self.frame

    def shutdown(self):
        self.on = False
        self.thread.join(1.0)


class OpenCvPilot:
    """Pilot part: the model's preprocessing as its metadata says, then cv2.dnn."""

    def __init__(self, model, metadata, threads):
        with open(metadata) as f:
            meta = yaml.safe_load(f)
        inp = meta["input"]
        if inp.get("layout", "NCHW") != "NCHW":
            sys.exit(f"donkey_baseline: {metadata}: only input.layout NCHW is supported here")
        _, _, self.height, self.width = inp["shape"]
        crop = inp.get("crop") or {}
        self.crop_top, self.crop_bottom = crop.get("top", 0), crop.get("bottom", 0)
        self.rgb = inp.get("color", "RGB") == "RGB"
        self.scale = float(inp.get("scale", 1.0 / 255.0))
        self.mean = np.array(inp.get("mean", [0, 0, 0]), np.float32).reshape(3, 1, 1)
        self.std = np.array(inp.get("std", [1, 1, 1]), np.float32).reshape(3, 1, 1)
        self.interpolation = {"area": cv2.INTER_AREA, "linear": cv2.INTER_LINEAR,
                              "nearest": cv2.INTER_NEAREST,
                              "cubic": cv2.INTER_CUBIC}[inp.get("interpolation", "area")]
        self.outputs = [meta["outputs"]["steering"], meta["outputs"]["throttle"]]
        cv2.setNumThreads(threads)
        self.net = cv2.dnn.readNetFromONNX(model)
        self.net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        self.net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)

    def preprocess(self, bgr):
        img = bgr[self.crop_top:bgr.shape[0] - self.crop_bottom]
        if img.shape[0] != self.height or img.shape[1] != self.width:
            img = cv2.resize(img, (self.width, self.height), interpolation=self.interpolation)
        if self.rgb:
            img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        chw = img.transpose(2, 0, 1).astype(np.float32) * self.scale
        return ((chw - self.mean) / self.std)[np.newaxis]

    def run(self, bgr):
        if bgr is None:
            return 0.0, 0.0
        self.net.setInput(self.preprocess(bgr))
        steering, throttle = self.net.forward(self.outputs)
        return float(steering.flat[0]), float(throttle.flat[0])


class RecordingDrive:
    """Drive part: takes the command (a real car writes it to the PWM board) and records it."""

    def __init__(self, capacity):
        self.records = []  # (command time s, capture time s of its frame, frame sequence)
        self.capacity = capacity

    def run(self, steering, throttle, seq, captured):
        now = time.monotonic()
        if seq is not None and len(self.records) < self.capacity:
            self.records.append((now, captured, seq))
        self.last = (steering, throttle)


def pct(values, q):
    return float(np.percentile(np.asarray(values, float), q)) if len(values) else None


def summary(values):
    return {"p50": pct(values, 50), "p99": pct(values, 99),
            "max": float(max(values)) if len(values) else None, "count": len(values)}


def main(argv=None):
    args = parse_args(argv)
    metadata = args.metadata or os.path.splitext(args.model)[0] + ".yaml"
    files = list_frames(args.frames)
    camera = ReplayCamera(files, args.fps)
    pilot = OpenCvPilot(args.model, metadata, args.threads)
    period = 1.0 / args.rate
    drive = RecordingDrive(int((args.warmup + args.seconds) * args.rate) + 100)
    # Warm the network up as Donkey's pilots do by their first passes (and rcpilot by
    # model.warmup_runs) so that the one-off set-up of OpenCV DNN is not in the figures.
    blank = cv2.imread(files[0], cv2.IMREAD_COLOR)
    for _ in range(5):
        pilot.run(blank)
    camera.start()
    while camera.run_threaded() is None:  # Donkey waits for the camera's first frame as well
        time.sleep(0.005)

    starts, late, rss, pilot_ms = [], [], [], []
    cpu0 = None
    t_begin = time.monotonic()
    t_measure = t_begin + args.warmup
    t_end = t_measure + args.seconds
    print(f"donkey_baseline: {args.rate:g} Hz loop, camera {args.fps:g} fps from {len(files)} "
          f"frames in {args.frames}, model {args.model}, {args.threads} OpenCV threads",
          file=sys.stderr)
    while True:
        start = time.monotonic()
        if start >= t_end:
            break
        if start >= t_measure:
            if cpu0 is None:
                cpu0, wall0 = time.process_time(), start
            starts.append(start)
        # Vehicle.update_parts(): every part in turn, outputs passed on through memory.
        frame = camera.run_threaded()
        img, seq, captured = frame
        t_pilot = time.monotonic()
        steering, throttle = pilot.run(img)
        if start >= t_measure:
            pilot_ms.append((time.monotonic() - t_pilot) * 1000.0)
        drive.run(steering, throttle, seq, captured)
        if start >= t_measure and len(starts) % int(max(1, args.rate)) == 0:
            rss.append(rss_mb())
        sleep_time = period - (time.monotonic() - start)
        if sleep_time > 0.0:
            time.sleep(sleep_time)
        elif start >= t_measure:
            late.append(-sleep_time * 1000.0)  # Donkey: "jitter violation in vehicle loop"
    cpu1, wall1 = time.process_time(), time.monotonic()
    camera.shutdown()

    used = [r for r in drive.records if r[0] >= t_measure]
    latency = [(cmd - cap) * 1000.0 for cmd, cap, _ in used]
    periods = [(b - a) * 1000.0 for a, b in zip(starts, starts[1:])]
    errors = [abs(p - period * 1000.0) for p in periods]
    unique = len({seq for _, _, seq in used})
    result = {
        "rate_hz": args.rate,
        "camera_fps": args.fps,
        "seconds": args.seconds,
        "warmup_s": args.warmup,
        "frames_folder": os.path.abspath(args.frames),
        "model": os.path.abspath(args.model),
        "threads": args.threads,
        "passes": len(starts),
        "loop_rate_hz": (len(starts) - 1) / (starts[-1] - starts[0]) if len(starts) > 1 else None,
        "latency_ms": summary(latency),
        "period_ms": summary(periods),
        "period_error_ms": summary(errors),
        "pilot_ms": summary(pilot_ms),
        "missed_deadlines": len(late),
        "overrun_ms": summary(late),
        "unique_frames": unique,
        "unique_frames_per_s": unique / args.seconds,
        "cpu_percent_one_core": 100.0 * (cpu1 - cpu0) / (wall1 - wall0) if cpu0 is not None
        else None,
        "rss_mb": {"mean": float(np.mean(rss)) if rss else None,
                   "max": float(np.max(rss)) if rss else None},
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)

    def three(s):
        return " / ".join("-" if s[k] is None else f"{s[k]:.2f}" for k in ("p50", "p99", "max"))

    print(f"loop {result['loop_rate_hz'] or 0:.2f} Hz over {len(starts)} passes, "
          f"period p50/p99/max {three(result['period_ms'])} ms, "
          f"period error {three(result['period_error_ms'])} ms, "
          f"missed deadlines {len(late)}")
    print(f"capture -> command p50/p99/max {three(result['latency_ms'])} ms; "
          f"pilot (preprocess + inference) {three(result['pilot_ms'])} ms, "
          f"used {result['unique_frames_per_s']:.1f} unique frames/s")
    print(f"CPU {result['cpu_percent_one_core'] or 0:.1f} % of one core, RSS mean "
          f"{result['rss_mb']['mean'] or 0:.1f} max {result['rss_mb']['max'] or 0:.1f} MB")
    return 0 if len(starts) > 1 else 1


if __name__ == "__main__":
    sys.exit(main())
