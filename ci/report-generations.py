#!/usr/bin/env python3
"""report-generations.py -- the limited-API generations' tables of the matrix
report (cases/generations.c, fact sheet §9): per configuration that ran them,
rows (headers H, Py_LIMITED_API L, or abi3t), columns runtime R, each cell "agrees",
"tolerates [x]" (x names, below the table, what that extension's inline code
of another encoding does to R's objects, as cases/expect.h derives it and the
case asserted), or the failure. Configurations of one data model must give
the same table: the tables are compared, and a difference is reported and
written to REPORTS/generations.json ("consistent": false), which fails the
matrix (ci/report.py). Reads REPORTS/<preset>.junit.xml; writes Markdown on
stdout."""
import json
import os
import re
import sys
import xml.dom.minidom as dom

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ci.harness.report import dom_outcome, failure_reason, junit_text  # noqa: E402  (ci/harness/report.py)

LINE = re.compile(r"harness-generation: H=(\S+) L=(\S+) R=(\S+) on ([^:]+): (.*)")


def version_key(v):
    """3.2 < 3.11 < ... < 3.15 < 3.15t; abi3t after every limited API."""
    if v == "abi3t":
        return (99, 0, 0)
    major, minor = v.split(".")
    return (int(major), int(minor.rstrip("t")), minor.endswith("t"))


def output(case):
    return "".join(n.data for s in case.getElementsByTagName("system-out") for n in s.childNodes
                   if n.nodeType == n.TEXT_NODE)


def read(reports, preset):
    """{(H, L): {R: cell}}, the data model, and the failures or skips of this configuration."""
    try:
        d = dom.parseString(junit_text(f"{reports}/{preset}.junit.xml"))
    except Exception:
        return None, None, {}
    table, model, other = {}, None, {}
    for case in d.getElementsByTagName("testcase"):
        name = case.getAttribute("name")
        m = re.fullmatch(r"generations\.gen-(\d+\.\d+)-(\d+\.\d+|abi3t)", name)
        if not m:
            continue
        out = output(case)
        result, why = dom_outcome(case)
        if result == "skipped":
            other[m.groups()] = "skip: " + why
            continue
        failed = result == "failed"
        for h, l, r, dm, cell in LINE.findall(out):
            table.setdefault((h, l), {})[r] = cell.strip()
            model = dm
        if failed:
            first = next((x.split(":F:", 1)[1] for x in out.splitlines() if ":F:" in x), failure_reason(out) or "failed")
            other[m.groups()] = "FAILS: " + re.sub(r"^[^:]*:\d+: ", "", first)[:300]
    return table, model, other


def markdown(preset, model, table, other):
    rows = sorted(set(table) | set(other), key=lambda k: (version_key(k[0]), version_key(k[1])))
    runtimes = sorted({r for cells in table.values() for r in cells}, key=version_key)
    legend, lines = [], [f"**{preset}** ({model or 'no data model: nothing ran'})", "",
                         "| H (headers) | L (Py_LIMITED_API) | " + " | ".join(runtimes) + " |",
                         "|---|---|" + "---|" * len(runtimes)]
    for key in rows:
        if key in other:
            lines.append(f"| {key[0]} | {key[1]} | {other[key].replace('|', '/')} |" + " |" * (len(runtimes) - 1))
            continue
        shown = []
        for r in runtimes:
            cell = table[key].get(r)
            if cell is None:
                shown.append("–")
            elif cell.startswith("tolerates: "):
                what = cell[len("tolerates: "):]
                if what not in legend:
                    legend.append(what)
                shown.append(f"tolerates [{chr(ord('a') + legend.index(what))}]")
            else:
                shown.append(cell)
        lines.append(f"| {key[0]} | {key[1]} | " + " | ".join(shown) + " |")
    lines.append("")
    lines.append("– : not promised (the runtime is older than the extension's limited API, or free-threaded and the "
                 "extension not abi3t); \"agrees on mortal counts\": 3.11 has no immortal objects to meet.  ")
    lines += [f"[{chr(ord('a') + i)}] {what}" + "  " for i, what in enumerate(legend)]
    return lines


def main(argv):
    reports = "reports"
    if argv[:1] == ["--reports"]:
        reports, argv = argv[1], argv[2:]
    by_model, md, doc = {}, [], {"configurations": {}, "consistent": True, "differences": []}
    for preset in argv:
        table, model, other = read(reports, preset)
        if not table and not other:
            continue
        md += markdown(preset, model, table, other) + [""]
        doc["configurations"][preset] = {"data_model": model, "cells": {f"{h} {l}": cells for (h, l), cells in table.items()},
                                         "other": {f"{h} {l}": why for (h, l), why in other.items()}}
        if model and not other:
            by_model.setdefault(model, []).append((preset, table))
    for model, tables in by_model.items():
        first_preset, first = tables[0]
        for preset, table in tables[1:]:
            for key in sorted(set(first) | set(table)):
                for r in sorted(set(first.get(key, {})) | set(table.get(key, {}))):
                    a, b = first.get(key, {}).get(r), table.get(key, {}).get(r)
                    if a != b:
                        doc["consistent"] = False
                        doc["differences"].append(f"{model}: H {key[0]}, L {key[1]}, R {r}: {first_preset} says "
                                                  f"'{a}', {preset} says '{b}'")
    if not doc["configurations"]:
        md = ["No configuration ran the generations (HARNESS_GENERATIONS: cases/CMakeLists.txt)."]
    elif doc["consistent"]:
        md.append("Configurations of one data model give the same table: "
                  + "; ".join(f"{m}: {', '.join(p for p, _ in t)}" for m, t in sorted(by_model.items())) + ".")
    else:
        md.append("DIFFERS between configurations of one data model (the matrix fails):")
        md += [f"- {d}" for d in doc["differences"][:40]]
    with open(f"{reports}/generations.json", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
