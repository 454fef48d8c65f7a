"""Fake Jetson trees for rcpilot-perf tests: sysfs/proc/etc files plus fake nvpmodel,
jetson_clocks and systemctl shell scripts that keep their state in files inside the tree and
append every call to var/log/fake-calls.log."""

import os
import stat

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PERF = os.path.join(REPO, "scripts", "rcpilot-perf")
CALL_LOG = "var/log/fake-calls.log"

NVPMODEL = r"""#!/bin/sh
# Fake nvpmodel: the mode lives in var/lib/fake/nvpmodel_mode; -m resets the clock ranges.
root=$(cd "$(dirname "$0")/../.." && pwd)
echo "nvpmodel $*" >> "$root/var/log/fake-calls.log" 2>/dev/null
state="$root/var/lib/fake/nvpmodel_mode"
case "$1" in
  -q) mode=$(cat "$state")
      echo "NV Power Mode: $(awk -v m="$mode" '$1 == m { print $2 }' "$root/var/lib/fake/modes")"
      echo "$mode" ;;
  -m) line=$(grep "^$2 " "$root/var/lib/fake/modes") || { echo "bad mode $2" >&2; exit 1; }
      set -- $line
      echo "$1" > "$state"
      for f in "$root"/sys/devices/system/cpu/cpu[0-9]*/cpufreq; do
        echo "$3" > "$f/scaling_max_freq"; echo "$4" > "$f/scaling_min_freq"
      done
      gpu="$root/$(cat "$root/var/lib/fake/gpu_dir")"
      echo "$5" > "$gpu/max_freq"; echo "$6" > "$gpu/min_freq" ;;
  *) echo "fake nvpmodel: unsupported $*" >&2; exit 2 ;;
esac
"""

JETSON_CLOCKS = r"""#!/bin/sh
# Fake jetson_clocks: --store/--restore the clock ranges and fan; no option locks min=max.
root=$(cd "$(dirname "$0")/../.." && pwd)
echo "jetson_clocks $*" >> "$root/var/log/fake-calls.log" 2>/dev/null
gpu="$root/$(cat "$root/var/lib/fake/gpu_dir")"
fan="$root/sys/devices/pwm-fan/target_pwm"
files() {
  for f in "$root"/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_m*_freq; do echo "$f"; done
  echo "$gpu/min_freq"; echo "$gpu/max_freq"
  [ -e "$fan" ] && echo "$fan"
}
case "$1" in
  --store) if [ -e "$2" ]; then
             echo "File $2 already exists. Can I overwrite it? Y/N:"; read -r a
             [ "$a" = Y ] || exit 1
           fi
           for f in $(files); do echo "$f:$(cat "$f")"; done > "$2" ;;
  --restore) [ -f "$2" ] || { echo "$2 not found" >&2; exit 1; }
             while IFS=: read -r f v; do echo "$v" > "$f"; done < "$2" ;;
  "") for f in "$root"/sys/devices/system/cpu/cpu[0-9]*/cpufreq; do
        cat "$f/scaling_max_freq" > "$f/scaling_min_freq"
      done
      cat "$gpu/max_freq" > "$gpu/min_freq"
      [ -e "$fan" ] && echo 255 > "$fan"
      true ;;
  *) echo "fake jetson_clocks: unsupported $*" >&2; exit 2 ;;
esac
"""

SYSTEMCTL = r"""#!/bin/sh
# Fake systemctl: a unit exists when var/lib/fake/units/<unit> does; it holds active|inactive.
root=$(cd "$(dirname "$0")/../.." && pwd)
echo "systemctl $*" >> "$root/var/log/fake-calls.log" 2>/dev/null
unit="$root/var/lib/fake/units/$2"
case "$1" in
  is-active) if [ -f "$unit" ]; then s=$(cat "$unit"); echo "$s"; [ "$s" = active ]; exit
             fi
             echo inactive; exit 3 ;;
  start|stop) [ -f "$unit" ] || { echo "Unit $2 not found." >&2; exit 5; }
              if [ "$1" = start ]; then echo active > "$unit"; else echo inactive > "$unit"; fi ;;
  show) [ "$2 $3" = "-p LoadState" ] || { echo "fake systemctl: unsupported $*" >&2; exit 2; }
        if [ -f "$root/var/lib/fake/units/$4" ]; then echo LoadState=loaded
        else echo LoadState=not-found; fi ;;
  daemon-reload) ;;
  *) echo "fake systemctl: unsupported $*" >&2; exit 2 ;;
esac
"""

NANO = {
    "model": "NVIDIA Jetson Nano Developer Kit",
    "release": "# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, "
               "DATE: Sat Feb 19 17:05:08 UTC 2022\n",
    # id, name, cpu max kHz, cpu min kHz, gpu max Hz, gpu min Hz
    "modes": [(0, "MAXN", 1479000, 102000, 921600000, 76800000),
              (1, "5W", 918000, 102000, 640000000, 76800000)],
    "mode": 1,
    "cpus": 4,
    "cpu_min": 204000,  # a user-set minimum: only jetson_clocks --restore brings it back
    "gpu_dir": "sys/devices/gpu.0/devfreq/57000000.gpu",
    "fan": ("sys/devices/pwm-fan/target_pwm", 0),
    "zones": [("AO-therm", 37500), ("CPU-therm", 40500), ("GPU-therm", 39000),
              ("PLL-therm", 38250), ("PMIC-Die", 100000), ("thermal-fan-est", 39800)],
    "units": {},
}

ORIN = {
    "model": "NVIDIA Jetson Orin Nano Developer Kit",
    "release": "# R36 (release), REVISION: 3.0, GCID: 36923193, BOARD: generic, EABI: aarch64, "
               "DATE: Fri Jul 19 23:24:25 UTC 2024\n",
    "modes": [(0, "15W", 1510400, 729600, 624750000, 306000000),
              (1, "7W", 960000, 729600, 408000000, 306000000)],
    "mode": 1,
    "cpus": 6,
    "cpu_min": 883200,
    "gpu_dir": "sys/devices/platform/bus@0/17000000.gpu/devfreq/17000000.gpu",
    "fan": ("sys/devices/platform/pwm-fan/hwmon/hwmon3/pwm1", 80),
    "zones": [("cpu-thermal", 48000), ("gpu-thermal", 46500), ("cv0-thermal", -256000),
              ("soc0-thermal", 47000), ("soc1-thermal", 46000), ("tj-thermal", None)],
    "units": {"nvfancontrol.service": "active"},
}

NOT_JETSON = {"model": "Raspberry Pi 4 Model B Rev 1.4"}


def write(root, rel, text, mode=0o644):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode())
    os.chmod(path, mode)
    return path


def build(root, board):
    """Writes a fake tree for `board` (NANO, ORIN or NOT_JETSON) under root."""
    write(root, "proc/device-tree/model", board["model"].encode() + b"\x00")
    if "release" not in board:
        return root
    write(root, "etc/nv_tegra_release", board["release"])
    write(root, "etc/nvpmodel.conf", "".join(
        "< POWER_MODEL ID={} NAME={} >\nCPU_ONLINE CORE_0 1\n".format(m[0], m[1])
        for m in board["modes"]))
    write(root, "var/lib/fake/modes", "".join(" ".join(str(v) for v in m) + "\n"
                                              for m in board["modes"]))
    write(root, "var/lib/fake/nvpmodel_mode", "{}\n".format(board["mode"]))
    write(root, "var/lib/fake/gpu_dir", board["gpu_dir"] + "\n")
    mode = [m for m in board["modes"] if m[0] == board["mode"]][0]
    for cpu in range(board["cpus"]):
        folder = "sys/devices/system/cpu/cpu{}/cpufreq/".format(cpu)
        write(root, folder + "scaling_min_freq", "{}\n".format(board["cpu_min"]))
        write(root, folder + "scaling_max_freq", "{}\n".format(mode[2]))
    write(root, board["gpu_dir"] + "/min_freq", "{}\n".format(mode[5]))
    write(root, board["gpu_dir"] + "/max_freq", "{}\n".format(mode[4]))
    os.makedirs(os.path.join(root, "sys/class/devfreq"), exist_ok=True)
    os.symlink(os.path.relpath(os.path.join(root, board["gpu_dir"]),
                               os.path.join(root, "sys/class/devfreq")),
               os.path.join(root, "sys/class/devfreq", os.path.basename(board["gpu_dir"])))
    write(root, board["fan"][0], "{}\n".format(board["fan"][1]))
    for i, (name, milli) in enumerate(board["zones"]):
        folder = "sys/devices/virtual/thermal/thermal_zone{}/".format(i)
        write(root, folder + "type", name + "\n")
        write(root, folder + "temp", "" if milli is None else "{}\n".format(milli))
    os.makedirs(os.path.join(root, "var/lib/fake/units"), exist_ok=True)
    for unit, state in board["units"].items():
        write(root, "var/lib/fake/units/" + unit, state + "\n")
    for name, script in (("nvpmodel", NVPMODEL), ("jetson_clocks", JETSON_CLOCKS),
                         ("systemctl", SYSTEMCTL)):
        write(root, "usr/bin/" + name, script, 0o755)
    write(root, CALL_LOG, "", 0o666)
    return root


def set_temp(root, zone_type, temp_c):
    """Sets the temperature of the first zone of that type (millidegrees in the file)."""
    base = os.path.join(root, "sys/devices/virtual/thermal")
    for zone in sorted(os.listdir(base)):
        with open(os.path.join(base, zone, "type")) as f:
            if f.read().strip() == zone_type:
                with open(os.path.join(base, zone, "temp"), "w") as out:
                    out.write("{}\n".format(int(round(temp_c * 1000))))
                return
    raise KeyError(zone_type)


def read(root, rel):
    with open(os.path.join(root, rel)) as f:
        return f.read()


def snapshot(root):
    """{relative path: bytes or ('link', target) or ('mode', bits)} of the whole tree except
    the call log: what a round trip must leave unchanged."""
    result = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            if rel == CALL_LOG:
                continue
            if os.path.islink(path):
                result[rel] = ("link", os.readlink(path))
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    result[rel] = (f.read(), stat.S_IMODE(os.stat(path).st_mode))
            else:
                result[rel] = ("dir", stat.S_IMODE(os.stat(path).st_mode))
    return result


def calls(root):
    return read(root, CALL_LOG).splitlines()
