"""Markdown tables for bench/RESULTS.md from bench/node_bench.py's runs (rcpilot and baseline).

Every run's result carries a "table" dict in one shape for both programs (node_bench.py fills
it): kind, source, rate_hz, load, seconds, missed, period_error_ms, latency_ms, latency_note,
unique_fps, pilot_ms, cpu_percent, rss_mb, loadavg_start, loadavg_end, steal_percent (the
share of the VM's CPU time the host took during the run; absent in older JSON).
"""

TARGETS = {
    "period_error_p99_ms": 1.0,
    "period_error_max_ms": 2.0,
    "latency_p50_ms": 7.0,
    "latency_p99_ms": 12.0,
    "unthrottled_fps": 160.0,
    "rss_mb": 100.0,
}


def fmt(v, digits=2):
    return "-" if v is None else f"{v:.{digits}f}"


def three(s, digits=2):
    s = s or {}
    return " / ".join(fmt(s.get(k), digits) for k in ("p50", "p99", "max"))


def run_table(results):
    """One row per run, in the order run."""
    lines = [
        "| program | frames | rate Hz | load | s | missed deadlines | period error p50/p99/max ms "
        "| capture->command p50/p99/max ms | pilot unique frames/s | pilot ms p50/p99 "
        "| CPU % (1 core) | RSS mean/max MB | loadavg (1 min) start/end | host steal % |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        t = r["table"]
        frames = f"{t['source']} {t['camera_fps']:g} fps"
        if t.get("failed"):
            lines.append(f"| {t['kind']} | {frames} | {t['rate_hz']:g} | {t['load']} "
                         f"| {t['seconds']:g} | failed: {t['failed']} |" + " |" * 8)
            continue
        pilot = t.get("pilot_ms") or {}
        rss = t.get("rss_mb") or {}
        lines.append(
            f"| {t['kind']} | {frames} | {t['rate_hz']:g} | {t['load']} | {t['seconds']:g} "
            f"| {t['missed'] if t['missed'] is not None else '-'} | {three(t['period_error_ms'])} "
            f"| {three(t['latency_ms'])}{t.get('latency_note', '')} | {fmt(t['unique_fps'], 1)} "
            f"| {fmt(pilot.get('p50'))} / {fmt(pilot.get('p99'))} | {fmt(t['cpu_percent'], 1)} "
            f"| {fmt(rss.get('mean'), 1)} / {fmt(rss.get('max'), 1)} "
            f"| {fmt(t['loadavg_start'])} / {fmt(t['loadavg_end'])} "
            f"| {fmt(t.get('steal_percent'))} |")
    return "\n".join(lines)


def _ratio(a, b):
    return "-" if a is None or b in (None, 0) else f"{a / b:.2f}"


def ratio_table(results):
    """rcpilot / baseline for each load, from the paired runs (same replayed frames, same rate)."""
    pairs = []
    for load in sorted({r["table"]["load"] for r in results}, key=lambda x: x != "none"):
        def pick(kind):
            for r in results:
                t = r["table"]
                if t["kind"] == kind and t["load"] == load and t["role"] == "pair" \
                        and not t.get("failed"):
                    return t
            return None
        node, base = pick("rcpilot"), pick("baseline")
        if node and base:
            pairs.append((load, node, base))
    if not pairs:
        return ""
    metrics = [
        ("capture->command p50", lambda t: t["latency_ms"].get("p50")),
        ("capture->command p99", lambda t: t["latency_ms"].get("p99")),
        ("capture->command max", lambda t: t["latency_ms"].get("max")),
        ("period error p99", lambda t: t["period_error_ms"].get("p99")),
        ("period error max", lambda t: t["period_error_ms"].get("max")),
        ("pilot unique frames/s", lambda t: t["unique_fps"]),
        ("CPU % of one core", lambda t: t["cpu_percent"]),
        ("RSS max MB", lambda t: (t["rss_mb"] or {}).get("max")),
    ]
    head = f"| {pairs[0][1]['rate_hz']:g} Hz, same replayed frames | " + " | ".join(
        f"rcpilot / baseline / ratio ({load})" for load, _, _ in pairs) + " |"
    lines = [head, "| --- |" + " --- |" * len(pairs)]
    for name, get in metrics:
        cells = [f"{fmt(get(n))} / {fmt(get(b))} / **{_ratio(get(n), get(b))}**"
                 for _, n, b in pairs]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = [f"{n['missed']} / {b['missed']}" for _, n, b in pairs]
    lines.append("| missed deadlines | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _find(results, **want):
    for r in results:
        t = r["table"]
        if t.get("failed"):
            continue
        if all(t.get(k) == v for k, v in want.items()):
            return t
    return None


def _check(value, limit, at_most=True):
    if value is None:
        return "-", "not run"
    ok = value <= limit if at_most else value >= limit
    return value, "yes" if ok else "**no**"


def target_table(results):
    """Issue 5's targets against the runs that measure them."""
    rows = []
    long = _find(results, kind="rcpilot", role="long")
    hog20 = long or _find(results, kind="rcpilot", role="matrix", rate_hz=20.0, loaded=True)
    where = f"{hog20['seconds']:g} s, 20 Hz, hog" if hog20 else "not run"
    if hog20 and hog20["seconds"] < 600:
        where += " (--long for 10 min)"
    missed = hog20["missed"] if hog20 else None
    if missed is None:
        verdict = "not run"
    elif missed != 0:
        verdict = "**no**"
    else:
        verdict = "yes" if hog20["seconds"] >= 600 else "so far (10 min pending)"
    rows.append(("0 missed deadlines, 20 Hz, other core loaded, 10 min", where,
                 "-" if missed is None else str(missed), verdict))
    for key, name in (("p99", "period_error_p99_ms"), ("max", "period_error_max_ms")):
        v, ok = _check(hog20["period_error_ms"].get(key) if hog20 else None, TARGETS[name])
        rows.append((f"period error {key} <= {TARGETS[name]:g} ms", where, fmt(v) if v != "-" else v,
                     ok))
    calm20 = _find(results, kind="rcpilot", role="matrix", rate_hz=20.0, loaded=False)
    for key, name in (("p50", "latency_p50_ms"), ("p99", "latency_p99_ms")):
        v, ok = _check(calm20["latency_ms"].get(key) if calm20 else None, TARGETS[name])
        rows.append((f"capture->command {key} <= {TARGETS[name]:g} ms", "20 Hz, no load",
                     fmt(v) if v != "-" else v, ok))
    fast = _find(results, kind="rcpilot", role="unthrottled")
    v, ok = _check(fast["unique_fps"] if fast else None, TARGETS["unthrottled_fps"], at_most=False)
    rows.append((f"pilot >= {TARGETS['unthrottled_fps']:g} unique frames/s", "unthrottled source",
                 fmt(v, 1) if v != "-" else v, ok))
    for source, where in (("sim camera", "largest of the sim-camera runs"),
                          ("replayed sim frames", "images replay (loads the capture plugin)")):
        rss = [(r["table"]["rss_mb"] or {}).get("max") for r in results
               if r["table"]["kind"] == "rcpilot" and not r["table"].get("failed")
               and r["table"].get("source") == source]
        rss = [x for x in rss if x is not None]
        v, ok = _check(max(rss) if rss else None, TARGETS["rss_mb"])
        rows.append((f"RSS <= {TARGETS['rss_mb']:g} MB", where, fmt(v, 1) if v != "-" else v, ok))
    lines = ["| target (issue 5) | run | measured | met? |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def render(results, header):
    """The whole fragment: header lines, all runs, ratios, targets, notes."""
    parts = ["\n".join(header), "", run_table(results)]
    ratios = ratio_table(results)
    if ratios:
        parts += ["", "rcpilot vs the Donkey-style baseline (ratio = rcpilot / baseline; under 1 "
                  "is better for rcpilot except for frames/s):", "", ratios]
    parts += ["", target_table(results), "",
              "- capture->command: rcpilot's figure is the node's own (its summary, over every "
              "setpoint that a new prediction drove, warm-up included, 10 us bins); the "
              "baseline's covers every pass of the measured window.",
              "- pilot ms: rcpilot's inference time per prediction (its preprocessing, ~0.15 ms, "
              "not included); the baseline's whole pilot part (numpy preprocessing + inference).",
              "- missed deadlines: rcpilot's overruns (deadline ticks skipped); the baseline's "
              "passes longer than the period (Donkey's \"jitter violation\").",
              "- host steal %: CPU time the hypervisor did not give this VM while it had work, "
              "as a share of both vCPUs over the run (/proc/stat's steal). The load average "
              "inside the VM does not show it; the tails grow with it."]
    return "\n".join(parts) + "\n"


def memory_table(results):
    """Resident memory of each run (node_bench.py --memory), with the target."""
    lines = [
        "| program | frames | VmRSS mean / max MB | anon / file-backed MB | PSS mid-run MB "
        "| <= 100 MB? | largest mappings mid-run (RSS MB) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        t = r["table"]
        if t.get("failed"):
            lines.append(f"| {t['kind']} | {t['source']} {t['camera_fps']:g} fps | failed |"
                         + " |" * 4)
            continue
        rss = t.get("rss_mb") or {}
        top = ", ".join(f"{b['mapping']} {b['rss_mb']:.1f}"
                        for b in (r.get("rss_breakdown_mid_run") or [])[:5])
        ok = "-" if rss.get("max") is None else ("yes" if rss["max"] <= TARGETS["rss_mb"]
                                                  else "**no**")
        lines.append(
            f"| {t['kind']} | {t['source']} {t['camera_fps']:g} fps "
            f"| {fmt(rss.get('mean'), 1)} / {fmt(rss.get('max'), 1)} "
            f"| {fmt(r.get('rss_anon_mb_mean'), 1)} / {fmt(r.get('rss_file_mb_mean'), 1)} "
            f"| {fmt(r.get('pss_mb_mid_run'), 1)} | {ok} | {top or '-'} |")
    return "\n".join(lines)


def render_memory(results, header):
    """node_bench.py --memory: the runs, then their memory."""
    return "\n".join(["\n".join(header), "", run_table(results), "", memory_table(results),
                      "", "- the baseline reports VmRSS only (it measures itself)."]) + "\n"
