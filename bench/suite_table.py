#!/usr/bin/python3
"""Turns `rcpilot-sim evaluate --suite --json` output into the Markdown table bench/RESULTS.md
uses (one row per condition and the overall row, ratios against the expert in bold).

  build/bin/rcpilot-sim evaluate --suite --json > build/suite.json
  bench/suite_table.py build/suite.json [--before OLD.json]

With --before, a last column gives the earlier run's mean |cte| ratio for each condition.
"""

import argparse
import json
import sys


def ratio(value):
    return "-" if value is None else f"{value:.2f}x"


def row(name, model, expert, ratios):
    """The cells of one table row (a condition or the overall figures)."""
    lap = model["mean_lap_s"]
    return [name, str(model["off_track_events"]), f"{model['off_track_s']:.2f}",
            f"{model['mean_abs_cte_m']:.4f}", f"{model['max_abs_cte_m']:.4f}",
            f"{model['mean_cte_m']:+.4f}",
            f"{'-' if lap is None else f'{lap:.2f}'} / {expert['mean_lap_s']:.2f}",
            f"{model['mean_speed_mps']:.2f}", f"{expert['mean_speed_mps']:.2f}",
            f"**{ratio(ratios['mean_abs_cte'])}**", ratio(ratios["mean_lap_s"])]


def table(suite, before=None):
    head = ["condition", "off-track", "off s", "mean \\|cte\\| m", "max \\|cte\\| m", "bias m",
            "lap s model / expert", "m/s", "expert m/s", "\\|cte\\| ratio", "lap ratio"]
    old = {}
    if before is not None:
        head.append("\\|cte\\| ratio before")
        old = {c["name"]: c["ratio"]["mean_abs_cte"] for c in before["conditions"]}
        old["overall"] = before["overall"]["ratio"]["mean_abs_cte"]
    rows = [(c["name"], c["driver"], c["expert"], c["ratio"]) for c in suite["conditions"]]
    o = suite["overall"]
    rows.append(("overall", o["driver"], o["expert"], o["ratio"]))
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, model, expert, ratios in rows:
        cells = row(name, model, expert, ratios)
        if before is not None:
            cells.append(ratio(old.get(name)))  # "-" where the earlier run lacks it
        lines.append("| " + " | ".join(cells) + " |")
    worst = o["worst_ratio"]
    lines.append("")
    lines.append(f"Worst condition: mean |cte| {ratio(worst['mean_abs_cte'])}, mean lap "
                 f"{ratio(worst['mean_lap_s'])}; conditions meeting every goal: "
                 f"{o['conditions_meeting_goals']} of {o['conditions']}; goals: " +
                 ", ".join(f"{k} {'met' if v else 'missed'}" for k, v in o["goals"].items()))
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("suite_json")
    p.add_argument("--before", help="an earlier suite JSON to compare the |cte| ratio with")
    args = p.parse_args(argv)
    try:
        with open(args.suite_json, encoding="utf-8") as f:
            suite = json.load(f)
        before = None
        if args.before:
            with open(args.before, encoding="utf-8") as f:
                before = json.load(f)
        print(table(suite, before))
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"suite_table.py: cannot read the suite figures: {e!r} (expected the output of "
              "rcpilot-sim evaluate --suite --json)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
