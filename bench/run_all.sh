#!/usr/bin/env bash
# Builds rcpilot (Release) and runs every benchmark; prints what to paste into bench/RESULTS.md.
#
#   bench/run_all.sh [--quick] [--long] [--model PATH.onnx] [--build DIR]
#
#   --quick   10 s node runs and 5 s bench_pilot cases instead of 60 s and 30 s (a smoke test,
#             not figures to record)
#   --long    also the 10-minute 20 Hz run with stress-ng (issue 5's missed-deadline target)
#   --model   use this model (metadata: the .yaml beside it) instead of models/linear.onnx
#   --build   build folder (default build-bench)
#   --load    accepted for older command lines: the node suite always runs with and without
#             stress-ng --cpu 1
#
# bench_inference times the bundled model (or --model) and a ResNet18 regressor that
# scripts/export_resnet18.py writes to <build>/models/ (random weights; needs python3-torchvision).
# bench_pilot runs FrameGrabber + PilotThread on the sim camera at 30, 60 and 240 fps and unpaced:
# grab -> prediction latency and unique frames/s.
# The node runs are bench/node_bench.py --suite: rcpilot at 20/50/100 Hz, rcpilot against the
# Donkey-style Python baseline (bench/donkey_baseline.py) on the same frames, the pilot with an
# unthrottled source. Outputs (JSON, benchmark logs, suite/results.md) go to $BENCH_OUT
# (default <build>/bench-results).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$repo/build-bench"
seconds=60
pilot_seconds=30
model=""
long=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) seconds=10; pilot_seconds=5 ;;
    --model) model="$(realpath "$2")"; shift ;;
    --build) build="$(realpath -m "$2")"; shift ;;
    --load) ;;
    --long) long=(--long) ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "run_all.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
out="${BENCH_OUT:-$build/bench-results}"
mkdir -p "$out"

if [[ -z "$model" ]]; then
  model="$repo/models/linear.onnx"
  if [[ ! -f "$model" ]]; then
    echo "run_all.sh: $model is missing; pass --model PATH.onnx (a stand-in) until it exists" >&2
    exit 2
  fi
fi
model_set=()
if [[ "$model" != "$repo/models/linear.onnx" ]]; then model_set=(--set "model.path=$model"); fi

echo "== build (Release) in $build" >&2
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRCPILOT_BUILD_TESTS=OFF >"$out/cmake.log"
cmake --build "$build" -j2 --target rcpilot rcpilot-sim bench_render bench_inference bench_pilot \
  >"$out/build.log"

resnet18="$build/models/resnet18.onnx"
if [[ ! -f "$resnet18" || "$repo/scripts/export_resnet18.py" -nt "$resnet18" ]]; then
  echo "== export ResNet18 to $resnet18" >&2
  /usr/bin/python3 "$repo/scripts/export_resnet18.py" --out "$resnet18" >"$out/resnet18.log" 2>&1 \
    || echo "run_all.sh: ResNet18 export failed (see $out/resnet18.log): its rows are errors" >&2
fi

load() { cut -d' ' -f1-3 /proc/loadavg; }
# The hypervisor's steal (/proc/stat): CPU time the host did not give this VM, which is what
# stretches the tails here; the load average inside the VM does not show it.
steal_mark() { echo "$(date +%s.%N) $(awk '/^cpu /{print $9}' /proc/stat)"; }
steal_since() {  # "host steal X %" of the VM's CPU time since a steal_mark
  read -r t0 s0 <<<"$1"
  read -r t1 s1 <<<"$(steal_mark)"
  awk -v t0="$t0" -v s0="$s0" -v t1="$t1" -v s1="$s1" -v n="$(nproc)" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "host steal %.2f %%", 100 * (s1 - s0) / hz / ((t1 - t0) * n) }'
}

echo "== bench_render" >&2
render_load_start="$(load)"; render_mark="$(steal_mark)"
"$build/bench/bench_render" --benchmark_min_time=2 --benchmark_out="$out/bench_render.json" \
  --benchmark_out_format=json | tee "$out/bench_render.txt"
render_load_end="$(load), $(steal_since "$render_mark")"

echo "== bench_inference ($model, $resnet18)" >&2
infer_load_start="$(load)"; infer_mark="$(steal_mark)"
RCPILOT_BENCH_MODEL="$model" RCPILOT_BENCH_RESNET18="$resnet18" "$build/bench/bench_inference" \
  --benchmark_out="$out/bench_inference.json" --benchmark_out_format=json \
  | tee "$out/bench_inference.txt"
infer_load_end="$(load), $(steal_since "$infer_mark")"

echo "== bench_pilot ($pilot_seconds s per source)" >&2
pilot_load_start="$(load)"; pilot_mark="$(steal_mark)"
"$build/bench/bench_pilot" --model "$model" --seconds "$pilot_seconds" \
  --json "$out/bench_pilot.json" | tee "$out/bench_pilot.txt"
pilot_load_end="$(load), $(steal_since "$pilot_mark")"

echo "== node_bench --suite ${long[*]:-} ($seconds s runs)" >&2
suite_status=0
/usr/bin/python3 "$repo/bench/node_bench.py" --suite ${long[@]+"${long[@]}"} \
  --rcpilot "$build/bin/rcpilot" --config "$repo/config/profiles/sim.yaml" \
  --duration "$seconds" --out "$out/suite" ${model_set[@]+"${model_set[@]}"} \
  >"$out/suite.txt" || suite_status=$?

echo
echo "================ paste into bench/RESULTS.md ================"
echo
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet 2>/dev/null || echo ' + uncommitted changes')"
echo
echo "| machine | |"
echo "| --- | --- |"
echo "| CPU | $(lscpu | sed -n 's/^Model name: *//p' | head -1) |"
echo "| cores | $(nproc) online ($(lscpu | sed -n 's/^Thread(s) per core: *//p') thread(s) per core) |"
echo "| RAM | $(free -h | awk '/^Mem:/ {print $2}') |"
echo "| OS | $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r) |"
echo "| OpenCV | $(pkg-config --modversion opencv4 2>/dev/null || echo '?') |"
echo "| compiler | $(c++ --version | head -1) |"
echo "| model | $model ($(stat -c %s "$model") bytes) |"
echo
echo "Render (bench_render; load $render_load_start -> $render_load_end):"
echo
/usr/bin/python3 - "$out/bench_render.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print("| benchmark | ms per frame (real) | CPU ms |")
print("| --- | --- | --- |")
for b in d["benchmarks"]:
    print(f"| {b['name']} | {b['real_time']:.3f} | {b['cpu_time']:.3f} |")
EOF
echo
echo "Preprocess + inference (bench_inference; load $infer_load_start -> $infer_load_end):"
echo
/usr/bin/python3 - "$out/bench_inference.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print("| model | backend | precision | threads | p50 ms | p99 ms | preprocess p50 ms "
      "| inference p50 ms | mean ms |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for b in d["benchmarks"]:
    args = dict(part.split(":") for part in b["name"].split("/")[1:] if ":" in part)
    backend = "opencv" if args.get("backend") == "0" else "onednn"
    precision = "bf16" if args.get("backend") == "2" else "fp32"
    threads = args.get("threads", "?")
    if b.get("error_occurred"):
        name = b["name"].split("/")[0]
        print(f"| {name} | {backend} | {precision} | {threads} | error: {b.get('error_message')} "
              "| | | | |")
        continue
    print(f"| {b.get('label', '')} | {backend} | {precision} | {threads} | {b['p50_ms']:.2f} "
          f"| {b['p99_ms']:.2f} "
          f"| {b['preprocess_p50_ms']:.3f} | {b['inference_p50_ms']:.2f} | {b['real_time']:.2f} |")
EOF
echo
echo "Grab -> prediction and pilot rate (bench_pilot, sim camera, $pilot_seconds s per source; load $pilot_load_start -> $pilot_load_end):"
echo
cat "$out/bench_pilot.txt"
echo
echo "Node on the simulated car and the Donkey-style baseline (bench/node_bench.py --suite):"
echo
cat "$out/suite/results.md" || true
[[ $suite_status == 0 ]] || echo "(some node runs failed: see $out/suite.txt)"
echo
echo "JSON and logs: $out"
