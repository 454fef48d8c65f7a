#!/usr/bin/env python3
"""Checks the include graph of rcpilot's components against the design (ARCHITECTURE.md):
dependencies only point down the list of components, the real-time core includes no ZeroMQ,
JSON, logging, OpenCV or simulator header, and only the node, the simulator and the tools that
choose a motor link reach the simulated car (through sim_backend/, never sim/ itself).
Usage: check_includes.py <source root>; exits 1 listing every include that breaks a rule."""
import pathlib
import re
import sys

# Component folder -> project include prefixes it may use (besides its own).
ALLOWED = {
    "common": [],
    "config": ["common/"],
    "firmware_iface": ["common/", "config/", "firmware_iface/", "rcp_"],
    "perception": ["common/", "config/"],
    "vehicle/control": ["common/", "config/", "firmware_iface/", "perception/prediction.hpp"],
    "vehicle/zmq": [],
    "vehicle/telemetry": ["common/", "config/", "firmware_iface/", "perception/", "control/",
                          "zmq_options/"],
    "vehicle/recording": ["common/", "config/", "perception/", "control/"],
    "vehicle/operator/ctl": ["zmq_options/", "config/command_line.hpp"],
    "vehicle/operator": ["common/", "config/", "control/", "telemetry/", "ctl/", "zmq_options/"],
    "vehicle/web": ["common/", "config/", "ctl/", "zmq_options/"],
    "vehicle/node": ["common/", "config/", "firmware_iface/", "perception/", "control/",
                     "telemetry/", "recording/", "operator/", "sim_backend/"],
    "sim": ["common/", "config/", "firmware_iface/", "perception/", "control/", "telemetry/",
            "rcp_", "sim_backend/"],
}
# Tools that open a motor link may load the simulated car for motor.driver sim/native_sim.
TOOL_EXTRA = {"firmware_iface/tools": ["sim_backend/"]}
OWN_PREFIX = {"vehicle/control": "control/", "vehicle/telemetry": "telemetry/",
              "vehicle/recording": "recording/", "vehicle/operator/ctl": "ctl/",
              "vehicle/zmq": "zmq_options/",
              "vehicle/operator": "operator/", "vehicle/node": "node/", "sim": "sim/",
              "vehicle/web": "web/"}
# System headers the real-time core must not see.
CORE_FORBIDDEN = ("zmq", "nlohmann/", "spdlog/", "fmt/", "opencv2/", "CLI/", "boost/asio")
PROJECT = re.compile(r'#include\s+"([^"]+)"')
SYSTEM = re.compile(r"#include\s+<([^>]+)>")


def component_of(rel):
    best = None
    for name in ALLOWED:
        if rel.startswith(name + "/") and (best is None or len(name) > len(best)):
            best = name
    return best


def allowed_prefixes(rel, component):
    prefixes = list(ALLOWED[component]) + [OWN_PREFIX.get(component, component + "/")]
    for folder, extra in TOOL_EXTRA.items():
        if rel.startswith(folder + "/"):
            prefixes += extra
    return prefixes


def check_file(path, rel, component):
    problems = []
    text = path.read_text(errors="replace")
    prefixes = allowed_prefixes(rel, component)
    for header in PROJECT.findall(text):
        if "/" not in header or header.startswith("../"):
            continue  # a header beside the source (private to the component)
        if not any(header.startswith(p) for p in prefixes):
            problems.append(f"{rel}: includes \"{header}\" ({component} may use {prefixes})")
    if component == "vehicle/control":
        for header in SYSTEM.findall(text):
            if header.startswith(CORE_FORBIDDEN):
                problems.append(f"{rel}: the real-time core includes <{header}>")
    return problems


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    problems = []
    checked = 0
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".cpp", ".hpp", ".h") or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("build", "tests/", "bench/")) or "/firmware/" in rel:
            continue
        component = component_of(rel)
        if component is None:
            continue
        checked += 1
        problems += check_file(path, rel, component)
    for p in problems:
        print(p)
    print(f"{checked} files checked, {len(problems)} broken rules")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
