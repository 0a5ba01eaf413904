#!/usr/bin/env python3
"""Median of repeated bench runs: bench/median.py LABEL... (e.g. r1 r2 r3).

Reads bench/results/<scenario>-<label>.json of every scenario run under each label and writes
bench/results/median.md: per target, each run's value, the median, the bound and the verdict
(met when the median is within the bound). A run that produced no value counts as a miss.
"""
import glob
import json
import os
import statistics
import sys

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def main(labels):
    if not labels:
        sys.exit(__doc__)
    rows, machine = [], ""
    scenarios = sorted({os.path.basename(p)[: -len("-" + labels[0] + ".json")]
                        for p in glob.glob(os.path.join(RESULTS, "*-" + labels[0] + ".json"))})
    for sc in scenarios:
        runs = []
        for label in labels:
            path = os.path.join(RESULTS, f"{sc}-{label}.json")
            if os.path.exists(path):
                with open(path) as f:
                    runs.append(json.load(f))
        if not runs:
            continue
        machine = runs[0].get("machine", machine)
        for i, target in enumerate(runs[0]["targets"]):
            values = [r["targets"][i]["value"] if i < len(r["targets"]) else None for r in runs]
            known = [v for v in values if v is not None]
            # a missing value is worse than any measured one: it sorts above them
            ordered = sorted(known) + [None] * (len(values) - len(known))
            median = ordered[(len(ordered) - 1) // 2]
            met = median is not None and median <= target["bound"]
            rows.append((sc, target["what"], values, median, target["bound"], target["unit"], met))
    def fmt(v):
        if v is None:
            return "no value"
        return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.4g}"
    out = [f"# Median of {len(labels)} runs ({', '.join(labels)})", "",
           f"Machine: {machine.rsplit(', ', 1)[0]}. Each scenario ran once per label, in turn "
           "(every scenario, then again).", "",
           "| scenario | target | runs | median | bound | verdict |", "|---|---|---|---|---|---|"]
    for sc, what, values, median, bound, unit, met in rows:
        out.append(f"| {sc} | {what} | {' / '.join(fmt(v) for v in values)} | {fmt(median)} {unit} "
                   f"| ≤ {bound:g} {unit} | {'met' if met else '**missed**'} |")
    with open(os.path.join(RESULTS, "median.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1:])
